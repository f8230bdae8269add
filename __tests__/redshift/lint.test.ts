import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import type { PolicyDocument } from '../../src/core/document.js';
import { lintContext } from '../../src/core/engine.js';
import { parseYamlFile } from '../../src/core/load.js';
import type { Provider } from '../../src/core/provider.js';
import { SchemaValidator } from '../../src/core/validate.js';
import { lintRedshiftGrants } from '../../src/providers/redshift/lint.js';
import { principalMatcher } from '../../src/providers/redshift/rules.js';
import type { RedshiftGrantsSpec } from '../../src/providers/redshift/spec.generated.js';
import { repoRoot } from '../helpers/aws.js';

const FILE = 'policies/redshift.yml';

const provider: Provider<RedshiftGrantsSpec> = {
  kind: 'RedshiftGrants',
  prefix: 'redshift',
  schemaFile: 'redshift-grants.schema.json',
  order: 20,
  lint: lintRedshiftGrants,
  loadRuntime: () => Promise.reject(new Error('lint tests never load the runtime')),
};

const REDSHIFT = `connection:
  dialect: redshift
  dataApi: { clusterIdentifier: examplecluster, database: dev, dbUser: awsuser, region: us-east-1 }`;

const POSTGRES = `connection:
  dialect: postgres
  urlFromEnv: DATABASE_URL`;

/** The envelope around a spec given as YAML (indented by two spaces). */
function envelope(spec: string, name = 'dev'): string {
  const body = spec
    .replace(/^\n+/, '')
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
  return `apiVersion: charter/v1\nkind: RedshiftGrants\nmetadata:\n  name: ${name}\nspec:\n${body}\n`;
}

/** Parses and schema-validates YAML the way `charter validate` does, then lints; schema errors fail the test. */
async function lintYaml(text: string): Promise<Diagnostic[]> {
  const parsed = parseYamlFile(FILE, join(repoRoot, FILE), new TextEncoder().encode(text));
  expect(parsed.diagnostics).toEqual([]);
  const { documents, diagnostics } = new SchemaValidator([provider as Provider]).validate(parsed.documents);
  expect(diagnostics, 'the test policy must be schema-valid, or lint never runs').toEqual([]);
  return lintRedshiftGrants(documents as PolicyDocument<RedshiftGrantsSpec>[], lintContext(new Date('2030-01-01T00:00:00Z'), repoRoot));
}

async function lint(spec: string) {
  const text = envelope(spec);
  return { text, diagnostics: await lintYaml(text) };
}

/** 1-based line and column of the n-th occurrence of `needle`. */
function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" (occurrence ${occurrence}) not found`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

type Result = { text: string; diagnostics: Diagnostic[] };

function expectOne(result: Result, code: string, severity: Diagnostic['severity'], needle: string, occurrence = 1): Diagnostic {
  const found = result.diagnostics.filter((d) => d.code === code && d.severity === severity);
  expect(found, JSON.stringify(result.diagnostics, null, 2)).toHaveLength(1);
  expect(found[0].severity).toBe(severity);
  expect({ line: found[0].line, column: found[0].column }).toEqual(positionOf(result.text, needle, occurrence));
  expect(found[0].file).toBe(FILE);
  expect(found[0].policy).toBe('RedshiftGrants/dev');
  expect(found[0].hint).toBeTruthy();
  return found[0];
}

/** Exactly these codes, nothing else. */
function expectCodes(result: Result, codes: string[]): void {
  expect(result.diagnostics.map((d) => d.code).sort(), JSON.stringify(result.diagnostics, null, 2)).toEqual([...codes].sort());
}

