/**
 * The desired state of one RedshiftGrants policy, normalised: names keyed the way the database compares
 * them (lower-cased on Redshift), privileges expanded to one row per (grantee, target, privilege).
 */
import type { PathSegment, PolicyDocument } from '../../core/document.js';
import { nameKey, principalMatcher, type Dialect } from './rules.js';
import { parseSignature, PUBLIC_NAME, validUntilValue, type GranteeKind, type IdentityProviderParams, type PrincipalKind, type PrivilegeTarget, type UserAttributes } from './sql.js';
import type { Privileges, RedshiftGrantsSpec } from './spec.generated.js';

export interface DesiredPrincipal {
  name: string;
  kind: PrincipalKind;
  path: PathSegment[];
  externalId?: string;
  /** Users only: a password from this variable, or none at all; undefined leaves the password alone. */
  password?: { env: string } | 'disabled';
  /** Users only: the attributes the policy declares (the others are left alone). */
  attributes?: UserAttributes;
}

export interface DesiredMembership {
  role: string;
  member: string;
  memberKind: PrincipalKind;
  /** Granted WITH ADMIN OPTION (withAdminOption lists the role). */
  admin: boolean;
  path: PathSegment[];
}

export interface DesiredPrivilege {
  /** PUBLIC_NAME for PUBLIC. */
  grantee: string;
  granteeKind: GranteeKind;
  target: PrivilegeTarget;
  privilege: string;
  /** Held WITH GRANT OPTION (schema, table, routine and database privileges only). */
  grantOption?: boolean;
  path: PathSegment[];
}

export interface DesiredIdentityProvider {
  name: string;
  type: string;
  namespace: string;
  params: IdentityProviderParams;
  secretEnv: string;
  enabled: boolean;
  path: PathSegment[];
}

export interface Desired {
  dialect: Dialect;
  key: (name: string) => string;
  /** The key a grantee is compared by: PUBLIC's cannot equal any role's or user's. */
  granteeKey: (name: string, kind: GranteeKind) => string;
  /** By key. */
  principals: Map<string, DesiredPrincipal>;
  memberships: DesiredMembership[];
  privileges: DesiredPrivilege[];
  identityProviders: Map<string, DesiredIdentityProvider>;
  /** Where PUBLIC's privileges are declared, or would be: plans point revokes from PUBLIC there. */
  publicPath: PathSegment[];
  /** Keys of the schemas whose privileges Charter manages. */
  managedSchemas: Set<string>;
  ignored: (name: string) => boolean;
  allowDrops: boolean;
  /** manage.database: the database's privileges are a contract (PUBLIC and undeclared principals included). */
  manageDatabase: boolean;
}

/** NUL cannot occur in an identifier, so PUBLIC's key never equals a role's (PostgreSQL allows a role "PUBLIC"). */
export const PUBLIC_KEY = '\u0000public';

export function granteeKeyOf(key: (name: string) => string): (name: string, kind: GranteeKind) => string {
  return (name, kind) => (kind === 'public' ? PUBLIC_KEY : key(name));
}

/** manage.ignorePrincipals as a predicate (rules.ts holds the glob syntax lint and runtime share). */
export function ignoreMatcher(patterns: readonly string[], dialect: Dialect): (name: string) => boolean {
  if (!patterns.length) return () => false;
  const match = principalMatcher(patterns, dialect);
  return (name) => match(name) !== undefined;
}

/** Whether an entry's withGrantOption (true, or a list of its privileges) covers this privilege. */
function withOption(option: true | string[] | undefined, privilege: string): boolean {
  return option === true || (Array.isArray(option) && option.includes(privilege));
}

