/**
 * The SVV system views the sandbox answers, with their documented columns, and the simple
 * SELECT (columns, WHERE col = literal AND ..., ORDER BY) over them. Rows are filtered the way
 * Redshift does: superusers and holders of ACCESS SYSTEM TABLE see every row (SVV_RELATION_PRIVILEGES:
 * superusers and users with SYSLOG ACCESS UNRESTRICTED), other users only rows about themselves and the
 * roles they hold.
 */
import { SqlError } from './errors.js';
import { heldRoles, SYSTEM_ROLE_IDS, SYSTEM_ROLE_NAMES, SYSTEM_ROLE_PRIVILEGES, type RsDatabase, type RsObjectGrant } from './model.js';
import type { SelectPart, Statement, WhereValue } from './parser.js';

export type Value = string | number | boolean | null;

export interface Column {
  name: string;
  /** Redshift type name as ColumnMetadata.typeName shows it. */
  type: 'int4' | 'int8' | 'varchar' | 'bool' | 'name' | 'text' | 'char';
}

export interface ResultSet {
  columns: Column[];
  rows: Value[][];
}

type Row = Record<string, Value>;

interface Viewer {
  user: string;
  /** Sees every row of the views that ACCESS SYSTEM TABLE opens. */
  all: boolean;
  /** Sees every row of SVV_RELATION_PRIVILEGES: superusers and users with SYSLOG ACCESS UNRESTRICTED only. */
  unrestricted: boolean;
  /** Roles the viewer holds (transitively). */
  roles: Set<string>;
}

interface View {
  columns: Column[];
  rows(db: RsDatabase, v: Viewer): Row[];
}

const col = (name: string, type: Column['type']): Column => ({ name, type });

function roleId(db: RsDatabase, name: string): number | null {
  if (name in SYSTEM_ROLE_IDS) return SYSTEM_ROLE_IDS[name];
  return db.roles.find((r) => r.name === name)?.id ?? null;
}

function userId(db: RsDatabase, name: string): number | null {
  return db.users.find((u) => u.name === name)?.id ?? null;
}

function identityId(db: RsDatabase, type: string, name: string): number | null {
  if (type === 'public') return 0;
  return type === 'role' ? roleId(db, name) : userId(db, name);
}

/** Is this grantee the viewer, a role the viewer holds, or PUBLIC? */
function aboutViewer(v: Viewer, type: string, name: string): boolean {
  return v.all || type === 'public' || (type === 'user' && name === v.user) || (type === 'role' && v.roles.has(name));
}

const objectGrantCols = (g: RsObjectGrant, db: RsDatabase): Row => ({
  privilege_type: g.privilege,
  identity_id: identityId(db, g.granteeType, g.grantee),
  identity_name: g.grantee,
  identity_type: g.granteeType,
  admin_option: g.grantOption,
});

