/**
 * Live state from Redshift's SVV views: eleven simple `SELECT <columns> FROM <view>` queries whatever the
 * size, joined here in TypeScript. The views show every row only to superusers and to users holding
 * ACCESS SYSTEM TABLE (directly or through a role) — SVV_RELATION_PRIVILEGES only to superusers and users
 * with SYSLOG ACCESS UNRESTRICTED — so that is checked first: a partial view must fail the plan, not
 * turn into false drift.
 */
import type { Executor, Row } from './executor.js';
import { nameKey } from './rules.js';
import { PartialVisibilityError, type LiveIdentityProvider, type LivePrivilege, type LiveSchema, type LiveState } from './state.js';
import { PUBLIC_NAME, routineArgs, validUntilValue, type GranteeKind, type PrivilegeTarget } from './sql.js';

const SAFE_ARGS = /^[A-Za-z0-9_ ,]*$/;

/** System roles that carry ACCESS SYSTEM TABLE (sys:dba inherits sys:operator). */
const SEEING_ROLES = new Set(['sys:superuser', 'sys:operator', 'sys:monitor', 'sys:dba']);

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const truthy = (v: unknown) => v === true || v === 1 || v === 't' || v === 'true' || v === 'TRUE';
const lower = (v: unknown) => text(v).toLowerCase();

function identityKind(v: unknown): GranteeKind | undefined {
  const t = lower(v);
  // PUBLIC is a grantee like any other in managed schemas; groups are not Charter's.
  return t === 'user' ? 'user' : t === 'role' ? 'role' : t === 'public' ? 'public' : undefined;
}

/**
 * `passwords`: also read the users' password verifiers (PG_USER_INFO, superusers only), when the policy
 * declares passwords; `validUntil`: also read their VALID UNTIL (the same view, the same query).
 */
