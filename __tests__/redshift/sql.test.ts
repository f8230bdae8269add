/**
 * Golden SQL: every statement form Charter sends, per dialect, exactly as Redshift's and PostgreSQL's
 * documented syntax spells it (../shared/reference/redshift.md).
 */
import { describe, expect, it } from 'vitest';
import {
  alterExternalIdSql,
  alterIdpEnabledSql,
  alterIdpNamespaceSql,
  alterIdpParametersSql,
  alterLoginSql,
  alterPasswordSql,
  alterUserAttributeSql,
  columnPrivilegeSql,
  createIdpSql,
  createPrincipalSql,
  dropIdpSql,
  dropPrincipalSql,
  membershipSql,
  privilegeSql,
  PUBLIC_GRANTEE,
  parseSignature,
  quoteIdent,
  quoteLiteral,
  routineArgs,
  secretForms,
  userAttributeOptions,
  withPassword,
  withSecret,
} from '../../src/providers/redshift/sql.js';
import { parseStatement } from '../../src/sandbox/redshift/parser.js';
import { md5Verifier, passwordToSend, scramVerifier, verifies } from '../../src/providers/redshift/password.js';

const role = { name: 'sales_ro', kind: 'role' as const };
const user = { name: 'oauth_aad:alice@example.com', kind: 'user' as const };
const idp = { issuer: 'https://sts.windows.net/e12b1bb1-1111-4a6f-9a1b-1b1b1b1b1b1b/', clientId: '5ab12345-1234-1a12-123a-11abc1a12ab1', audience: ['api://991abc78-78ab-4ad8-a123-zf123ab03612p'] };

describe('quoting', () => {
  it('always double-quotes identifiers and doubles embedded quotes', () => {
    expect(quoteIdent('sales')).toBe('"sales"');
    expect(quoteIdent('x"; DROP TABLE t; --')).toBe('"x""; DROP TABLE t; --"');
    expect(quoteIdent('Mixed Case')).toBe('"Mixed Case"');
  });
  it("single-quotes literals and doubles '", () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    // Redshift treats a backslash in a literal as an escape: a trailing one would otherwise swallow the closing quote.
    expect(quoteLiteral('a\\')).toBe("'a\\\\'");
    expect(quoteLiteral("\\'; DROP TABLE t; --")).toBe("'\\\\''; DROP TABLE t; --'");
  });
});

describe('column privileges', () => {
  const cols = new Map([
    ['update', ['email']],
    ['select', ['id', 'Name', 'x"y']],
  ]);
  it('one statement per table, each privilege with its own column list, privileges in canonical order (Redshift and PostgreSQL GRANT syntax)', () => {
    expect(columnPrivilegeSql('redshift', 'grant', 'sales', 'customers', cols, role)).toBe('GRANT SELECT ("id", "Name", "x""y"), UPDATE ("email") ON TABLE "sales"."customers" TO ROLE "sales_ro"');
    expect(columnPrivilegeSql('redshift', 'revoke', 'sales', 'customers', cols, user)).toBe('REVOKE SELECT ("id", "Name", "x""y"), UPDATE ("email") ON TABLE "sales"."customers" FROM "oauth_aad:alice@example.com"');
    expect(columnPrivilegeSql('postgres', 'grant', 'sales', 'customers', new Map([['references', ['id']], ['insert', ['id']]]), { name: 'app', kind: 'user' })).toBe('GRANT INSERT ("id"), REFERENCES ("id") ON TABLE "sales"."customers" TO "app"');
    expect(columnPrivilegeSql('postgres', 'revoke', 'sales', 'customers', new Map([['select', ['email']]]), PUBLIC_GRANTEE)).toBe('REVOKE SELECT ("email") ON TABLE "sales"."customers" FROM PUBLIC');
    expect(privilegeSql('redshift', 'grant', { type: 'column', schema: 's', table: 't', column: 'c' }, ['update', 'select'], role)).toBe('GRANT SELECT ("c"), UPDATE ("c") ON TABLE "s"."t" TO ROLE "sales_ro"');
  });
  it('the Redshift forms parse in the sandbox as column grants', () => {
    const st = parseStatement(columnPrivilegeSql('redshift', 'grant', 'sales', 'customers', cols, role));
    expect(st).toMatchObject({ kind: 'columnPrivilege', action: 'grant', privileges: [{ privilege: 'SELECT', columns: ['id', 'name', 'x"y'] }, { privilege: 'UPDATE', columns: ['email'] }], grantees: [{ type: 'role', name: 'sales_ro' }] });
    expect(() => parseStatement('GRANT INSERT ("id") ON TABLE "sales"."customers" TO ROLE "r"')).toThrow(/invalid privilege type INSERT for column/);
    expect(() => parseStatement('GRANT SELECT ("id") ON ALL TABLES IN SCHEMA "sales" TO ROLE "r"')).toThrow(/syntax error/);
  });
});