describe('lintRedshiftGrants', () => {
  it('reports nothing for the RBAC example policy', async () => {
    const text = readFileSync(join(repoRoot, 'policies/examples/redshift-rbac.yml'), 'utf8');
    expect(await lintYaml(text)).toEqual([]);
  });

  it('reports nothing for a clean postgres policy', async () => {
    const result = await lint(`${POSTGRES}
manage: { schemas: [app] }
roles:
  - name: app_ro
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      tables: [{ schema: app, allTables: true, privileges: [select, trigger] }]
      futureTables: [{ schema: app, owner: app_owner, privileges: [select] }]
  - name: app_owner
users:
  - { name: alice, roles: [app_ro] }`);
    expect(result.diagnostics).toEqual([]);
  });

  describe('redshift/role-cycle', () => {
    it('shows a three-role cycle once, at the entry that closes it', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - { name: a, memberOf: [b] }
  - { name: b, memberOf: [c] }
  - { name: c, memberOf: [a] }`);
      const d = expectOne(result, 'redshift/role-cycle', 'error', 'a]');
      expect(d.message).toContain('a → b → c → a');
      expectCodes(result, ['redshift/role-cycle']);
    });

    it('reports two separate cycles separately and a diamond not at all', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - { name: a, memberOf: [b] }
  - { name: b, memberOf: [a] }
  - { name: x, memberOf: [y, z] }
  - { name: y, memberOf: [w] }
  - { name: z, memberOf: [w] }
  - { name: w, memberOf: [x] }
  - { name: p, memberOf: [q, r] }
  - { name: q, memberOf: [s] }
  - { name: r, memberOf: [s] }
  - name: s`);
      const cycles = result.diagnostics.filter((d) => d.code === 'redshift/role-cycle').map((d) => d.message);
      expect(cycles).toEqual([
        'The role hierarchy has a cycle: a → b → a',
        'The role hierarchy has a cycle: x → y → w → x',
        'The role hierarchy has a cycle: x → z → w → x',
      ]);
    });

    it('compares names lower-cased on redshift and shows them as declared', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - { name: Sales_RO, memberOf: [SALES_RW] }
  - { name: sales_rw, memberOf: [sales_ro] }`);
      const d = expectOne(result, 'redshift/role-cycle', 'error', 'sales_ro]');
      expect(d.message).toContain('Sales_RO → sales_rw → Sales_RO');
    });

    it('handles a very deep hierarchy without overflowing the stack', async () => {
      const depth = 5000;
      const roles = Array.from({ length: depth }, (_, i) => `  - { name: r${i}, memberOf: [r${(i + 1) % depth}] }`).join('\n');
      const result = await lint(`${REDSHIFT}\nroles:\n${roles}`);
      expectCodes(result, ['redshift/role-cycle']);
      expect(result.diagnostics[0].message).toMatch(/^The role hierarchy has a cycle: r0 → r1 → .* → r4999 → r0$/);
    });
  });

  describe('redshift/role-member-of-itself', () => {
    it('is an error, and not also a cycle', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - name: sales_ro
    memberOf: [Sales_RO]`);
      expectOne(result, 'redshift/role-member-of-itself', 'error', 'Sales_RO');
      expectCodes(result, ['redshift/role-member-of-itself']);
    });
  });

  describe('sys: roles', () => {
    it('redshift/unknown-system-role: only the five system roles exist', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - name: admin
    memberOf: [sys:dba, sys:admin]
users:
  - { name: bob, roles: [SYS:SUPERUSER, sys:monitor, sys:root] }`);
      expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual(
        ['sys:admin', 'sys:root'].map((n) => ['redshift/unknown-system-role', positionOf(result.text, n).line, positionOf(result.text, n).column]),
      );
      expect(result.diagnostics[0].message).toBe('"sys:admin" is not a Redshift system role');
      expect(result.diagnostics[0].hint).toContain('sys:dba, sys:monitor, sys:operator, sys:secadmin, sys:superuser');
    });

    it('redshift/unknown-system-role on a user', async () => {
      const result = await lint(`${REDSHIFT}
users:
  - name: bob
    roles: [sys:monitor, sys:root]`);
      expectOne(result, 'redshift/unknown-system-role', 'error', 'sys:root');
      expectCodes(result, ['redshift/unknown-system-role']);
    });

    it('redshift/sys-prefix-reserved: a declared role', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - name: sys:dba`);
      const d = expectOne(result, 'redshift/sys-prefix-reserved', 'error', 'sys:dba');
      expect(d.message).toContain('can be granted');
      expectCodes(result, ['redshift/sys-prefix-reserved']);
    });

    it('redshift/sys-prefix-reserved: a declared user, and a provider namespace', async () => {
      const result = await lint(`${REDSHIFT}
identityProviders:
  - { name: idp, type: azure, namespace: SYS, issuer: "https://sts.windows.net/t/", clientId: c, audience: [a], clientSecretFromEnv: S }
users:
  - name: sys:robot`);
      expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual(
        ['SYS', 'sys:robot'].map((n) => ['redshift/sys-prefix-reserved', positionOf(result.text, n).line, positionOf(result.text, n).column]),
      );
      expect(result.diagnostics[0].message).toContain('namespace "sys" is reserved');
    });

    it('redshift/system-role-on-postgres', async () => {
      const result = await lint(`${POSTGRES}
roles:
  - name: admin
    memberOf: [sys:dba]`);
      expectOne(result, 'redshift/system-role-on-postgres', 'error', 'sys:dba');
      expectCodes(result, ['redshift/system-role-on-postgres']);
    });
  });

  describe('redshift/unknown-role', () => {
    it('is an error for a role that is not declared', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - name: sales_rw
    memberOf: [sales_r0]
users:
  - { name: ann, roles: [sales_rw] }`);
      const d = expectOne(result, 'redshift/unknown-role', 'error', 'sales_r0');
      expect(d.message).toContain('"sales_r0"');
    });

    it('is an error for a user listed as a role', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - { name: team, memberOf: [ann] }
users:
  - name: ann`);
      const d = expectOne(result, 'redshift/unknown-role', 'error', 'ann]');
      expect(d.message).toContain('is a user, not a role');
    });

    it('allows roles matching manage.ignorePrincipals (managed outside Charter)', async () => {
      const result = await lint(`${REDSHIFT}
manage:
  ignorePrincipals: ["etl_*", "{bi,ml}_reader"]
users:
  - { name: ann, roles: [ETL_loader, bi_reader, ml_reader] }
  - { name: bob, roles: [etl, ds_reader] }`);
      expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
        ['redshift/unknown-role', positionOf(result.text, 'etl,').line, positionOf(result.text, 'etl,').column],
        ['redshift/unknown-role', positionOf(result.text, 'ds_reader').line, positionOf(result.text, 'ds_reader').column],
      ]);
    });
  });

  describe('redshift/unknown-schema', () => {
    it('is an error for schema, table and future-table privileges outside manage.schemas', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [sales] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: Sales, privileges: [usage] }, { schema: marketing, privileges: [usage] }]
      tables: [{ schema: finance, allTables: true, privileges: [select] }]
      futureTables: [{ schema: hr, owner: etl, privileges: [select] }]
users:
  - name: etl`);
      expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual(
        ['marketing', 'finance', 'hr'].map((s) => ['redshift/unknown-schema', positionOf(result.text, s).line, positionOf(result.text, s).column]),
      );
      expect(result.diagnostics[0].message).toContain('(managed: sales)');
    });

    it('is case-sensitive on postgres', async () => {
      const result = await lint(`${POSTGRES}
manage: { schemas: [sales] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: Sales, privileges: [usage] }]`);
      expectOne(result, 'redshift/unknown-schema', 'error', 'Sales');
    });
  });

  describe('passwords', () => {
    it('redshift/password-conflict and redshift/password-on-idp-user', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [sales] }
identityProviders:
  - { name: oauth_standard, type: azure, namespace: oauth_aad, issuer: "https://sts.windows.net/t/", clientId: c, audience: [a], clientSecretFromEnv: AAD_SECRET }
users:
  - { name: ann, password: { fromEnv: ANN_PW }, passwordDisabled: true }
  - { name: "oauth_aad:bob", identityProvider: oauth_standard, password: { fromEnv: BOB_PW } }
  - { name: carl, password: { fromEnv: CARL_PW } }
  - { name: dora, passwordDisabled: true }`);
      expectOne(result, 'redshift/password-conflict', 'error', 'true');
      expectOne(result, 'redshift/password-on-idp-user', 'error', '{ fromEnv: BOB_PW }');
      expectCodes(result, ['redshift/password-conflict', 'redshift/password-on-idp-user']);
    });
  });

  describe('PUBLIC (spec.public)', () => {
    it('redshift/public-system-privilege: PUBLIC cannot hold system privileges; its other privileges are checked like a role\'s', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [sales] }
public:
  privileges:
    system: [TRUNCATE TABLE]
    schemas: [{ schema: sales, privileges: [usage] }, { schema: sales, privileges: [create] }]
    tables: [{ schema: finance, allTables: true, privileges: [select] }]`);
      expectOne(result, 'redshift/public-system-privilege', 'error', '[TRUNCATE TABLE]');
      expect(expectOne(result, 'redshift/unknown-schema', 'error', 'finance').message).toContain('PUBLIC has privileges on schema "finance"');
      expectOne(result, 'redshift/duplicate-grant', 'error', 'sales', 3);
      expectCodes(result, ['redshift/public-system-privilege', 'redshift/unknown-schema', 'redshift/duplicate-grant']);
    });
  });

  describe('identity providers', () => {
    const IDP = `identityProviders:
  - name: oauth_standard
    type: azure
    namespace: oauth_aad
    issuer: https://sts.windows.net/00000000-0000-4000-8000-000000000000/
    clientId: 5ab12345
    audience: [https://analysis.windows.net/powerbi/connector/AmazonRedshift]
    clientSecretFromEnv: AAD_CLIENT_SECRET`;

    it('accept IdP users and roles in the declared namespace', async () => {
      const result = await lint(`${REDSHIFT}
${IDP}
roles:
  - name: OAUTH_AAD:rsgroup
users:
  - { name: "oauth_aad:alice@example.com", identityProvider: oauth_standard, roles: ["oauth_aad:rsgroup"] }`);
      expect(result.diagnostics).toEqual([]);
    });

    it('redshift/unknown-identity-provider', async () => {
      const result = await lint(`${REDSHIFT}
${IDP}
users:
  - { name: "oauth_aad:alice", identityProvider: oauth_okta }`);
      const d = expectOne(result, 'redshift/unknown-identity-provider', 'error', 'oauth_okta');
      expect(d.message).toContain('(declared: oauth_standard)');
    });

    it('redshift/idp-user-needs-namespace', async () => {
      const result = await lint(`${REDSHIFT}
${IDP}
users:
  - { name: alice, identityProvider: oauth_standard }
  - { name: "oauth_aad:", identityProvider: oauth_standard }`);
      const first = result.diagnostics.filter((d) => d.code === 'redshift/idp-user-needs-namespace');
      expect(first.map((d) => [d.line, d.column])).toEqual([
        [positionOf(result.text, 'alice').line, positionOf(result.text, 'alice').column],
        [positionOf(result.text, '"oauth_aad:"').line, positionOf(result.text, '"oauth_aad:"').column],
      ]);
      expect(first[0].hint).toContain('"oauth_aad:alice"');
      expectCodes(result, ['redshift/idp-user-needs-namespace', 'redshift/idp-user-needs-namespace']);
    });

    it('an IdP user in another namespace gets idp-user-needs-namespace only', async () => {
      const result = await lint(`${REDSHIFT}
${IDP}
users:
  - { name: "okta:alice", identityProvider: oauth_standard }`);
      expectOne(result, 'redshift/idp-user-needs-namespace', 'error', '"okta:alice"');
      expectCodes(result, ['redshift/idp-user-needs-namespace']);
    });

    it('redshift/unknown-namespace: error, or warning when ignorePrincipals covers the name', async () => {
      const result = await lint(`${REDSHIFT}
${IDP}
manage: { ignorePrincipals: ["okta:*"] }
roles:
  - name: "aad:rsgroup"
  - name: "okta:analysts"
  - name: "IAMR:etl-role"
users:
  - name: "IAM:alice"`);
      const d = expectOne(result, 'redshift/unknown-namespace', 'error', '"aad:rsgroup"');
      expect(d.message).toContain('(declared: oauth_aad)');
      expectOne(result, 'redshift/unknown-namespace', 'warning', '"okta:analysts"');
    });

    it('redshift/duplicate-namespace and redshift/duplicate-identity-provider', async () => {
      const result = await lint(`${REDSHIFT}
${IDP}
  - { name: OAUTH_STANDARD, type: azure, namespace: other, issuer: "https://sts.windows.net/t/", clientId: c, audience: [a], clientSecretFromEnv: S }
  - { name: second, type: azure, namespace: OAuth_AAD, issuer: "https://sts.windows.net/t/", clientId: c, audience: [a], clientSecretFromEnv: S }`);
      expectOne(result, 'redshift/duplicate-identity-provider', 'error', 'OAUTH_STANDARD');
      const d = expectOne(result, 'redshift/duplicate-namespace', 'error', 'OAuth_AAD');
      expect(d.message).toContain('"oauth_standard"');
      expectCodes(result, ['redshift/duplicate-identity-provider', 'redshift/duplicate-namespace']);
    });

    it('redshift/identity-provider-on-postgres, on the provider and on the user', async () => {
      const result = await lint(`${POSTGRES}
${IDP}
users:
  - { name: "oauth_aad:alice", identityProvider: oauth_standard }`);
      const found = result.diagnostics.filter((d) => d.code === 'redshift/identity-provider-on-postgres');
      expect(found.map((d) => [d.line, d.column])).toEqual([
        [positionOf(result.text, 'oauth_standard').line, positionOf(result.text, 'oauth_standard').column],
        [positionOf(result.text, 'oauth_standard', 2).line, positionOf(result.text, 'oauth_standard', 2).column],
      ]);
      expectCodes(result, ['redshift/identity-provider-on-postgres', 'redshift/identity-provider-on-postgres']);
    });

    it('redshift/idp-user-without-provider', async () => {
      const result = await lint(`${REDSHIFT}
${IDP}
users:
  - name: "oauth_aad:bob"`);
      const d = expectOne(result, 'redshift/idp-user-without-provider', 'warning', '"oauth_aad:bob"');
      expect(d.hint).toContain('identityProvider: oauth_standard');
    });
  });

  describe('redshift/role-user-name-clash', () => {
    it('is an error on redshift, compared lower-cased', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - name: analyst
users:
  - name: Analyst`);
      expectOne(result, 'redshift/role-user-name-clash', 'error', 'Analyst');
    });

    it('is an error on postgres too, where users are roles', async () => {
      const result = await lint(`${POSTGRES}
roles:
  - name: analyst
users:
  - name: analyst`);
      const d = expectOne(result, 'redshift/role-user-name-clash', 'error', 'analyst', 2);
      expect(d.message).toContain('on PostgreSQL users and roles are all roles');
    });

    it('is fine for Analyst and analyst on postgres, which keeps quoted case', async () => {
      const result = await lint(`${POSTGRES}
roles:
  - name: analyst
users:
  - name: Analyst`);
      expect(result.diagnostics).toEqual([]);
    });
  });

  describe('redshift/name-too-long', () => {
    const long = 'é'.repeat(64); // 64 characters (the schema allows 127) but 128 bytes

    it('counts UTF-8 bytes for roles, users, schemas, tables and providers', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [s${long}] }
identityProviders:
  - { name: i${long}, type: azure, namespace: ns, issuer: "https://sts.windows.net/t/", clientId: c, audience: [a], clientSecretFromEnv: S }
roles:
  - name: r${long}
    privileges:
      tables: [{ schema: s${long}, names: [t${long}], privileges: [select] }]
users:
  - name: u${long}`);
      const found = result.diagnostics.filter((d) => d.code === 'redshift/name-too-long');
      expect(found.map((d) => [d.line, d.column])).toEqual(
        [`s${long}`, `i${long}`, `r${long}`, `t${long}`, `u${long}`].map((n) => [positionOf(result.text, n).line, positionOf(result.text, n).column]),
      );
      expect(found[0].message).toContain('129 bytes');
      expect(found[0].message).toContain('redshift limit is 127 bytes');
    });

    it('accepts exactly 127 bytes on redshift', async () => {
      const result = await lint(`${REDSHIFT}\nroles:\n  - name: a${'é'.repeat(63)}`);
      expect(result.diagnostics).toEqual([]);
    });

    it('uses the 63-byte limit on postgres, which would truncate the name', async () => {
      const result = await lint(`${POSTGRES}\nroles:\n  - name: ${'r'.repeat(63)}\n  - name: ${'x'.repeat(64)}`);
      const d = expectOne(result, 'redshift/name-too-long', 'error', 'x'.repeat(64));
      expect(d.message).toContain('truncates');
    });
  });

  describe('duplicates', () => {
    it('redshift/duplicate-role compares with the dialect name key', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - name: Sales_RO
  - name: sales_ro`);
      const d = expectOne(result, 'redshift/duplicate-role', 'error', 'sales_ro');
      expect(d.message).toContain('as "Sales_RO"');
      const pg = await lint(`${POSTGRES}\nroles:\n  - name: Sales_RO\n  - name: sales_ro`);
      expect(pg.diagnostics).toEqual([]);
    });

    it('redshift/duplicate-user', async () => {
      const result = await lint(`${REDSHIFT}
users:
  - name: ann
  - name: ANN`);
      expectOne(result, 'redshift/duplicate-user', 'error', 'ANN');
    });

    it('redshift/duplicate-membership: a role granted twice to a user or a role', async () => {
      const result = await lint(`${REDSHIFT}
roles:
  - name: sales_ro
  - { name: sales_rw, memberOf: [sales_ro, SALES_RO] }
users:
  - { name: ann, roles: [Sales_RO, sales_ro] }`);
      const found = result.diagnostics.filter((d) => d.code === 'redshift/duplicate-membership');
      expect(found.map((d) => [d.line, d.column])).toEqual([
        [positionOf(result.text, 'SALES_RO').line, positionOf(result.text, 'SALES_RO').column],
        [positionOf(result.text, 'sales_ro]').line, positionOf(result.text, 'sales_ro]').column],
      ]);
      expectCodes(result, ['redshift/duplicate-membership', 'redshift/duplicate-membership']);
    });

    it('redshift/duplicate-schema in manage.schemas', async () => {
      const result = await lint(`${REDSHIFT}
manage:
  schemas: [sales, SALES]`);
      expectOne(result, 'redshift/duplicate-schema', 'error', 'SALES');
    });

    it('redshift/duplicate-grant: the same schema, allTables or future-table entry twice', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [sales] }