export async function readRedshift(db: Executor, managedSchemas: readonly string[], database: string | undefined, passwords = false, validUntil = false): Promise<LiveState> {
  const before = db.queryCount;
  const key = (n: string) => nameKey(n, 'redshift');
  // What decides visibility comes first; the rest only once the catalog is known to be complete.
  const [[who], users, grants, system] = await Promise.all([
    db.query('SELECT current_user'),
    db.query('SELECT user_name, user_id, superuser, syslog_access, createdb, connection_limit FROM svv_user_info'),
    // Both kinds of membership in one query: roles granted to users, and to roles.
    db.query(
      "SELECT user_name AS member_name, 'user' AS member_type, role_name, admin_option FROM svv_user_grants" +
        " UNION ALL SELECT role_name AS member_name, 'role' AS member_type, granted_role_name AS role_name, NULL::boolean AS admin_option FROM svv_role_grants",
    ),
    db.query('SELECT system_privilege, identity_id, identity_name, identity_type FROM svv_system_privileges'),
  ]);
  const userGrants = grants.filter((g) => lower(g.member_type) === 'user').map((g) => ({ user_name: g.member_name, role_name: g.role_name, admin_option: g.admin_option }));
  const roleGrants = grants.filter((g) => lower(g.member_type) === 'role').map((g) => ({ role_name: g.member_name, granted_role_name: g.role_name }));
  const currentUser = text(Object.values(who ?? {})[0]);
  checkVisibility(currentUser, users, userGrants, roleGrants, system);
  const userInfo = passwords || validUntil;
  if (userInfo && !truthy(users.find((u) => lower(u.user_name) === currentUser.toLowerCase())?.superuser)) {
    throw new PartialVisibilityError(`user ${JSON.stringify(currentUser)} cannot check ${passwords ? 'passwords' : 'VALID UNTIL'}: Redshift's PG_USER_INFO shows them only to superusers`);
  }

  const [roles, schemaPrivs, relationPrivs, tables, routines, defaults, idps, passwds] = await Promise.all([
    db.query('SELECT role_id, role_name, role_owner, external_id FROM svv_roles'),
    // Schema and database privileges in one query (privilege_scope DATABASE for the latter).
    db.query(
      'SELECT namespace_name, privilege_type, identity_name, identity_type, privilege_scope, admin_option FROM svv_schema_privileges' +
        " UNION ALL SELECT database_name AS namespace_name, privilege_type, identity_name, identity_type, 'DATABASE' AS privilege_scope, admin_option FROM svv_database_privileges",
    ),
    // Table, column and function privileges in one query (object_kind tells them apart; a function's name
    // and argument types stand in relation_name and column_name): the query count does not grow.
    db.query(
      // (SVV_COLUMN_PRIVILEGES has no admin_option column.)
      "SELECT 'table' AS object_kind, namespace_name, relation_name, NULL::varchar AS column_name, privilege_type, identity_name, identity_type, admin_option FROM svv_relation_privileges" +
        " UNION ALL SELECT 'column' AS object_kind, namespace_name, relation_name, column_name, privilege_type, identity_name, identity_type, NULL::boolean AS admin_option FROM svv_column_privileges" +
        " UNION ALL SELECT 'function' AS object_kind, namespace_name, function_name AS relation_name, argument_types AS column_name, privilege_type, identity_name, identity_type, admin_option FROM svv_function_privileges",
    ),
    db.query('SELECT database_name, schema_name, table_name, table_type FROM svv_all_tables'),
    db.query('SELECT database_name, schema_name, function_name, function_type, argument_type FROM svv_redshift_functions'),
    db.query('SELECT schema_name, object_type, owner_id, owner_name, owner_type, privilege_type, grantee_id, grantee_name, grantee_type, admin_option FROM svv_default_privileges'),
    db.query('SELECT name, type, instanceid, namespc, params, enabled FROM svv_identity_providers'),
    userInfo ? db.query('SELECT usename, passwd, valuntil FROM pg_user_info') : Promise.resolve(undefined),
  ]);
  const passwordOf = new Map((passwds ?? []).map((r) => [lower(r.usename), r.passwd === null || r.passwd === undefined ? null : text(r.passwd)]));
  // NULL: no expiry. A value Charter cannot read as a timestamp is kept as is, so it compares as different.
  const validUntilOf = new Map((passwds ?? []).map((r) => [lower(r.usename), r.valuntil === null || r.valuntil === undefined ? 'infinity' : (validUntilValue(text(r.valuntil)) ?? text(r.valuntil))]));

  const managed = new Set(managedSchemas.map(key));
  const schemas = new Map<string, LiveSchema>();
  const schemaOf = (name: string): LiveSchema => {
    let s = schemas.get(key(name));
    if (!s) schemas.set(key(name), (s = { name, tables: [], tableOwners: new Map() }));
    return s;
  };
  for (const t of tables) {
    if (database !== undefined && key(text(t.database_name)) !== key(database)) continue;
    if (!managed.has(key(text(t.schema_name)))) continue;
    schemaOf(text(t.schema_name)).tables.push(text(t.table_name));
  }
  for (const s of schemas.values()) s.tables.sort();
  // Functions and procedures of the managed schemas: their kind decides FUNCTION or PROCEDURE in a REVOKE.
  for (const r of routines) {
    if (database !== undefined && text(r.database_name) && key(text(r.database_name)) !== key(database)) continue;
    if (!managed.has(key(text(r.schema_name)))) continue;
    const type = lower(r.function_type);
    const kind = type.includes('procedure') ? ('procedure' as const) : type.includes('regular') || type === 'function' ? ('function' as const) : undefined;
    if (!kind || !SAFE_ARGS.test(text(r.argument_type))) continue; // aggregates, and types Charter cannot write unquoted, are left alone
    const s = schemaOf(text(r.schema_name));
    s.routines ??= new Map();
    s.routines.set(`${key(text(r.function_name))}(${routineArgs(text(r.argument_type))})`, { kind });
  }

  const privileges: LivePrivilege[] = [];
  const push = (r: Row, name: unknown, kind: unknown, p: Omit<LivePrivilege, 'grantee' | 'granteeKind'>) => {
    const granteeKind = identityKind(kind);
    if (granteeKind === 'public') privileges.push({ grantee: PUBLIC_NAME, granteeKind, ...p });
    else if (granteeKind && text(name)) privileges.push({ grantee: text(name), granteeKind, ...p });
  };
  // System privileges go to roles only (and PUBLIC cannot hold them).
  for (const r of system) push(r, r.identity_name, r.identity_type, { target: { type: 'system' }, privilege: text(r.system_privilege).toUpperCase() });
  for (const r of schemaPrivs) {
    if (lower(r.privilege_scope) === 'database') {
      const privilege = lower(r.privilege_type);
      // USAGE on another database: one created from a datashare (the only kind that takes USAGE).
      if (privilege === 'usage' && (database === undefined || key(text(r.namespace_name)) !== key(database))) {
        push(r, r.identity_name, r.identity_type, { target: { type: 'sharedDatabase', database: text(r.namespace_name) }, privilege });
        continue;
      }
      // Otherwise only the database the policy connects to.
      if (database === undefined || key(text(r.namespace_name)) !== key(database)) continue;
      push(r, r.identity_name, r.identity_type, { target: { type: 'database', database: text(r.namespace_name) }, privilege: privilege === 'temporary' ? 'temp' : privilege, ...(truthy(r.admin_option) ? { grantOption: true } : {}) });
      continue;
    }
    if (!managed.has(key(text(r.namespace_name)))) continue;
    // Scoped permissions (GRANT SELECT FOR TABLES IN SCHEMA s) share this view with privilege_scope TABLES or
    // FUNCTIONS: they are not schema privileges (REVOKE SELECT ON SCHEMA would be invalid).
    const scope = lower(r.privilege_scope);
    if (scope === 'tables' || scope === 'functions') {
      schemaOf(text(r.namespace_name));
      push(r, r.identity_name, r.identity_type, { target: { type: 'scoped', schema: text(r.namespace_name), objects: scope }, privilege: lower(r.privilege_type) });
      continue;
    }
    if (scope && scope !== 'schema') continue;
    schemaOf(text(r.namespace_name));
    push(r, r.identity_name, r.identity_type, { target: { type: 'schema', schema: text(r.namespace_name) }, privilege: lower(r.privilege_type), ...(truthy(r.admin_option) ? { grantOption: true } : {}) });
  }
  for (const r of relationPrivs) {
    if (!managed.has(key(text(r.namespace_name)))) continue;
    const [schema, table] = [text(r.namespace_name), text(r.relation_name)];
    let target: PrivilegeTarget;
    if (lower(r.object_kind) === 'function') {
      if (!SAFE_ARGS.test(text(r.column_name))) continue;
      const args = routineArgs(text(r.column_name));
      const found = schemas.get(key(schema))?.routines?.get(`${key(table)}(${args})`);
      if (!found) continue; // not a function or procedure Charter can name (an aggregate, or not listed)
      target = { type: 'routine', kind: found.kind, schema, name: table, args };
    } else {
      target = lower(r.object_kind) === 'column' ? { type: 'column', schema, table, column: text(r.column_name) } : { type: 'table', schema, table };
    }
    push(r, r.identity_name, r.identity_type, { target, privilege: lower(r.privilege_type), ...(target.type !== 'column' && truthy(r.admin_option) ? { grantOption: true } : {}) });
  }
  for (const r of defaults) {
    // Defaults scoped to a managed schema, for tables (object_type RELATION), functions or procedures.
    const type = lower(r.object_type);
    const objects = ['relation', 'table', 'tables'].includes(type) ? 'tables' : type.startsWith('function') ? 'functions' : type.startsWith('procedure') ? 'procedures' : undefined;
    if (!objects || !text(r.schema_name) || !managed.has(key(text(r.schema_name)))) continue;
    const target: PrivilegeTarget = { type: 'future', schema: text(r.schema_name), owner: text(r.owner_name), ...(objects === 'tables' ? {} : { objects }) };
    push(r, r.grantee_name, r.grantee_type, { target, privilege: lower(r.privilege_type) });
  }

  const identityProviders: LiveIdentityProvider[] = idps.map((r) => {
    let params: { issuer?: unknown; client_id?: unknown; audience?: unknown } = {};
    try {
      params = JSON.parse(text(r.params) || '{}') as typeof params;
    } catch {
      // Unreadable parameters compare as different, so the plan re-sends them.
    }
    return {
      name: text(r.name),
      type: lower(r.type),
      namespace: text(r.namespc),
      issuer: text(params.issuer),
      clientId: text(params.client_id),
      audience: Array.isArray(params.audience) ? params.audience.map(text) : [],
      enabled: r.enabled === null || r.enabled === undefined ? true : truthy(r.enabled),
    };
  });

  return {
    dialect: 'redshift',
    currentUser,
    ...(database !== undefined ? { database } : {}),
    principals: [
      ...users.map((u) => ({
        name: text(u.user_name),
        kind: 'user' as const,
        superuser: truthy(u.superuser),
        attributes: {
          createdb: truthy(u.createdb),
          // connection_limit is text: a number, or UNLIMITED.
          connectionLimit: /^[0-9]+$/.test(text(u.connection_limit).trim()) ? Number(text(u.connection_limit).trim()) : ('unlimited' as const),
          syslogAccess: lower(u.syslog_access) === 'unrestricted' ? ('unrestricted' as const) : ('restricted' as const),
          ...(passwds && validUntil ? { validUntil: validUntilOf.get(lower(u.user_name)) ?? 'infinity' } : {}),
        },
        ...(passwds && passwords ? { password: passwordOf.get(lower(u.user_name)) ?? null } : {}),
      })),
      ...roles.map((r) => ({ name: text(r.role_name), kind: 'role' as const, superuser: false, ...(text(r.external_id) ? { externalId: text(r.external_id) } : {}) })),
    ],
    memberships: [
      ...roleGrants.map((r) => ({ role: text(r.granted_role_name), member: text(r.role_name), memberKind: 'role' as const, admin: false })),
      ...userGrants.map((r) => ({ role: text(r.role_name), member: text(r.user_name), memberKind: 'user' as const, admin: truthy(r.admin_option) })),
    ],
    privileges,
    identityProviders,
    schemas,
    schemasComplete: false,
    queries: db.queryCount - before,
  };
}