describe('functions and procedures', () => {
  const fn = { type: 'routine' as const, kind: 'function' as const, schema: 'sales', name: 'f_mask', args: 'character varying, integer' };
  it('EXECUTE ON FUNCTION / PROCEDURE with the argument types unquoted (only letters, digits, _, spaces and commas pass)', () => {
    expect(privilegeSql('redshift', 'grant', fn, ['execute'], role)).toBe('GRANT EXECUTE ON FUNCTION "sales"."f_mask"(character varying, integer) TO ROLE "sales_ro"');
    expect(privilegeSql('postgres', 'revoke', { ...fn, kind: 'procedure', name: 'refresh', args: '' }, ['execute'], PUBLIC_GRANTEE)).toBe('REVOKE EXECUTE ON PROCEDURE "sales"."refresh"() FROM PUBLIC');
    expect(routineArgs(' Character  Varying ,INTEGER ')).toBe('character varying, integer');
    expect(parseSignature('My "Fn"(text)')).toEqual({ name: 'My "Fn"', args: 'text' });
    expect(parseSignature('f(text); DROP TABLE t; --)')).toBeUndefined();
    expect(() => privilegeSql('redshift', 'grant', { ...fn, args: "text); DROP TABLE t; --" }, ['execute'], role)).toThrow(/unexpected characters/);
  });
  it('the Redshift forms parse in the sandbox', () => {
    expect(parseStatement(privilegeSql('redshift', 'revoke', fn, ['execute'], user))).toMatchObject({ kind: 'functionPrivilege', action: 'revoke', routineKind: 'function', routines: [{ schema: 'sales', name: 'f_mask', args: 'character varying, integer' }] });
    expect(parseStatement('GRANT EXECUTE ON PROCEDURE "sales"."refresh"() TO ROLE "r"')).toMatchObject({ kind: 'functionPrivilege', routineKind: 'procedure', routines: [{ name: 'refresh', args: '' }] });
    expect(() => parseStatement('GRANT SELECT ON FUNCTION f(int) TO ROLE r')).toThrow(/invalid privilege type SELECT for function/);
  });
});

describe('admin option', () => {
  it('WITH ADMIN OPTION on a grant, REVOKE ADMIN OPTION FOR keeps the membership; the Redshift forms parse in the sandbox', () => {
    expect(membershipSql('redshift', 'grant', 'db_admin', { name: 'dbadmin', kind: 'user' }, true)).toBe('GRANT ROLE "db_admin" TO "dbadmin" WITH ADMIN OPTION');
    expect(membershipSql('redshift', 'revoke', 'db_admin', { name: 'dbadmin', kind: 'user' }, true)).toBe('REVOKE ADMIN OPTION FOR ROLE "db_admin" FROM "dbadmin"');
    expect(membershipSql('postgres', 'grant', 'ro', { name: 'lead', kind: 'role' }, true)).toBe('GRANT "ro" TO "lead" WITH ADMIN OPTION');
    expect(membershipSql('postgres', 'revoke', 'ro', { name: 'lead', kind: 'role' }, true)).toBe('REVOKE ADMIN OPTION FOR "ro" FROM "lead"');
    expect(parseStatement('REVOKE ADMIN OPTION FOR ROLE "db_admin" FROM "dbadmin"')).toMatchObject({ kind: 'roleGrant', action: 'revoke', adminOptionOnly: true });
    expect(parseStatement('GRANT ROLE "db_admin" TO "dbadmin" WITH ADMIN OPTION')).toMatchObject({ kind: 'roleGrant', grantees: [{ name: 'dbadmin', withOption: true }] });
  });
});