roles:
  - name: r
    privileges:
      schemas:
        - { schema: sales, privileges: [usage] }
        - { schema: Sales, privileges: [create] }
      tables:
        - { schema: sales, allTables: true, privileges: [select] }
        - { schema: sales, allTables: true, privileges: [insert] }
      futureTables:
        - { schema: sales, owner: etl, privileges: [select] }
        - { schema: sales, owner: ETL, privileges: [insert] }
users:
  - name: etl`);
      const found = result.diagnostics.filter((d) => d.code === 'redshift/duplicate-grant');
      expect(found.map((d) => [d.line, d.column])).toEqual([
        [positionOf(result.text, 'Sales').line, positionOf(result.text, 'Sales').column],
        [positionOf(result.text, 'true', 2).line, positionOf(result.text, 'true', 2).column],
        [positionOf(result.text, 'sales, owner: ETL').line, positionOf(result.text, 'sales, owner: ETL').column],
      ]);
      expectCodes(result, ['redshift/duplicate-grant', 'redshift/duplicate-grant', 'redshift/duplicate-grant']);
    });

    it('redshift/duplicate-table: a table named twice within a schema', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [sales] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: sales, privileges: [usage] }]
      tables:
        - { schema: sales, names: [orders, customers], privileges: [select] }
        - { schema: sales, names: [Orders], privileges: [insert] }`);
      expectOne(result, 'redshift/duplicate-table', 'error', 'Orders');
      expectCodes(result, ['redshift/duplicate-table']);
    });
  });

  describe('dialect features', () => {
    it('redshift/system-privilege-on-postgres points at privileges.system', async () => {
      const result = await lint(`${POSTGRES}
roles:
  - name: r
    privileges:
      system: [TRUNCATE TABLE]`);
      const d = expectOne(result, 'redshift/system-privilege-on-postgres', 'error', '[TRUNCATE TABLE]');
      expect(d.message).toContain('TRUNCATE TABLE');
    });

    it('redshift/system-privilege-on-user: Redshift grants system permissions to roles only', async () => {
      const result = await lint(`${REDSHIFT}
users:
  - name: ann
    privileges:
      system: [TRUNCATE TABLE]`);
      const d = expectOne(result, 'redshift/system-privilege-on-user', 'error', '[TRUNCATE TABLE]');
      expect(d.message).toContain('only to roles');
      const roles = await lint(`${REDSHIFT}
roles:
  - name: r
    privileges:
      system: [TRUNCATE TABLE]`);
      expect(roles.diagnostics.filter((x) => x.code === 'redshift/system-privilege-on-user')).toEqual([]);
    });

    it('redshift/external-id-on-postgres', async () => {
      const result = await lint(`${POSTGRES}
roles:
  - { name: r, externalId: "8d1ab0a8-1a2b-4c3d-9e8f-000000000000" }`);
      expectOne(result, 'redshift/external-id-on-postgres', 'error', '"8d1ab0a8');
    });

    it('redshift/table-privilege-unsupported: drop and alter on postgres, trigger on redshift', async () => {
      const pg = await lint(`${POSTGRES}
manage: { schemas: [app] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      tables: [{ schema: app, allTables: true, privileges: [select, drop, alter] }]`);
      expect(pg.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual(
        ['drop', 'alter'].map((n) => ['redshift/table-privilege-unsupported', positionOf(pg.text, n).line, positionOf(pg.text, n).column]),
      );
      const rs = await lint(`${REDSHIFT}
manage: { schemas: [app] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      futureTables: [{ schema: app, owner: etl, privileges: [trigger] }]
users:
  - name: etl`);
      const d = expectOne(rs, 'redshift/table-privilege-unsupported', 'error', 'trigger');
      expect(d.message).toContain('only on PostgreSQL');
    });

    it('redshift/column-privilege-unsupported: insert and references on Redshift columns; accepted on postgres', async () => {
      const rs = await lint(`${REDSHIFT}
manage: { schemas: [app] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      columns: [{ schema: app, table: t, columns: [a], privileges: [select, insert] }]`);
      const d = expectOne(rs, 'redshift/column-privilege-unsupported', 'error', 'insert');
      expect(d.message).toBe('Role "r": column privilege "insert" does not exist on Redshift (only on PostgreSQL)');
      const pg = await lint(`${POSTGRES}
manage: { schemas: [app] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      columns: [{ schema: app, table: t, columns: [a], privileges: [select, insert, references] }]`);
      expect(pg.diagnostics).toEqual([]);
    });

    it('redshift/duplicate-column: a column in two entries of one table (Redshift compares lower-cased); unknown schema and missing usage as for tables', async () => {
      const rs = await lint(`${REDSHIFT}
manage: { schemas: [app] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      columns:
        - { schema: app, table: t, columns: [a, b], privileges: [select] }
        - { schema: app, table: T, columns: [c, B], privileges: [update] }
  - name: s
    privileges:
      columns: [{ schema: nope, table: t, columns: [a], privileges: [select] }, { schema: app, table: t, columns: [a], privileges: [select] }]`);
      expect(rs.diagnostics.map((d) => d.code)).toEqual(['redshift/duplicate-column', 'redshift/unknown-schema', 'redshift/missing-schema-usage']);
      const d = expectOne(rs, 'redshift/duplicate-column', 'error', 'B');
      expect(d.message).toMatch(/^Role "r": column "app\.T\.B" is already listed as "b" \(line \d+/);
    });

    it('redshift/schema-privilege-unsupported: alter and drop on schemas are Redshift-only', async () => {
      const pg = await lint(`${POSTGRES}
manage: { schemas: [app] }
roles:
  - { name: r, privileges: { schemas: [{ schema: app, privileges: [usage, alter, drop] }] } }`);
      expect(pg.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual(
        ['alter', 'drop'].map((n) => ['redshift/schema-privilege-unsupported', positionOf(pg.text, n).line, positionOf(pg.text, n).column]),
      );
      const rs = await lint(`${REDSHIFT}
manage: { schemas: [app] }
roles:
  - { name: r, privileges: { schemas: [{ schema: app, privileges: [usage, alter, drop] }] } }`);
      expect(rs.diagnostics).toEqual([]);
    });

    it('redshift/duplicate-routine: one signature twice (Redshift folds names; argument types compared normalised), across functions and procedures; malformed signatures fail the schema', async () => {
      const rs = await lint(`${REDSHIFT}
manage: { schemas: [app] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      functions: [{ schema: app, names: ["f(integer)", "F(INTEGER )"], privileges: [execute] }]
      procedures: [{ schema: app, names: ["f(integer)"], privileges: [execute] }]`);
      expect(rs.diagnostics.map((d) => d.code)).toEqual(['redshift/duplicate-routine', 'redshift/duplicate-routine']);
      const parsed = parseYamlFile(FILE, join(repoRoot, FILE), new TextEncoder().encode(envelope(`${REDSHIFT}
manage: { schemas: [app] }
roles:
  - { name: r, privileges: { functions: [{ schema: app, names: ["f(text); DROP TABLE t; --)"], privileges: [execute] }] } }`)));
      const schema = new SchemaValidator([provider as Provider]).validate(parsed.documents);
      expect(schema.documents).toEqual([]);
      expect(schema.diagnostics.map((d) => d.message).join('\n')).toMatch(/functions\.0\.names\.0/);
    });

    it('redshift/admin-option-without-membership and redshift/admin-option-on-role', async () => {
      const rs = await lint(`${REDSHIFT}
roles:
  - { name: a }
  - { name: b, memberOf: [a], withAdminOption: [a] }
users:
  - { name: u, roles: [a], withAdminOption: [A, b] }`);
      expect(rs.diagnostics.map((d) => d.code)).toEqual(['redshift/admin-option-on-role', 'redshift/admin-option-without-membership']);
      expectOne(rs, 'redshift/admin-option-without-membership', 'error', 'b]');
      const pg = await lint(`${POSTGRES}
roles:
  - { name: a }
  - { name: b, memberOf: [a], withAdminOption: [a] }`);
      expect(pg.diagnostics).toEqual([]);
    });

    it('redshift/future-procedures-on-postgres', async () => {
      const pg = await lint(`${POSTGRES}
manage: { schemas: [app] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: app, privileges: [usage] }]
      futureFunctions: [{ schema: app, owner: r, privileges: [execute] }]
      futureProcedures: [{ schema: app, owner: r, privileges: [execute] }]`);
      expectOne(pg, 'redshift/future-procedures-on-postgres', 'error', 'app', 4);
    });

    it('redshift/scoped-permission-on-postgres', async () => {
      const pg = await lint(`${POSTGRES}
manage: { schemas: [app] }
roles:
  - { name: r, privileges: { schemas: [{ schema: app, privileges: [usage] }], scopedTables: [{ schema: app, privileges: [select] }] } }`);
      expectOne(pg, 'redshift/scoped-permission-on-postgres', 'error', 'app', 3);
    });

    it('redshift/datashare-on-postgres', async () => {
      const pg = await lint(`${POSTGRES}
roles:
  - { name: r, privileges: { datashareDatabases: [{ database: shared_db, privileges: [usage] }] } }`);
      expectOne(pg, 'redshift/datashare-on-postgres', 'error', '{ database: shared_db');
    });

    it('redshift/syslog-access-on-postgres', async () => {
      const result = await lint(`${POSTGRES}
users:
  - { name: u, createdb: true, connectionLimit: 3, syslogAccess: unrestricted }`);
      expectOne(result, 'redshift/syslog-access-on-postgres', 'error', 'unrestricted');
    });

    it('redshift/invalid-valid-until and redshift/valid-until-without-password', async () => {
      const pg = await lint(`${POSTGRES}
users:
  - { name: u, validUntil: "2027-02-30" }
  - { name: v, validUntil: "2027-02-28T23:59:59+01:00" }`);
      expectOne(pg, 'redshift/invalid-valid-until', 'error', '"2027-02-30"');
      const rs = await lint(`${REDSHIFT}
users:
  - { name: u, validUntil: infinity }
  - { name: v, password: { fromEnv: V_PW }, validUntil: "2027-01-01" }`);
      expectOne(rs, 'redshift/valid-until-without-password', 'error', 'infinity');
    });

    it('redshift/grant-option-to-public, -on-role (Redshift) and -without-privilege', async () => {
      const rs = await lint(`${REDSHIFT}
manage: { schemas: [s] }
public:
  privileges: { schemas: [{ schema: s, privileges: [usage], withGrantOption: true }] }
roles:
  - { name: r, privileges: { database: [create], databaseWithGrantOption: [create] } }
users:
  - { name: u, privileges: { schemas: [{ schema: s, privileges: [usage], withGrantOption: [create] }] } }`);
      expect(rs.diagnostics.map((d) => d.code).filter((c) => c.includes('grant-option')).sort()).toEqual(['redshift/grant-option-on-role', 'redshift/grant-option-to-public', 'redshift/grant-option-without-privilege']);
    });

    it('redshift/data-api-needs-redshift', async () => {
      const result = await lint(`connection:
  dialect: postgres
  dataApi: { workgroupName: analytics, database: dev, secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" }`);
      expectOne(result, 'redshift/data-api-needs-redshift', 'error', 'postgres');
    });
  });

  describe('future-table owners', () => {
    it('redshift/unknown-owner is a warning, silenced by ignorePrincipals', async () => {
      const spec = (ignore: string) => `${REDSHIFT}
manage: { schemas: [sales], ignorePrincipals: [${ignore}] }
roles:
  - name: r
    privileges:
      schemas: [{ schema: sales, privileges: [usage] }]
      futureTables: [{ schema: sales, owner: etl_user, privileges: [select] }]`;
      expectOne(await lint(spec('rdsdb')), 'redshift/unknown-owner', 'warning', 'etl_user');
      expect((await lint(spec('"etl_*"'))).diagnostics).toEqual([]);
    });

    it('redshift/future-owner-not-user on redshift, where only users own default privileges', async () => {
      const spec = (connection: string) => `${connection}
manage: { schemas: [sales] }
roles:
  - name: loaders
  - name: r
    privileges:
      schemas: [{ schema: sales, privileges: [usage] }]
      futureTables: [{ schema: sales, owner: loaders, privileges: [select] }]`;
      expectOne(await lint(spec(REDSHIFT)), 'redshift/future-owner-not-user', 'error', 'loaders', 2);
      expect((await lint(spec(POSTGRES))).diagnostics).toEqual([]);
    });
  });

  describe('redshift/missing-schema-usage', () => {
    it('warns when neither the grantee nor its roles have USAGE on the schema', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [public, sales, marketing] }
public:
  privileges:
    schemas: [{ schema: public, privileges: [usage] }]
roles:
  - name: base
    privileges:
      schemas: [{ schema: sales, privileges: [usage] }]
  - name: r
    memberOf: [base]
    privileges:
      tables:
        - { schema: sales, allTables: true, privileges: [select] }
        - { schema: public, allTables: true, privileges: [select] }
        - { schema: marketing, allTables: true, privileges: [select] }
        - { schema: marketing, names: [leads], privileges: [update] }
users:
  - name: ann
    roles: [r]
    privileges:
      tables: [{ schema: marketing, names: [campaigns], privileges: [select] }]
  - name: bob
    privileges:
      schemas: [{ schema: marketing, privileges: [usage] }]
      tables: [{ schema: marketing, names: [campaigns], privileges: [select] }]`);
      const found = result.diagnostics.filter((d) => d.code === 'redshift/missing-schema-usage');
      expect(found.map((d) => [d.severity, d.line, d.column])).toEqual([
        ['warning', positionOf(result.text, 'marketing', 2).line, positionOf(result.text, 'marketing', 2).column],
        ['warning', positionOf(result.text, 'marketing', 4).line, positionOf(result.text, 'marketing', 4).column],
      ]);
      expectCodes(result, ['redshift/missing-schema-usage', 'redshift/missing-schema-usage']);
    });

    it('counts USAGE granted to PUBLIC, which no longer holds it on schema public unless the policy says so', async () => {
      const without = await lint(`${REDSHIFT}
manage: { schemas: [public] }
roles:
  - name: r
    privileges:
      tables: [{ schema: public, allTables: true, privileges: [select] }]`);
      expectCodes(without, ['redshift/missing-schema-usage']);
      const withPublic = await lint(`${REDSHIFT}
manage: { schemas: [public] }
public:
  privileges:
    schemas: [{ schema: public, privileges: [usage] }]
    tables: [{ schema: public, allTables: true, privileges: [select] }]
roles:
  - name: r
    privileges:
      tables: [{ schema: public, allTables: true, privileges: [insert] }]`);
      expectCodes(withPublic, []);
    });

    it('stays quiet when a role the policy does not manage may provide it', async () => {
      const result = await lint(`${REDSHIFT}
manage: { schemas: [sales], ignorePrincipals: [legacy_reader] }
users:
  - name: ann
    roles: [legacy_reader]
    privileges:
      tables: [{ schema: sales, allTables: true, privileges: [select] }]
  - name: dba
    roles: [sys:dba]
    privileges:
      tables: [{ schema: sales, allTables: true, privileges: [select] }]`);
      expect(result.diagnostics).toEqual([]);
    });
  });

  describe('reserved and system names', () => {
    it('redshift/reserved-name: public, rdsdb on redshift, pg_ on postgres', async () => {
      const rs = await lint(`${REDSHIFT}\nroles:\n  - name: PUBLIC\nusers:\n  - name: rdsdb`);
      expect(rs.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual(
        ['PUBLIC', 'rdsdb'].map((n) => ['redshift/reserved-name', positionOf(rs.text, n).line, positionOf(rs.text, n).column]),
      );
      const pg = await lint(`${POSTGRES}\nroles:\n  - name: pg_monitor_copy`);
      const d = expectOne(pg, 'redshift/reserved-name', 'error', 'pg_monitor_copy');
      expect(d.message).toContain('pg_');
    });

    it('redshift/system-schema-managed', async () => {
      const result = await lint(`${REDSHIFT}\nmanage: { schemas: [sales, pg_catalog] }`);
      expectOne(result, 'redshift/system-schema-managed', 'warning', 'pg_catalog');
    });
  });

  describe('redshift/duplicate-database', () => {
    it('is an error on the second policy for the same database', async () => {
      const first = envelope(`${REDSHIFT}\nroles:\n  - name: a`, 'one');
      const second = envelope(`connection:
  dialect: redshift
  dataApi: { clusterIdentifier: examplecluster, database: DEV, secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x" }`, 'two');
      const third = envelope(`connection:
  dialect: redshift
  dataApi: { clusterIdentifier: examplecluster, database: dev, dbUser: awsuser, region: eu-west-1 }`, 'three');
      const text = `${first}---\n${second}---\n${third}`;
      const diagnostics = await lintYaml(text);
      expect(diagnostics.map((d) => [d.code, d.severity, d.line, d.column, d.policy])).toEqual([
        ['redshift/duplicate-database', 'error', positionOf(text, 'DEV').line, positionOf(text, 'DEV').column, 'RedshiftGrants/two'],
      ]);
      expect(diagnostics[0].message).toContain(`"one" (${FILE}:`);
    });

    it('compares urlFromEnv by variable name', async () => {
      const text = `${envelope(POSTGRES, 'one')}---\n${envelope(POSTGRES, 'two')}---\n${envelope(POSTGRES.replace('DATABASE_URL', 'OTHER_URL'), 'three')}`;
      const diagnostics = await lintYaml(text);
      expect(diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['redshift/duplicate-database', positionOf(text, 'DATABASE_URL', 2).line, positionOf(text, 'DATABASE_URL', 2).column]]);
    });
  });
});