const VIEWS: Record<string, View> = {
  svv_user_info: {
    columns: [
      col('user_name', 'text'), col('user_id', 'int4'), col('createdb', 'bool'), col('superuser', 'bool'), col('catalog_update', 'bool'),
      col('connection_limit', 'text'), col('syslog_access', 'text'), col('last_ddl_timestamp', 'text'), col('session_timeout', 'int4'),
      col('external_user_id', 'text'),
    ],
    rows: (db, v) =>
      db.users
        .filter((u) => v.all || u.name === v.user)
        .map((u) => ({
          user_name: u.name,
          user_id: u.id,
          createdb: u.createdb,
          superuser: u.superuser,
          catalog_update: false,
          connection_limit: String(u.connectionLimit),
          syslog_access: u.syslogAccess,
          last_ddl_timestamp: null,
          session_timeout: u.sessionTimeout ?? 0,
          external_user_id: u.externalId ?? null,
        })),
  },
  // Superusers only (not ACCESS SYSTEM TABLE): it holds the password hashes.
  pg_user_info: {
    columns: [
      col('usename', 'name'), col('usesysid', 'int4'), col('usecreatedb', 'bool'), col('usesuper', 'bool'), col('usecatupd', 'bool'),
      col('passwd', 'text'), col('valuntil', 'text'), col('useconnlimit', 'text'),
    ],
    rows: (db, v) =>
      db.users.some((u) => u.name === v.user && u.superuser)
        ? db.users.map((u) => ({
            usename: u.name,
            usesysid: u.id,
            usecreatedb: u.createdb,
            usesuper: u.superuser,
            usecatupd: false,
            passwd: u.passwordDisabled ? null : (u.passwordHash ?? '********'),
            valuntil: u.validUntil ?? null,
            useconnlimit: String(u.connectionLimit),
          }))
        : [],
  },
  svv_roles: {
    columns: [col('role_id', 'int4'), col('role_name', 'text'), col('role_owner', 'text'), col('external_id', 'text')],
    rows: (db, v) => [
      // The system roles always exist; they belong to rdsdb.
      ...SYSTEM_ROLE_NAMES.filter((n) => v.all || v.roles.has(n)).map((n) => ({ role_id: SYSTEM_ROLE_IDS[n], role_name: n, role_owner: 'rdsdb', external_id: null })),
      ...db.roles
        .filter((r) => v.all || v.roles.has(r.name) || r.owner === v.user)
        .map((r) => ({ role_id: r.id, role_name: r.name, role_owner: r.owner, external_id: r.externalId ?? null })),
    ],
  },
  svv_role_grants: {
    columns: [col('role_id', 'int4'), col('role_name', 'text'), col('granted_role_id', 'int4'), col('granted_role_name', 'text')],
    rows: (db, v) =>
      db.roleGrants
        .filter((g) => g.granteeType === 'role' && (v.all || v.roles.has(g.grantee)))
        .map((g) => ({ role_id: roleId(db, g.grantee), role_name: g.grantee, granted_role_id: roleId(db, g.role), granted_role_name: g.role })),
  },
  svv_user_grants: {
    columns: [col('user_id', 'int4'), col('user_name', 'text'), col('role_id', 'int4'), col('role_name', 'text'), col('admin_option', 'bool')],
    rows: (db, v) =>
      db.roleGrants
        .filter((g) => g.granteeType === 'user' && (v.all || g.grantee === v.user))
        .map((g) => ({ user_id: userId(db, g.grantee), user_name: g.grantee, role_id: roleId(db, g.role), role_name: g.role, admin_option: g.adminOption })),
  },
  svv_system_privileges: {
    columns: [col('system_privilege', 'text'), col('identity_id', 'int4'), col('identity_name', 'text'), col('identity_type', 'text')],
    rows: (db, v) => [
      // The privileges built into the system roles are listed too, as in Redshift.
      ...SYSTEM_ROLE_NAMES.filter((r) => v.all || v.roles.has(r)).flatMap((r) =>
        SYSTEM_ROLE_PRIVILEGES[r].map((p) => ({ system_privilege: p, identity_id: SYSTEM_ROLE_IDS[r], identity_name: r, identity_type: 'role' })),
      ),
      ...db.systemPrivileges
        .filter((p) => v.all || v.roles.has(p.role))
        .map((p) => ({ system_privilege: p.privilege, identity_id: roleId(db, p.role), identity_name: p.role, identity_type: 'role' })),
    ],
  },
  svv_schema_privileges: {
    columns: [
      col('namespace_name', 'text'), col('privilege_type', 'text'), col('identity_id', 'int4'), col('identity_name', 'text'),
      col('identity_type', 'text'), col('admin_option', 'bool'), col('privilege_scope', 'text'),
    ],
    // Scoped permissions (GRANT ... FOR TABLES IN SCHEMA) show here with privilege_scope TABLES or FUNCTIONS.
    rows: (db, v) =>
      db.schemaPrivileges
        .filter((g) => aboutViewer(v, g.granteeType, g.grantee))
        .map((g) => ({ namespace_name: g.schema, ...objectGrantCols(g, db), privilege_scope: g.scope ?? 'SCHEMA' })),
  },
  svv_relation_privileges: {
    columns: [
      col('namespace_name', 'text'), col('relation_name', 'text'), col('privilege_type', 'text'), col('identity_id', 'int4'),
      col('identity_name', 'text'), col('identity_type', 'text'), col('admin_option', 'bool'),
    ],
    rows: (db, v) =>
      db.tablePrivileges
        .filter((g) => v.unrestricted || aboutViewer({ ...v, all: false }, g.granteeType, g.grantee))
        .map((g) => ({ namespace_name: g.schema, relation_name: g.table, ...objectGrantCols(g, db) })),
  },
  svv_database_privileges: {
    columns: [col('database_name', 'text'), col('privilege_type', 'text'), col('identity_id', 'int4'), col('identity_name', 'text'), col('identity_type', 'text'), col('admin_option', 'bool')],
    rows: (db, v) => db.databasePrivileges.filter((g) => aboutViewer(v, g.granteeType, g.grantee)).map((g) => ({ database_name: g.database ?? db.name, ...objectGrantCols(g, db) })),
  },
  svv_function_privileges: {
    columns: [
      col('namespace_name', 'text'), col('function_name', 'text'), col('argument_types', 'text'), col('privilege_type', 'text'),
      col('identity_id', 'int4'), col('identity_name', 'text'), col('identity_type', 'text'), col('admin_option', 'bool'),
    ],
    rows: (db, v) =>
      db.functionPrivileges
        .filter((g) => aboutViewer(v, g.granteeType, g.grantee))
        .map((g) => ({ namespace_name: g.schema, function_name: g.function, argument_types: g.args, ...objectGrantCols(g, db) })),
  },
  // Every function and procedure for superusers and ACCESS SYSTEM TABLE; others see the ones they own.
  svv_redshift_functions: {
    columns: [col('database_name', 'text'), col('schema_name', 'text'), col('function_name', 'text'), col('function_type', 'text'), col('argument_type', 'text'), col('result_type', 'text')],
    rows: (db, v) =>
      db.schemas.flatMap((s) =>
        (s.functions ?? [])
          .filter((f) => v.all || f.owner === v.user)
          .map((f) => ({ database_name: db.name, schema_name: s.name, function_name: f.name, function_type: f.kind === 'procedure' ? 'STORED PROCEDURE' : 'REGULAR FUNCTION', argument_type: f.args, result_type: f.kind === 'procedure' ? null : 'integer' })),
      ),
  },
  // Visible like the ACCESS SYSTEM TABLE views (not SYSLOG ACCESS like svv_relation_privileges).
  svv_column_privileges: {
    columns: [
      col('namespace_name', 'text'), col('relation_name', 'text'), col('column_name', 'text'), col('privilege_type', 'text'),
      col('identity_id', 'int4'), col('identity_name', 'text'), col('identity_type', 'text'),
    ],
    rows: (db, v) =>
      db.columnPrivileges
        .filter((g) => aboutViewer(v, g.granteeType, g.grantee))
        .map((g) => ({
          namespace_name: g.schema,
          relation_name: g.table,
          column_name: g.column,
          privilege_type: g.privilege,
          identity_id: identityId(db, g.granteeType, g.grantee),
          identity_name: g.grantee,
          identity_type: g.granteeType,
        })),
  },
  svv_all_tables: {
    columns: [col('database_name', 'text'), col('schema_name', 'text'), col('table_name', 'text'), col('table_type', 'text'), col('table_acl', 'text'), col('remarks', 'text')],
    rows: (db, v) => {
      const usable = (schema: string, owner: string) =>
        v.all ||
        owner === v.user ||
        db.schemaPrivileges.some((g) => g.schema === schema && g.privilege === 'USAGE' && aboutViewer(v, g.granteeType, g.grantee));
      return db.schemas
        .filter((s) => usable(s.name, s.owner))
        .flatMap((s) => s.tables.map((t) => ({ database_name: db.name, schema_name: s.name, table_name: t.name, table_type: 'TABLE', table_acl: null, remarks: null })));
    },
  },
  svv_default_privileges: {
    columns: [
      col('schema_name', 'text'), col('object_type', 'text'), col('owner_id', 'int4'), col('owner_name', 'text'), col('owner_type', 'text'),
      col('privilege_type', 'text'), col('grantee_id', 'int4'), col('grantee_name', 'text'), col('grantee_type', 'text'), col('admin_option', 'bool'),
    ],
    rows: (db, v) =>
      db.defaultPrivileges
        .filter((d) => v.all || d.owner === v.user || aboutViewer(v, d.granteeType, d.grantee))
        .map((d) => ({
          schema_name: d.schema,
          object_type: d.objects === 'FUNCTIONS' ? 'FUNCTION' : d.objects === 'PROCEDURES' ? 'PROCEDURE' : 'RELATION',
          owner_id: userId(db, d.owner),
          owner_name: d.owner,
          owner_type: 'user',
          privilege_type: d.privilege,
          grantee_id: identityId(db, d.granteeType, d.grantee),
          grantee_name: d.grantee,
          grantee_type: d.granteeType,
          admin_option: d.grantOption,
        })),
  },
  svv_identity_providers: {
    columns: [col('name', 'text'), col('type', 'text'), col('instanceid', 'text'), col('namespc', 'text'), col('params', 'text'), col('enabled', 'bool'), col('uid', 'int4')],
    rows: (db, v) =>
      v.all
        ? db.identityProviders.map((p) => {
            // client_secret is write-only: it is never shown.
            const { client_secret: _secret, ...shown } = p.params;
            void _secret;
            return { name: p.name, type: p.type, instanceid: null, namespc: p.namespace, params: JSON.stringify(shown), enabled: p.enabled, uid: p.id };
          })
        : [],
  },
};