describe('user attributes', () => {
  const all = { createdb: true, connectionLimit: 'unlimited' as const, syslogAccess: 'unrestricted' as const };
  it('CREATE USER options and one ALTER per attribute; PostgreSQL spells unlimited -1 and has no SYSLOG ACCESS', () => {
    expect(createPrincipalSql('redshift', { ...user, attributes: all })).toBe('CREATE USER "oauth_aad:alice@example.com" PASSWORD DISABLE CREATEDB CONNECTION LIMIT UNLIMITED SYSLOG ACCESS UNRESTRICTED');
    expect(createPrincipalSql('postgres', { name: 'etl', kind: 'user', password: true, attributes: { createdb: false, connectionLimit: 0 } })).toBe(`CREATE ROLE "etl" LOGIN PASSWORD '***' NOCREATEDB CONNECTION LIMIT 0`);
    expect(userAttributeOptions('postgres', all)).toEqual(['CREATEDB', 'CONNECTION LIMIT -1']);
    expect(alterUserAttributeSql('redshift', 'dbadmin', 'SYSLOG ACCESS RESTRICTED')).toBe('ALTER USER "dbadmin" SYSLOG ACCESS RESTRICTED');
    expect(alterUserAttributeSql('postgres', 'etl', 'CONNECTION LIMIT 5')).toBe('ALTER ROLE "etl" CONNECTION LIMIT 5');
    expect(() => userAttributeOptions('redshift', { connectionLimit: 1.5 })).toThrow(/non-negative integer/);
    for (const option of userAttributeOptions('redshift', all)) expect(parseStatement(alterUserAttributeSql('redshift', 'dbadmin', option)).kind).toBe('alterUser');
  });
});

