/**
 * Live state from the PostgreSQL catalog in nine queries whatever the size: pg_roles, pg_auth_members,
 * aclexplode over pg_database.datacl (the current database), pg_namespace.nspacl, pg_class.relacl,
 * pg_attribute.attacl and pg_proc.proacl (managed schemas only) and pg_default_acl.
 * aclexplode reports PUBLIC as grantee oid 0, which joins no pg_roles row: `is_public` tells it apart
 * from a schema or table without an ACL (no privilege at all).
 * PostgreSQL shows the whole catalog to every user, so there is no visibility check.
 */
import type { Executor, Row } from './executor.js';
import { PUBLIC_NAME, routineArgs } from './sql.js';
import { PartialVisibilityError, type LivePrivilege, type LiveSchema, type LiveState } from './state.js';

const SAFE_ARGS = /^[A-Za-z0-9_ ,]*$/;
const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));

/** `passwords`: also read the password verifiers (pg_authid, superusers only), when the policy declares passwords. */
export async function readPostgres(db: Executor, managedSchemas: readonly string[], passwords = false): Promise<LiveState> {
  const before = db.queryCount;
  const schemas = [...managedSchemas];
  // One connection runs one query at a time: sequential awaits say so.
  const [who] = await db.query('SELECT current_user::text AS who');
  const roles = await db.query('SELECT rolname::text AS name, rolcanlogin AS login, rolsuper AS superuser, rolcreatedb AS createdb, rolconnlimit AS connlimit FROM pg_roles');
  const members = await db.query(
    `SELECT r.rolname::text AS role, m.rolname::text AS member, m.rolcanlogin AS member_login, am.admin_option AS admin
       FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member`,
  );
  // The current database's ACL; NULL means the default (CONNECT and TEMPORARY for PUBLIC), spelled out by acldefault.
  const databaseAcl = await db.query(
    `SELECT d.datname::text AS database, pg_get_userbyid(d.datdba)::text AS owner, g.rolname::text AS grantee, g.rolcanlogin AS grantee_login, a.grantee = 0 AS is_public, a.privilege_type::text AS privilege
       FROM pg_database d
       LEFT JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a ON true
       LEFT JOIN pg_roles g ON g.oid = a.grantee
      WHERE d.datname = current_database()`,
  );
  const schemaAcl = await db.query(
    `SELECT n.nspname::text AS schema, pg_get_userbyid(n.nspowner)::text AS owner, g.rolname::text AS grantee, g.rolcanlogin AS grantee_login, a.grantee = 0 AS is_public, a.privilege_type::text AS privilege
       FROM pg_namespace n
       LEFT JOIN LATERAL aclexplode(n.nspacl) a ON true
       LEFT JOIN pg_roles g ON g.oid = a.grantee
      WHERE n.nspname = ANY($1::text[])`,
    [schemas],
  );
  // Everything "ALL TABLES IN SCHEMA" covers: tables, partitioned tables, views, materialized and foreign tables.
  const tableAcl = await db.query(
    `SELECT n.nspname::text AS schema, c.relname::text AS table, pg_get_userbyid(c.relowner)::text AS owner, g.rolname::text AS grantee, g.rolcanlogin AS grantee_login, a.grantee = 0 AS is_public, a.privilege_type::text AS privilege
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN LATERAL aclexplode(c.relacl) a ON true
       LEFT JOIN pg_roles g ON g.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    [schemas],
  );
  // Every column of those relations, with its column-level ACL (one row without grantee when it has none):
  // column privileges, and which columns exist.
  const columnAcl = await db.query(
    `SELECT n.nspname::text AS schema, c.relname::text AS table, at.attname::text AS column, pg_get_userbyid(c.relowner)::text AS owner, g.rolname::text AS grantee, g.rolcanlogin AS grantee_login, a.grantee = 0 AS is_public, a.privilege_type::text AS privilege
       FROM pg_attribute at
       JOIN pg_class c ON c.oid = at.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN LATERAL aclexplode(at.attacl) a ON true
       LEFT JOIN pg_roles g ON g.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND at.attnum > 0 AND NOT at.attisdropped`,
    [schemas],
  );
  // Functions and procedures, with their ACL. A NULL proacl means the default, which grants EXECUTE to
  // PUBLIC: acldefault spells it out, so PUBLIC's default EXECUTE is seen like any other grant.
  const routineAcl = await db.query(
    `SELECT n.nspname::text AS schema, p.proname::text AS name, oidvectortypes(p.proargtypes) AS args, p.prokind::text AS kind, pg_get_userbyid(p.proowner)::text AS owner, g.rolname::text AS grantee, g.rolcanlogin AS grantee_login, a.grantee = 0 AS is_public, a.privilege_type::text AS privilege
       FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace
       LEFT JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a ON true
       LEFT JOIN pg_roles g ON g.oid = a.grantee
      WHERE n.nspname = ANY($1::text[]) AND p.prokind IN ('f', 'p')`,
    [schemas],
  );
  const defaultAcl = await db.query(
    `SELECT n.nspname::text AS schema, d.defaclobjtype::text AS objtype, o.rolname::text AS owner, g.rolname::text AS grantee, g.rolcanlogin AS grantee_login, a.grantee = 0 AS is_public, a.privilege_type::text AS privilege
       FROM pg_default_acl d
       JOIN pg_namespace n ON n.oid = d.defaclnamespace
       JOIN pg_roles o ON o.oid = d.defaclrole
       LEFT JOIN LATERAL aclexplode(d.defaclacl) a ON true
       LEFT JOIN pg_roles g ON g.oid = a.grantee
      WHERE d.defaclobjtype IN ('r', 'f') AND n.nspname = ANY($1::text[])`,
    [schemas],
  );

  let verifiers: Map<string, string | null> | undefined;
  if (passwords) {
    const rows = await db.query('SELECT rolname::text AS name, rolpassword FROM pg_authid').catch((error: unknown) => {
      throw new PartialVisibilityError(`cannot check passwords: pg_authid is readable only by superusers (${(error as Error).message})`);
    });
    verifiers = new Map(rows.map((r) => [String(r.name), r.rolpassword == null ? null : String(r.rolpassword)]));
  }
  const kindOf = (login: unknown) => (login === true ? 'user' : 'role') as 'user' | 'role';
  /** The grantee of an ACL row: PUBLIC, a role or user, or undefined for no privilege (or the owner's own). */
  const granteeOf = (r: Row, owner?: unknown): Pick<LivePrivilege, 'grantee' | 'granteeKind'> | undefined => {
    if (r.is_public === true) return { grantee: PUBLIC_NAME, granteeKind: 'public' };
    if (r.grantee == null || (owner !== undefined && r.grantee === owner)) return undefined;
    return { grantee: String(r.grantee), granteeKind: kindOf(r.grantee_login) };
  };
  const privileges: LivePrivilege[] = [];
  const live = new Map<string, LiveSchema>();
  const schemaOf = (r: Row): LiveSchema => {
    const name = String(r.schema);
    let s = live.get(name);
    if (!s) live.set(name, (s = { name, tables: [], tableOwners: new Map() }));
    return s;
  };
  const database = databaseAcl.length ? String(databaseAcl[0].database) : undefined;
  const databaseOwner = databaseAcl.length ? String(databaseAcl[0].owner) : undefined;
  for (const r of databaseAcl) {
    const g = granteeOf(r, r.owner);
    if (!g) continue;
    const privilege = String(r.privilege).toLowerCase();
    privileges.push({ ...g, target: { type: 'database', database: String(r.database) }, privilege: privilege === 'temporary' ? 'temp' : privilege });
  }
  for (const r of schemaAcl) {
    const s = schemaOf(r);
    s.owner = str(r.owner);
    // The owner's own implicit privileges are not Charter's to manage; PUBLIC's are.
    const g = granteeOf(r, r.owner);
    if (!g) continue;
    privileges.push({ ...g, target: { type: 'schema', schema: s.name }, privilege: String(r.privilege).toLowerCase() });
  }
  for (const r of tableAcl) {
    const s = schemaOf(r);
    const table = String(r.table);
    if (!s.tableOwners.has(table)) {
      s.tables.push(table);
      s.tableOwners.set(table, String(r.owner));
    }
    const g = granteeOf(r, r.owner);
    if (!g) continue;
    privileges.push({ ...g, target: { type: 'table', schema: s.name, table }, privilege: String(r.privilege).toLowerCase() });
  }
  const seenColumns = new Set<string>();
  for (const r of columnAcl) {
    const s = schemaOf(r);
    const table = String(r.table);
    const column = String(r.column);
    if (!seenColumns.has(`${s.name}\u0000${table}\u0000${column}`)) {
      seenColumns.add(`${s.name}\u0000${table}\u0000${column}`);
      s.columns ??= new Map();
      const columns = s.columns.get(table) ?? [];
      columns.push(column);
      s.columns.set(table, columns);
    }
    const g = granteeOf(r, r.owner);
    if (!g) continue;
    privileges.push({ ...g, target: { type: 'column', schema: s.name, table, column }, privilege: String(r.privilege).toLowerCase() });
  }
  for (const r of routineAcl) {
    const s = schemaOf(r);
    const kind = r.kind === 'p' ? ('procedure' as const) : ('function' as const);
    const name = String(r.name);
    // Argument types Charter cannot write unquoted (quoted or schema-qualified type names) put the routine out of its reach: left alone.
    if (!SAFE_ARGS.test(String(r.args ?? ''))) continue;
    const args = routineArgs(String(r.args ?? ''));
    s.routines ??= new Map();
    s.routines.set(`${name}(${args})`, { kind, owner: String(r.owner) });
    const g = granteeOf(r, r.owner);
    if (!g) continue;
    privileges.push({ ...g, target: { type: 'routine', kind, schema: s.name, name, args }, privilege: String(r.privilege).toLowerCase() });
  }
  for (const r of defaultAcl) {
    const g = granteeOf(r);
    if (!g) continue;
    privileges.push({
      ...g,
      // 'f': functions, and procedures too on PostgreSQL.
      target: { type: 'future', schema: String(r.schema), owner: String(r.owner), ...(r.objtype === 'f' ? { objects: 'functions' as const } : {}) },
      privilege: String(r.privilege).toLowerCase(),
    });
  }
  for (const s of live.values()) s.tables.sort();

  return {
    dialect: 'postgres',
    currentUser: String(who.who),
    database,
    databaseOwner,
    principals: roles.map((r) => ({
      name: String(r.name),
      kind: kindOf(r.login),
      superuser: r.superuser === true,
      // -1 is PostgreSQL's "no limit".
      ...(r.login === true ? { attributes: { createdb: r.createdb === true, connectionLimit: Number(r.connlimit) < 0 ? ('unlimited' as const) : Number(r.connlimit) } } : {}),
      ...(verifiers ? { password: verifiers.get(String(r.name)) ?? null } : {}),
    })),
    // PostgreSQL 16+ keeps a row per grantor: the membership holds the admin option when any row does.
    memberships: [
      ...members
        .reduce((all, r) => {
          const id = `${String(r.role)}\u0000${String(r.member)}`;
          const seen = all.get(id);
          if (seen) seen.admin ||= r.admin === true;
          else all.set(id, { role: String(r.role), member: String(r.member), memberKind: kindOf(r.member_login), admin: r.admin === true });
          return all;
        }, new Map<string, LiveState['memberships'][number]>())
        .values(),
    ],
    privileges,
    identityProviders: [],
    schemas: live,
    schemasComplete: true,
    queries: db.queryCount - before,
  };
}