export const VIEW_NAMES = Object.keys(VIEWS);

function matches(value: Value, w: WhereValue, currentUser: string): boolean {
  if (value === null) return false;
  switch (w.type) {
    case 'current_user':
      return String(value) === currentUser;
    case 'string':
      if (typeof value === 'boolean') return ['t', 'true', 'y', 'yes', 'on', '1'].includes(w.value.toLowerCase()) === value;
      return String(value) === w.value;
    case 'number':
      return typeof value === 'number' ? value === w.value : String(value) === String(w.value);
    case 'boolean':
      return value === w.value;
  }
}

function compare(a: Value, b: Value): number {
  // NULLs sort last (ascending), as in Redshift.
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function runSelect(db: RsDatabase, user: string, st: Extract<Statement, { kind: 'select' }>, all: boolean, unrestricted = all): ResultSet {
  const viewer: Viewer = { user, all, unrestricted, roles: heldRoles(db, 'user', user) };
  // A single SELECT may order by any column of its view; a UNION ALL only by the columns it returns.
  if (!st.unionAll) return selectPart(db, st, viewer, st.orderBy);
  const first = selectPart(db, st, viewer);
  const columns = first.columns;
  let rows = first.rows;
  for (const part of st.unionAll) {
    const more = selectPart(db, part, viewer);
    if (more.columns.length !== columns.length) throw new SqlError('each UNION query must have the same number of columns');
    rows = [...rows, ...more.rows];
  }
  const index = new Map(columns.map((c, i) => [c.name, i]));
  const orderBy = st.orderBy.map((o) => {
    const i = index.get(o.column);
    if (i === undefined) throw new SqlError(`column "${o.column}" does not exist`);
    return { key: (r: Value[]) => r[i], desc: o.desc };
  });
  return { columns, rows: sortRows(rows, orderBy) };
}

function sortRows<R>(rows: R[], orderBy: Array<{ key: (r: R) => Value; desc: boolean }>): R[] {
  if (orderBy.length === 0) return rows;
  return [...rows].sort((a, b) => {
    for (const o of orderBy) {
      const c = compare(o.key(a), o.key(b));
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
}

/** One SELECT over one view: its columns (constants typed text) and rows, filtered by WHERE and the viewer. */
function selectPart(db: RsDatabase, st: SelectPart, viewer: Viewer, orderBy: Array<{ column: string; desc: boolean }> = []): ResultSet {
  const view = VIEWS[st.view];
  if (!view) throw new SqlError(`relation "${st.view}" does not exist`);
  const known = new Set(view.columns.map((c) => c.name));
  const check = (name: string) => {
    if (!known.has(name)) throw new SqlError(`column "${name}" does not exist in ${st.view}`);
  };
  const items = st.columns === '*' ? view.columns.map((c) => c.name) : st.columns;
  const columns: Column[] = items.map((item) => {
    if (typeof item === 'string') return (check(item), view.columns.find((c) => c.name === item)!);
    if ('column' in item) return (check(item.column), { ...view.columns.find((c) => c.name === item.column)!, name: item.as });
    return { name: item.as, type: 'text' };
  });
  for (const w of st.where) check(w.column);
  for (const o of orderBy) check(o.column);
  const rows = view.rows(db, viewer).filter((r) => st.where.every((w) => matches(r[w.column] ?? null, w.value, viewer.user)));
  const sorted = sortRows(rows, orderBy.map((o) => ({ key: (r: Row) => r[o.column] ?? null, desc: o.desc })));
  return { columns, rows: sorted.map((r) => items.map((item) => (typeof item === 'string' ? (r[item] ?? null) : 'column' in item ? (r[item.column] ?? null) : item.value))) };
}