function expandPrivileges(
  out: DesiredPrivilege[],
  grantee: string,
  granteeKind: GranteeKind,
  privileges: Privileges | undefined,
  path: PathSegment[],
): void {
  if (!privileges) return;
  privileges.system?.forEach((privilege, i) => out.push({ grantee, granteeKind, target: { type: 'system' }, privilege, path: [...path, 'system', i] }));
  const databaseOption = new Set(privileges.databaseWithGrantOption ?? []);
  privileges.database?.forEach((privilege, i) => out.push({ grantee, granteeKind, target: { type: 'database', database: '' }, privilege, grantOption: databaseOption.has(privilege), path: [...path, 'database', i] }));
  privileges.datashareDatabases?.forEach((g, i) => {
    for (const privilege of g.privileges) out.push({ grantee, granteeKind, target: { type: 'sharedDatabase', database: g.database }, privilege, path: [...path, 'datashareDatabases', i] });
  });
  privileges.schemas?.forEach((g, i) => {
    for (const privilege of g.privileges) out.push({ grantee, granteeKind, target: { type: 'schema', schema: g.schema }, privilege, grantOption: withOption(g.withGrantOption, privilege), path: [...path, 'schemas', i] });
  });
  privileges.tables?.forEach((g, i) => {
    const tables: Array<string | null> = g.allTables ? [null] : (g.names ?? []);
    for (const table of tables) {
      for (const privilege of g.privileges) out.push({ grantee, granteeKind, target: { type: 'table', schema: g.schema, table }, privilege, grantOption: withOption(g.withGrantOption, privilege), path: [...path, 'tables', i] });
    }
  });
  privileges.columns?.forEach((g, i) => {
    for (const column of g.columns) {
      for (const privilege of g.privileges) {
        out.push({ grantee, granteeKind, target: { type: 'column', schema: g.schema, table: g.table, column }, privilege, path: [...path, 'columns', i] });
      }
    }
  });
  for (const kind of ['function', 'procedure'] as const) {
    const list = kind === 'function' ? privileges.functions : privileges.procedures;
    list?.forEach((g, i) => {
      if (g.allInSchema) {
        for (const privilege of g.privileges) {
          out.push({ grantee, granteeKind, target: { type: 'allRoutines', kind, schema: g.schema }, privilege, grantOption: withOption(g.withGrantOption, privilege), path: [...path, kind === 'function' ? 'functions' : 'procedures', i] });
        }
        return;
      }
      (g.names ?? []).forEach((signature, j) => {
        // Lint reports a malformed signature; the policy cannot be planned with one.
        const sig = parseSignature(signature);
        if (!sig) return;
        for (const privilege of g.privileges) {
          out.push({ grantee, granteeKind, target: { type: 'routine', kind, schema: g.schema, name: sig.name, args: sig.args }, privilege, grantOption: withOption(g.withGrantOption, privilege), path: [...path, kind === 'function' ? 'functions' : 'procedures', i, 'names', j] });
        }
      });
    });
  }
  for (const objects of ['functions', 'procedures'] as const) {
    (objects === 'functions' ? privileges.futureFunctions : privileges.futureProcedures)?.forEach((g, i) => {
      for (const privilege of g.privileges) {
        out.push({ grantee, granteeKind, target: { type: 'future', schema: g.schema, owner: g.owner, objects }, privilege, path: [...path, objects === 'functions' ? 'futureFunctions' : 'futureProcedures', i] });
      }
    });
  }
  privileges.scopedTables?.forEach((g, i) => {
    for (const privilege of g.privileges) out.push({ grantee, granteeKind, target: { type: 'scoped', schema: g.schema, objects: 'tables' }, privilege, path: [...path, 'scopedTables', i] });
  });
  privileges.scopedFunctions?.forEach((g, i) => {
    for (const privilege of g.privileges) out.push({ grantee, granteeKind, target: { type: 'scoped', schema: g.schema, objects: 'functions' }, privilege, path: [...path, 'scopedFunctions', i] });
  });
  privileges.futureTables?.forEach((g, i) => {
    for (const privilege of g.privileges) {
      out.push({ grantee, granteeKind, target: { type: 'future', schema: g.schema, owner: g.owner }, privilege, path: [...path, 'futureTables', i] });
    }
  });
}