describe('principalMatcher (manage.ignorePrincipals)', () => {
  it('matches globs against whole names', () => {
    const match = principalMatcher(['oauth_aad:*', 'etl_?', 'svc_[a-c]x', 'r[!0-9]', '{bi,ml}_{ro,rw}', 'lit\\*', 'a.b', '{open'], 'redshift');
    expect(match('oauth_aad:alice@example.com')).toBe('oauth_aad:*');
    expect(match('OAUTH_AAD:group/with/slash')).toBe('oauth_aad:*');
    expect(match('etl_1')).toBe('etl_?');
    expect(match('etl_12')).toBeUndefined();
    expect(match('svc_bx')).toBe('svc_[a-c]x');
    expect(match('svc_dx')).toBeUndefined();
    expect(match('rx')).toBe('r[!0-9]');
    expect(match('r1')).toBeUndefined();
    expect(match('ml_rw')).toBe('{bi,ml}_{ro,rw}');
    expect(match('bi_rx')).toBeUndefined();
    expect(match('lit*')).toBe('lit\\*');
    expect(match('litx')).toBeUndefined();
    expect(match('a.b')).toBe('a.b');
    expect(match('axb')).toBeUndefined();
    expect(match('{open')).toBe('{open');
    expect(match('xoauth_aad:a')).toBeUndefined();
  });

  it('is case-sensitive on postgres', () => {
    const match = principalMatcher(['etl_*'], 'postgres');
    expect(match('etl_a')).toBe('etl_*');
    expect(match('ETL_a')).toBeUndefined();
  });
});

describe('docs/diagnostics-redshift.md', () => {
  it('documents every redshift/* code the provider raises, and no other', () => {
    const docs = readFileSync(join(repoRoot, 'docs/diagnostics-redshift.md'), 'utf8');
    const documented = new Set([...docs.matchAll(/^\| `(redshift\/[a-z-]+)` \|/gm)].map((m) => m[1]));
    const dir = join(repoRoot, 'src/providers/redshift');
    const raised = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      for (const m of source.matchAll(/'(redshift\/[a-z-]+)'/g)) raised.add(m[1]);
      // lint.ts adds the prefix itself: this.add(path, '<code>', '<severity>', …), plus duplicate-${kind}.
      if (file === 'lint.ts') {
        for (const m of source.matchAll(/'([a-z-]+)',\s*'(?:error|warning|notice)'/g)) raised.add(`redshift/${m[1]}`);
        if (source.includes('`duplicate-${kind}`')) ['role', 'user'].forEach((k) => raised.add(`redshift/duplicate-${k}`));
      }
    }
    expect(raised.size).toBeGreaterThan(30);
    expect([...raised].filter((c) => !documented.has(c)).sort()).toEqual([]);
    expect([...documented].filter((c) => !raised.has(c)).sort()).toEqual([]);
  });
});