describe('Redshift statements', () => {
  const d = 'redshift' as const;
  it('roles and users', () => {
    expect(createPrincipalSql(d, role)).toBe('CREATE ROLE "sales_ro"');
    expect(createPrincipalSql(d, { ...role, externalId: 'ABC123' })).toBe('CREATE ROLE "sales_ro" EXTERNALID "ABC123"');
    expect(createPrincipalSql(d, user)).toBe('CREATE USER "oauth_aad:alice@example.com" PASSWORD DISABLE');
    expect(alterExternalIdSql('sales_ro', 'ABC124')).toBe('ALTER ROLE "sales_ro" EXTERNALID TO "ABC124"');
    expect(dropPrincipalSql(d, role)).toBe('DROP ROLE "sales_ro" RESTRICT');
    expect(dropPrincipalSql(d, user)).toBe('DROP USER "oauth_aad:alice@example.com"');
  });
  it('role memberships', () => {
    expect(membershipSql(d, 'grant', 'sales_ro', { name: 'sales_rw', kind: 'role' })).toBe('GRANT ROLE "sales_ro" TO ROLE "sales_rw"');
    expect(membershipSql(d, 'grant', 'sys:dba', { name: 'db_admin', kind: 'role' })).toBe('GRANT ROLE "sys:dba" TO ROLE "db_admin"');
    expect(membershipSql(d, 'grant', 'db_admin', { name: 'dbadmin', kind: 'user' })).toBe('GRANT ROLE "db_admin" TO "dbadmin"');
    expect(membershipSql(d, 'revoke', 'sales_ro', { name: 'sales_rw', kind: 'role' })).toBe('REVOKE ROLE "sales_ro" FROM ROLE "sales_rw"');
    expect(membershipSql(d, 'revoke', 'db_admin', { name: 'dbadmin', kind: 'user' })).toBe('REVOKE ROLE "db_admin" FROM "dbadmin"');
  });
  it('system privileges', () => {
    expect(privilegeSql(d, 'grant', { type: 'system' }, ['TRUNCATE TABLE'], { name: 'sales_rw', kind: 'role' })).toBe('GRANT TRUNCATE TABLE TO ROLE "sales_rw"');
    expect(privilegeSql(d, 'grant', { type: 'system' }, ['TRUNCATE TABLE', 'ANALYZE'], { name: 'db_admin', kind: 'role' })).toBe('GRANT ANALYZE, TRUNCATE TABLE TO ROLE "db_admin"');
    expect(privilegeSql(d, 'revoke', { type: 'system' }, ['DROP ROLE'], { name: 'db_admin', kind: 'role' })).toBe('REVOKE DROP ROLE FROM ROLE "db_admin"');
  });
  it('schema, table and all-tables privileges', () => {
    expect(privilegeSql(d, 'grant', { type: 'schema', schema: 'sales' }, ['usage'], role)).toBe('GRANT USAGE ON SCHEMA "sales" TO ROLE "sales_ro"');
    expect(privilegeSql(d, 'grant', { type: 'schema', schema: 'sales' }, ['create', 'usage'], user)).toBe('GRANT USAGE, CREATE ON SCHEMA "sales" TO "oauth_aad:alice@example.com"');
    expect(privilegeSql(d, 'revoke', { type: 'schema', schema: 'sales' }, ['create'], role)).toBe('REVOKE CREATE ON SCHEMA "sales" FROM ROLE "sales_ro"');
    expect(privilegeSql(d, 'grant', { type: 'table', schema: 'sales', table: null }, ['select'], role)).toBe('GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO ROLE "sales_ro"');
    expect(privilegeSql(d, 'grant', { type: 'table', schema: 'sales', table: null }, ['delete', 'insert', 'update', 'drop', 'alter', 'truncate'], { name: 'sales_rw', kind: 'role' })).toBe(
      'GRANT INSERT, UPDATE, DELETE, TRUNCATE, DROP, ALTER ON ALL TABLES IN SCHEMA "sales" TO ROLE "sales_rw"',
    );
    expect(privilegeSql(d, 'revoke', { type: 'table', schema: 'sales', table: null }, ['insert'], role)).toBe('REVOKE INSERT ON ALL TABLES IN SCHEMA "sales" FROM ROLE "sales_ro"');
    expect(privilegeSql(d, 'grant', { type: 'table', schema: 'sales', table: 'orders' }, ['select', 'references'], user)).toBe('GRANT SELECT, REFERENCES ON TABLE "sales"."orders" TO "oauth_aad:alice@example.com"');
    expect(privilegeSql(d, 'revoke', { type: 'table', schema: 'sales', table: 'orders' }, ['select'], user)).toBe('REVOKE SELECT ON TABLE "sales"."orders" FROM "oauth_aad:alice@example.com"');
  });
  it('default privileges for future tables', () => {
    expect(privilegeSql(d, 'grant', { type: 'future', schema: 'sales', owner: 'etl' }, ['select'], role)).toBe('ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" GRANT SELECT ON TABLES TO ROLE "sales_ro"');
    expect(privilegeSql(d, 'revoke', { type: 'future', schema: 'sales', owner: 'etl' }, ['insert', 'select'], user)).toBe(
      'ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" REVOKE SELECT, INSERT ON TABLES FROM "oauth_aad:alice@example.com"',
    );
  });
  it('identity providers, with the secret as a placeholder until apply', () => {
    const create = createIdpSql('oauth_standard', 'azure', 'oauth_aad', idp);
    expect(create).toBe(
      `CREATE IDENTITY PROVIDER "oauth_standard" TYPE azure NAMESPACE 'oauth_aad' PARAMETERS '{"issuer":"https://sts.windows.net/e12b1bb1-1111-4a6f-9a1b-1b1b1b1b1b1b/","client_id":"5ab12345-1234-1a12-123a-11abc1a12ab1","client_secret":"***","audience":["api://991abc78-78ab-4ad8-a123-zf123ab03612p"]}'`,
    );
    expect(alterIdpParametersSql('oauth_standard', idp)).toBe(
      `ALTER IDENTITY PROVIDER "oauth_standard" PARAMETERS '{"issuer":"https://sts.windows.net/e12b1bb1-1111-4a6f-9a1b-1b1b1b1b1b1b/","client_id":"5ab12345-1234-1a12-123a-11abc1a12ab1","client_secret":"***","audience":["api://991abc78-78ab-4ad8-a123-zf123ab03612p"]}'`,
    );
    expect(alterIdpNamespaceSql('oauth_standard', 'aad')).toBe(`ALTER IDENTITY PROVIDER "oauth_standard" NAMESPACE 'aad'`);
    expect(alterIdpEnabledSql('oauth_standard', false)).toBe('ALTER IDENTITY PROVIDER "oauth_standard" DISABLE');
    expect(alterIdpEnabledSql('oauth_standard', true)).toBe('ALTER IDENTITY PROVIDER "oauth_standard" ENABLE');
    expect(dropIdpSql('oauth_standard')).toBe('DROP IDENTITY PROVIDER "oauth_standard"');
    // The secret is JSON-escaped, then SQL-escaped, and replaces only the placeholder field.
    // Redshift reads backslashes in a literal as escapes, so JSON's backslashes are doubled once more.
    expect(withSecret(create, `K~"q'\\z`)).toContain(`"client_secret":"K~\\\\"q''\\\\\\\\z","audience"`);
    expect(withSecret(create, 's')).not.toContain('***');
    // Redaction also knows the secret in the escaped form a statement (and an error echoing it) carries.
    const sent = withSecret(create, `K~"q'\\z`);
    expect(secretForms(`K~"q'\\z`).some((f) => sent.includes(`"client_secret":"${f}"`))).toBe(true);
    const tricky = createIdpSql('p', 'azure', 'ns', { ...idp, clientId: '","client_secret":"***' });
    expect(withSecret(tricky, 'REAL')).toContain('"client_id":"\\\\",\\\\"client_secret\\\\":\\\\"***","client_secret":"REAL"');
  });
});