/**
 * Throws PartialVisibilityError unless the connecting user sees every row of the SVV views: a superuser,
 * or a user holding ACCESS SYSTEM TABLE (most views) who also has SYSLOG ACCESS UNRESTRICTED
 * (SVV_RELATION_PRIVILEGES shows other identities' table privileges only to those two).
 */
function checkVisibility(currentUser: string, users: Row[], userGrants: Row[], roleGrants: Row[], system: Row[]): void {
  const me = currentUser.toLowerCase();
  const self = users.find((u) => lower(u.user_name) === me);
  if (self && truthy(self.superuser)) return;
  if (lower(self?.syslog_access) !== 'unrestricted') {
    throw new PartialVisibilityError(
      `user ${JSON.stringify(currentUser)} sees only part of the catalog: Redshift's SVV_RELATION_PRIVILEGES shows other users' table privileges only to superusers and to users with SYSLOG ACCESS UNRESTRICTED`,
    );
  }
  const roles = new Set(userGrants.filter((g) => lower(g.user_name) === me).map((g) => lower(g.role_name)));
  // Roles granted to those roles, transitively.
  for (let grew = true; grew; ) {
    grew = false;
    for (const g of roleGrants) {
      if (roles.has(lower(g.role_name)) && !roles.has(lower(g.granted_role_name))) {
        roles.add(lower(g.granted_role_name));
        grew = true;
      }
    }
  }
  if ([...roles].some((r) => SEEING_ROLES.has(r))) return;
  const holds = system.some(
    (p) =>
      lower(p.system_privilege) === 'access system table' &&
      ((lower(p.identity_type) === 'user' && lower(p.identity_name) === me) || (lower(p.identity_type) === 'role' && roles.has(lower(p.identity_name)))),
  );
  if (holds) return;
  throw new PartialVisibilityError(
    `user ${JSON.stringify(currentUser)} sees only part of the catalog: Redshift's SVV views show other users' roles and grants only to superusers and to holders of ACCESS SYSTEM TABLE`,
  );
}