export function desiredState(doc: PolicyDocument<RedshiftGrantsSpec>): Desired {
  const spec = doc.spec;
  const dialect = spec.connection.dialect;
  const key = (name: string) => nameKey(name, dialect);
  const principals = new Map<string, DesiredPrincipal>();
  const memberships: DesiredMembership[] = [];
  const privileges: DesiredPrivilege[] = [];
  (spec.roles ?? []).forEach((r, i) => {
    const path = ['spec', 'roles', i];
    principals.set(key(r.name), { name: r.name, kind: 'role', path, externalId: r.externalId });
    const roleAdmin = new Set((r.withAdminOption ?? []).map(key));
    (r.memberOf ?? []).forEach((parent, j) => memberships.push({ role: parent, member: r.name, memberKind: 'role', admin: roleAdmin.has(key(parent)), path: [...path, 'memberOf', j] }));
    expandPrivileges(privileges, r.name, 'role', r.privileges, [...path, 'privileges']);
  });
  (spec.users ?? []).forEach((u, i) => {
    const path = ['spec', 'users', i];
    const password = u.password ? { env: u.password.fromEnv } : u.passwordDisabled ? ('disabled' as const) : undefined;
    const attributes: UserAttributes = {};
    if (u.createdb !== undefined) attributes.createdb = u.createdb;
    if (u.connectionLimit !== undefined) attributes.connectionLimit = u.connectionLimit;
    // SYSLOG ACCESS exists only on Redshift (lint reports it on postgres).
    if (u.syslogAccess !== undefined && dialect === 'redshift') attributes.syslogAccess = u.syslogAccess;
    // Lint reports a timestamp that is not a real date; it is then left out.
    const validUntil = u.validUntil === undefined ? undefined : validUntilValue(u.validUntil);
    if (validUntil !== undefined) attributes.validUntil = validUntil;
    principals.set(key(u.name), { name: u.name, kind: 'user', path, ...(password ? { password } : {}), ...(Object.keys(attributes).length ? { attributes } : {}) });
    const userAdmin = new Set((u.withAdminOption ?? []).map(key));
    (u.roles ?? []).forEach((role, j) => memberships.push({ role, member: u.name, memberKind: 'user', admin: userAdmin.has(key(role)), path: [...path, 'roles', j] }));
    expandPrivileges(privileges, u.name, 'user', u.privileges, [...path, 'privileges']);
  });
  if (spec.public?.privileges) {
    // PUBLIC has no system privileges (lint reports them); only its schema-scoped privileges are expanded.
    const { system: _system, ...scoped } = spec.public.privileges;
    void _system;
    expandPrivileges(privileges, PUBLIC_NAME, 'public', scoped, ['spec', 'public', 'privileges']);
  }
  const identityProviders = new Map<string, DesiredIdentityProvider>();
  (spec.identityProviders ?? []).forEach((p, i) => {
    identityProviders.set(key(p.name), {
      name: p.name,
      type: p.type,
      namespace: p.namespace,
      params: { issuer: p.issuer, clientId: p.clientId, audience: [...p.audience] },
      secretEnv: p.clientSecretFromEnv,
      enabled: p.enabled ?? true,
      path: ['spec', 'identityProviders', i],
    });
  });
  return {
    dialect,
    key,
    granteeKey: granteeKeyOf(key),
    principals,
    publicPath: spec.public ? ['spec', 'public'] : ['spec', 'manage', 'schemas'],
    memberships,
    privileges,
    identityProviders,
    managedSchemas: new Set((spec.manage?.schemas ?? []).map(key)),
    ignored: ignoreMatcher(spec.manage?.ignorePrincipals ?? [], dialect),
    allowDrops: spec.manage?.allowDrops ?? false,
    manageDatabase: spec.manage?.database ?? false,
  };
}