describe('PostgreSQL statements', () => {
  const d = 'postgres' as const;
  it('roles and users (users are roles with LOGIN)', () => {
    expect(createPrincipalSql(d, role)).toBe('CREATE ROLE "sales_ro"');
    expect(createPrincipalSql(d, { name: 'analyst', kind: 'user' })).toBe('CREATE ROLE "analyst" LOGIN');
    expect(alterLoginSql('analyst', true)).toBe('ALTER ROLE "analyst" LOGIN');
    expect(alterLoginSql('analyst', false)).toBe('ALTER ROLE "analyst" NOLOGIN');
    expect(dropPrincipalSql(d, role)).toBe('DROP ROLE "sales_ro"');
    expect(dropPrincipalSql(d, { name: 'analyst', kind: 'user' })).toBe('DROP ROLE "analyst"');
  });
  it('memberships have no ROLE keyword', () => {
    expect(membershipSql(d, 'grant', 'sales_ro', { name: 'sales_rw', kind: 'role' })).toBe('GRANT "sales_ro" TO "sales_rw"');
    expect(membershipSql(d, 'grant', 'sales_ro', { name: 'analyst', kind: 'user' })).toBe('GRANT "sales_ro" TO "analyst"');
    expect(membershipSql(d, 'revoke', 'sales_ro', { name: 'analyst', kind: 'user' })).toBe('REVOKE "sales_ro" FROM "analyst"');
  });
  it('object privileges and default privileges', () => {
    expect(privilegeSql(d, 'grant', { type: 'schema', schema: 'sales' }, ['usage', 'create'], role)).toBe('GRANT USAGE, CREATE ON SCHEMA "sales" TO "sales_ro"');
    expect(privilegeSql(d, 'revoke', { type: 'schema', schema: 'sales' }, ['usage'], role)).toBe('REVOKE USAGE ON SCHEMA "sales" FROM "sales_ro"');
    expect(privilegeSql(d, 'grant', { type: 'table', schema: 'sales', table: null }, ['trigger', 'select'], role)).toBe('GRANT SELECT, TRIGGER ON ALL TABLES IN SCHEMA "sales" TO "sales_ro"');
    expect(privilegeSql(d, 'revoke', { type: 'table', schema: 'sales', table: 'orders' }, ['truncate'], role)).toBe('REVOKE TRUNCATE ON TABLE "sales"."orders" FROM "sales_ro"');
    expect(privilegeSql(d, 'grant', { type: 'future', schema: 'sales', owner: 'etl' }, ['select'], role)).toBe('ALTER DEFAULT PRIVILEGES FOR ROLE "etl" IN SCHEMA "sales" GRANT SELECT ON TABLES TO "sales_ro"');
    expect(privilegeSql(d, 'revoke', { type: 'future', schema: 'sales', owner: 'etl' }, ['select'], role)).toBe('ALTER DEFAULT PRIVILEGES FOR ROLE "etl" IN SCHEMA "sales" REVOKE SELECT ON TABLES FROM "sales_ro"');
  });
});

describe('PUBLIC and passwords', () => {
  it('PUBLIC is the keyword, never a quoted name, in both dialects', () => {
    for (const d of ['redshift', 'postgres'] as const) {
      expect(privilegeSql(d, 'revoke', { type: 'schema', schema: 'marketing' }, ['usage', 'create'], PUBLIC_GRANTEE)).toBe('REVOKE USAGE, CREATE ON SCHEMA "marketing" FROM PUBLIC');
      expect(privilegeSql(d, 'grant', { type: 'table', schema: 'marketing', table: 'region' }, ['select'], PUBLIC_GRANTEE)).toBe('GRANT SELECT ON TABLE "marketing"."region" TO PUBLIC');
    }
    expect(privilegeSql('redshift', 'revoke', { type: 'future', schema: 's', owner: 'etl' }, ['select'], PUBLIC_GRANTEE)).toBe('ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "s" REVOKE SELECT ON TABLES FROM PUBLIC');
  });

  it('passwords: a placeholder in every plan, the hash form only when sent', () => {
    expect(createPrincipalSql('redshift', { name: 'salesanalyst', kind: 'user', password: true })).toBe(`CREATE USER "salesanalyst" PASSWORD '***'`);
    expect(createPrincipalSql('postgres', { name: 'salesanalyst', kind: 'user', password: true })).toBe(`CREATE ROLE "salesanalyst" LOGIN PASSWORD '***'`);
    expect(alterPasswordSql('redshift', 'u', true)).toBe(`ALTER USER "u" PASSWORD '***'`);
    expect(alterPasswordSql('redshift', 'u', false)).toBe('ALTER USER "u" PASSWORD DISABLE');
    expect(alterPasswordSql('postgres', 'u', true)).toBe(`ALTER ROLE "u" PASSWORD '***'`);
    expect(alterPasswordSql('postgres', 'u', false)).toBe('ALTER ROLE "u" PASSWORD NULL');
    // Redshift's documented MD5 form: md5 + MD5(password + user name), the name lower-cased as Redshift stores it.
    expect(md5Verifier('User1', 'ez', 'redshift')).toBe('md5' + '153c434b4b77c89e6b94f12c5393af5b');
    expect(passwordToSend('redshift', 'User1', 'ez')).toBe(md5Verifier('user1', 'ez', 'redshift'));
    expect(withPassword(`ALTER USER "u" PASSWORD '***'`, 'md5153c434b4b77c89e6b94f12c5393af5b')).toBe(`ALTER USER "u" PASSWORD 'md5153c434b4b77c89e6b94f12c5393af5b'`);
    expect(() => withPassword(`ALTER USER "u" PASSWORD '***'`, "x'; DROP USER u; --")).toThrow(/unexpected characters/);
  });

  it('SCRAM-SHA-256 verifiers: RFC 7677 test vector, round trip, and forms that cannot be checked', () => {
    // RFC 7677 §3: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    const v = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    expect(v).toBe('SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
    expect(verifies(v, 'postgres', 'any', 'pencil')).toBe(true);
    expect(verifies(v, 'postgres', 'any', 'pencil2')).toBe(false);
    expect(verifies(scramVerifier('Secret-1'), 'postgres', 'u', 'Secret-1')).toBe(true);
    expect(verifies('md5153c434b4b77c89e6b94f12c5393af5b', 'redshift', 'user1', 'ez')).toBe(true);
    expect(verifies('sha256|abc|def', 'redshift', 'user1', 'ez')).toBeUndefined();
    expect(verifies('********', 'redshift', 'user1', 'ez')).toBeUndefined();
  });
});

describe('redaction', () => {
  it('removes a connection URL, its password (also percent-decoded) and client secrets from messages', async () => {
    const { redact, urlSecrets } = await import('../../src/providers/redshift/executor.js');
    const url = 'postgres://charter:p%40ss%2Fw0rd!@db.internal:5432/analytics';
    const secrets = [...urlSecrets(url), 'KiG7Q~FEDnE'];
    const message = `connect ${url} failed for password p@ss/w0rd! and p%40ss%2Fw0rd! (secret KiG7Q~FEDnE)`;
    const clean = redact(message, secrets);
    expect(clean).toBe('connect *** failed for password *** and *** (secret ***)');
  });
});
