/**
 * Validation and normalisation of the `redshift` section of a sandbox state file (and of
 * `settings.redshift`). Every problem is reported with its JSON path.
 */
import {
  defaultRedshiftSettings,
  emptyDatabase,
  emptyRedshiftState,
  isSystemRole,
  MAX_IDENTIFIER_BYTES,
  SYSTEM_ROLE_NAMES,
  type GranteeType,
  type RedshiftSettings,
  type RedshiftState,
  type RsDatabase,
  type RsSchema,
  type RsUser,
} from './model.js';
import { Checker, describe, type Json } from '../checker.js';
import { SCHEMA_PRIVILEGES, SYSTEM_PRIVILEGES, TABLE_PRIVILEGES } from './privileges.js';

export const CLUSTER_ID_RE = /^[a-z]([a-z0-9]|-(?!-)){0,62}(?<!-)$/;
export const WORKGROUP_RE = /^[a-z0-9-]{3,64}$/;

/** The state checker, with the Redshift rules for names: non-empty, folded to lower case, at most 127 bytes. */
class Check extends Checker {
  str(o: Json, key: string, path: string, required = false): string | undefined {
    const v = this.string(o, key, path, required);
    if (v === '') {
      this.fail(`${path}.${key}`, 'expected a non-empty string, got ""');
      return undefined;
    }
    return v;
  }

  /** A database identifier: folded to lower case, at most 127 bytes. */
  name(o: Json, key: string, path: string, required = true): string | undefined {
    const v = this.str(o, key, path, required);
    if (v === undefined) return undefined;
    if (Buffer.byteLength(v, 'utf8') > MAX_IDENTIFIER_BYTES) this.fail(`${path}.${key}`, `longer than ${MAX_IDENTIFIER_BYTES} bytes`);
    return v.toLowerCase();
  }
}

export function normalizeRedshiftSettings(problems: string[], value: unknown, path: string): RedshiftSettings {
  const c = new Check(problems);
  const out = defaultRedshiftSettings();
  const o = c.object(value, path);
  if (!o) return out;
  c.known(o, ['statementFinishAfterPolls', 'statementRunMs', 'resultPageSize'], path);
  out.statementFinishAfterPolls = c.integer(o, 'statementFinishAfterPolls', path, 0, 1_000_000) ?? out.statementFinishAfterPolls;
  out.statementRunMs = c.integer(o, 'statementRunMs', path, 0, 3_600_000) ?? out.statementRunMs;
  out.resultPageSize = c.integer(o, 'resultPageSize', path, 1, 1_000_000) ?? out.resultPageSize;
  return out;
}

export function normalizeRedshift(problems: string[], value: unknown): RedshiftState {
  const c = new Check(problems);
  const state = emptyRedshiftState();
  const r = c.object(value, 'redshift');
  if (!r) return state;
  c.known(r, ['secrets', 'clusters', 'workgroups'], 'redshift');
  if (r.secrets !== undefined) {
    const s = c.object(r.secrets, 'redshift.secrets');
    for (const [arn, v] of Object.entries(s ?? {})) {
      const path = `redshift.secrets[${JSON.stringify(arn)}]`;
      if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(arn)) c.fail(path, 'expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)');
      const o = c.object(v, path);
      if (!o) continue;
      c.known(o, ['username'], path);
      const username = c.name(o, 'username', path);
      if (username !== undefined) state.secrets[arn] = { username };
    }
  }
  const ids = new Set<string>();
  c.array(r, 'clusters', 'redshift').forEach((v, i) => {
    const path = `redshift.clusters[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ['identifier', 'region', 'databases'], path);
    const identifier = c.str(o, 'identifier', path, true);
    if (identifier === undefined) return;
    if (!CLUSTER_ID_RE.test(identifier)) c.fail(`${path}.identifier`, 'expected 1-63 lower-case letters, digits and single hyphens, starting with a letter');
    const region = c.str(o, 'region', path) ?? 'us-east-1';
    if (ids.has(`${region}/${identifier}`)) c.fail(`${path}.identifier`, `duplicate cluster ${identifier} in ${region}`);
    ids.add(`${region}/${identifier}`);
    state.clusters.push({ identifier, region, databases: databases(c, o, path) });
  });
  c.array(r, 'workgroups', 'redshift').forEach((v, i) => {
    const path = `redshift.workgroups[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ['name', 'region', 'databases'], path);
    const name = c.str(o, 'name', path, true);
    if (name === undefined) return;
    if (!WORKGROUP_RE.test(name)) c.fail(`${path}.name`, 'expected 3-64 lower-case letters, digits and hyphens');
    const region = c.str(o, 'region', path) ?? 'us-east-1';
    if (ids.has(`${region}/wg/${name}`)) c.fail(`${path}.name`, `duplicate workgroup ${name} in ${region}`);
    ids.add(`${region}/wg/${name}`);
    state.workgroups.push({ name, region, databases: databases(c, o, path) });
  });
  return state;
}

function databases(c: Check, o: Json, path: string): RsDatabase[] {
  const out: RsDatabase[] = [];
  c.array(o, 'databases', path).forEach((v, i) => {
    const db = database(c, v, `${path}.databases[${i}]`);
    if (!db) return;
    if (out.some((d) => d.name === db.name)) c.fail(`${path}.databases[${i}].name`, `duplicate database ${db.name}`);
    out.push(db);
  });
  return out;
}

const DB_KEYS = [
  'name', 'superusers', 'users', 'roles', 'roleGrants', 'systemPrivileges', 'schemas', 'schemaPrivileges', 'tablePrivileges',
  'columnPrivileges', 'functionPrivileges', 'databasePrivileges', 'sharedDatabases', 'defaultPrivileges', 'identityProviders', 'nextId',
];
const USER_KEYS = ['name', 'id', 'superuser', 'createdb', 'passwordDisabled', 'passwordHash', 'syslogAccess', 'connectionLimit', 'sessionTimeout', 'validUntil', 'externalId'];

function database(c: Check, v: unknown, path: string): RsDatabase | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.known(o, DB_KEYS, path);
  const name = c.name(o, 'name', path);
  if (name === undefined) return undefined;
  const db = emptyDatabase(name);
  const usedIds = new Set<number>();
  const pendingIds: Array<{ set: (id: number) => void }> = [];
  const takeId = (obj: Json, p: string, set: (id: number) => void): void => {
    const id = c.integer(obj, 'id', p, 1, 2_147_483_647);
    if (id === undefined) pendingIds.push({ set });
    else {
      if (usedIds.has(id)) c.fail(`${p}.id`, `duplicate id ${id}`);
      usedIds.add(id);
      set(id);
    }
  };

  // Users: "superusers" is a shorthand list of superuser names; "users" holds names or objects.
  const addUser = (u: RsUser, p: string): void => {
    if (db.users.some((x) => x.name === u.name)) c.fail(p, `duplicate user ${u.name}`);
    else db.users.push(u);
  };
  const newUser = (n: string): RsUser => ({ name: n, id: 0, superuser: false, createdb: false, passwordDisabled: false, syslogAccess: 'RESTRICTED', connectionLimit: 'UNLIMITED' });
  c.array(o, 'superusers', path).forEach((s, i) => {
    const p = `${path}.superusers[${i}]`;
    if (typeof s !== 'string' || s === '') return c.fail(p, `expected a user name, got ${describe(s)}`);
    const u = { ...newUser(s.toLowerCase()), superuser: true, createdb: true };
    pendingIds.push({ set: (id) => (u.id = id) });
    addUser(u, p);
  });
  c.array(o, 'users', path).forEach((s, i) => {
    const p = `${path}.users[${i}]`;
    if (typeof s === 'string') {
      const u = newUser(s.toLowerCase());
      pendingIds.push({ set: (id) => (u.id = id) });
      return addUser(u, p);
    }
    const uo = c.object(s, p);
    if (!uo) return;
    c.known(uo, USER_KEYS, p);
    const n = c.name(uo, 'name', p);
    if (n === undefined) return;
    const u = newUser(n);
    takeId(uo, p, (id) => (u.id = id));
    u.superuser = c.boolean(uo, 'superuser', p) ?? false;
    u.createdb = c.boolean(uo, 'createdb', p) ?? u.superuser;
    u.passwordDisabled = c.boolean(uo, 'passwordDisabled', p) ?? false;
    const hash = c.str(uo, 'passwordHash', p);
    if (hash !== undefined && !u.passwordDisabled) u.passwordHash = hash;
    const syslog = c.str(uo, 'syslogAccess', p);
    if (syslog !== undefined) {
      if (syslog !== 'RESTRICTED' && syslog !== 'UNRESTRICTED') c.fail(`${p}.syslogAccess`, 'expected RESTRICTED or UNRESTRICTED');
      else u.syslogAccess = syslog;
    }
    if (uo.connectionLimit !== undefined && uo.connectionLimit !== 'UNLIMITED') {
      const lim = c.integer(uo, 'connectionLimit', p, 0, 2_147_483_647);
      if (lim !== undefined) u.connectionLimit = lim;
    }
    const st = c.integer(uo, 'sessionTimeout', p, 60, 1_728_000);
    if (st !== undefined) u.sessionTimeout = st;
    const vu = c.str(uo, 'validUntil', p);
    if (vu !== undefined) u.validUntil = vu;
    const ext = c.str(uo, 'externalId', p);
    if (ext !== undefined) u.externalId = ext;
    addUser(u, p);
  });
  if (db.users.length === 0) c.fail(path, 'a database needs at least one user (e.g. "superusers": ["awsuser"]) to connect as');
  const userNames = new Set(db.users.map((u) => u.name));
  const defaultOwner = (db.users.find((u) => u.superuser) ?? db.users[0])?.name ?? 'rdsdb';
  const userRef = (obj: Json, key: string, p: string, fallback?: string): string | undefined => {
    const n = c.name(obj, key, p, fallback === undefined) ?? fallback;
    if (n !== undefined && !userNames.has(n) && db.users.length > 0) c.fail(`${p}.${key}`, `no user ${JSON.stringify(n)} in this database`);
    return n;
  };

  // Roles
  c.array(o, 'roles', path).forEach((s, i) => {
    const p = `${path}.roles[${i}]`;
    const ro = typeof s === 'string' ? { name: s } : c.object(s, p);
    if (!ro) return;
    c.known(ro, ['name', 'id', 'owner', 'externalId'], p);
    const n = c.name(ro, 'name', p);
    if (n === undefined) return;
    if (isSystemRole(n)) return c.fail(`${p}.name`, `"sys:" is reserved for the system roles (${SYSTEM_ROLE_NAMES.join(', ')}), which always exist`);
    if (userNames.has(n)) return c.fail(`${p}.name`, `role ${n} has the name of a user`);
    if (db.roles.some((x) => x.name === n)) return c.fail(`${p}.name`, `duplicate role ${n}`);
    const role = { name: n, id: 0, owner: userRef(ro, 'owner', p, defaultOwner) ?? defaultOwner } as RsDatabase['roles'][number];
    takeId(ro, p, (id) => (role.id = id));
    const ext = c.str(ro, 'externalId', p);
    if (ext !== undefined) role.externalId = ext;
    db.roles.push(role);
  });
  const roleNames = new Set(db.roles.map((r) => r.name));
  const isRole = (n: string) => roleNames.has(n) || (SYSTEM_ROLE_NAMES as readonly string[]).includes(n);

  // Identity providers
  c.array(o, 'identityProviders', path).forEach((s, i) => {
    const p = `${path}.identityProviders[${i}]`;
    const io = c.object(s, p);
    if (!io) return;
    c.known(io, ['name', 'id', 'type', 'namespace', 'params', 'enabled'], p);
    const n = c.name(io, 'name', p);
    const type = (c.str(io, 'type', p) ?? 'azure').toLowerCase();
    const namespace = c.str(io, 'namespace', p, true);
    if (n === undefined || namespace === undefined) return;
    if (db.identityProviders.some((x) => x.name === n)) return c.fail(`${p}.name`, `duplicate identity provider ${n}`);
    if (db.identityProviders.some((x) => x.namespace === namespace)) return c.fail(`${p}.namespace`, `namespace ${namespace} is used by another provider`);
    const params = io.params === undefined ? {} : c.object(io.params, `${p}.params`) ?? {};
    const idp = { name: n, id: 0, type, namespace, params, enabled: c.boolean(io, 'enabled', p) ?? true };
    takeId(io, p, (id) => (idp.id = id));
    db.identityProviders.push(idp);
  });

  // Schemas and tables (a database always has "public").
  c.array(o, 'schemas', path).forEach((s, i) => {
    const p = `${path}.schemas[${i}]`;
    const so = typeof s === 'string' ? { name: s } : c.object(s, p);
    if (!so) return;
    c.known(so, ['name', 'owner', 'tables', 'functions'], p);
    const n = c.name(so, 'name', p);
    if (n === undefined) return;
    if (db.schemas.some((x) => x.name === n)) return c.fail(`${p}.name`, `duplicate schema ${n}`);
    const owner = userRef(so, 'owner', p, defaultOwner) ?? defaultOwner;
    const schema: RsSchema = { name: n, owner, tables: [] };
    c.array(so, 'tables', p).forEach((t, j) => {
      const tp = `${p}.tables[${j}]`;
      const to = typeof t === 'string' ? { name: t } : c.object(t, tp);
      if (!to) return;
      c.known(to, ['name', 'owner', 'columns'], tp);
      const tn = c.name(to, 'name', tp);
      if (tn === undefined) return;
      if (schema.tables.some((x) => x.name === tn)) return c.fail(`${tp}.name`, `duplicate table ${n}.${tn}`);
      // Columns are optional: without them, any column name is accepted in column grants.
      const columns = to.columns === undefined ? undefined : c.array(to, 'columns', tp).map((_, k) => c.name(to.columns as Json, String(k), `${tp}.columns`) ?? '');
      if (columns && new Set(columns).size !== columns.length) c.fail(`${tp}.columns`, `duplicate column in ${n}.${tn}`);
      schema.tables.push({ name: tn, owner: userRef(to, 'owner', tp, owner) ?? owner, ...(columns ? { columns } : {}) });
    });
    c.array(so, 'functions', p).forEach((f, j) => {
      const fp = `${p}.functions[${j}]`;
      const fo = c.object(f, fp);
      if (!fo) return;
      c.known(fo, ['name', 'arguments', 'kind', 'owner'], fp);
      const fn = c.name(fo, 'name', fp);
      const args = (c.str(fo, 'arguments', fp) ?? '').split(',').map((a) => a.trim().replace(/ +/g, ' ').toLowerCase()).filter((a) => a !== '').join(', ');
      const kind = c.str(fo, 'kind', fp) ?? 'function';
      if (fn === undefined) return;
      if (kind !== 'function' && kind !== 'procedure') return c.fail(`${fp}.kind`, 'expected "function" or "procedure"');
      if (!/^[a-z0-9_ ,]*$/.test(args)) return c.fail(`${fp}.arguments`, 'expected type names separated by commas, e.g. "integer, character varying"');
      schema.functions ??= [];
      if (schema.functions.some((x) => x.name === fn && x.args === args)) return c.fail(`${fp}.name`, `duplicate function ${n}.${fn}(${args})`);
      schema.functions.push({ name: fn, args, kind, owner: userRef(fo, 'owner', fp, owner) ?? owner });
    });
    db.schemas.push(schema);
  });
  if (!db.schemas.some((s) => s.name === 'public')) db.schemas.unshift({ name: 'public', owner: defaultOwner, tables: [] });

  // Grants
  const grantee = (go: Json, p: string, allowPublic: boolean): { granteeType: GranteeType; grantee: string } | undefined => {
    const t = c.str(go, 'granteeType', p) ?? 'role';
    if (t !== 'role' && t !== 'user' && !(allowPublic && t === 'public')) {
      c.fail(`${p}.granteeType`, `expected ${allowPublic ? 'role, user or public' : 'role or user'}, got ${JSON.stringify(t)}`);
      return undefined;
    }
    if (t === 'public') return { granteeType: 'public', grantee: 'public' };
    const n = c.name(go, 'grantee', p);
    if (n === undefined) return undefined;
    if (t === 'role' && !isRole(n)) c.fail(`${p}.grantee`, `no role ${JSON.stringify(n)} in this database`);
    if (t === 'user' && !userNames.has(n)) c.fail(`${p}.grantee`, `no user ${JSON.stringify(n)} in this database`);
    return { granteeType: t, grantee: n };
  };
  const privilege = (go: Json, p: string, allowed: readonly string[]): string | undefined => {
    const v = c.str(go, 'privilege', p, true)?.toUpperCase().replace(/\s+/g, ' ');
    if (v !== undefined && !allowed.includes(v)) {
      c.fail(`${p}.privilege`, `expected one of ${allowed.join(', ')}`);
      return undefined;
    }
    return v;
  };
  const schemaRef = (go: Json, p: string): string | undefined => {
    const n = c.name(go, 'schema', p);
    if (n !== undefined && !db.schemas.some((s) => s.name === n)) c.fail(`${p}.schema`, `no schema ${JSON.stringify(n)} in this database`);
    return n;
  };

  // The same grant listed twice is a mistake (REVOKE would remove only one of them).
  const seen = new Set<string>();
  const unique = (p: string, ...key: unknown[]): boolean => {
    const k = JSON.stringify([p.replace(/\[\d+\]$/, ''), ...key]);
    if (seen.has(k)) {
      c.fail(p, 'duplicate grant');
      return false;
    }
    seen.add(k);
    return true;
  };

  c.array(o, 'roleGrants', path).forEach((s, i) => {
    const p = `${path}.roleGrants[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['role', 'granteeType', 'grantee', 'adminOption'], p);
    const role = c.name(go, 'role', p);
    const g = grantee(go, p, false);
    if (role === undefined || !g) return;
    if (!isRole(role)) return c.fail(`${p}.role`, `no role ${JSON.stringify(role)} in this database`);
    if (g.granteeType === 'role' && isSystemRole(g.grantee)) return c.fail(`${p}.grantee`, 'roles cannot be granted to a system role');
    if (!unique(p, role, g.granteeType, g.grantee)) return;
    db.roleGrants.push({ role, granteeType: g.granteeType as 'user' | 'role', grantee: g.grantee, adminOption: c.boolean(go, 'adminOption', p) ?? false });
  });
  // Cycles among role grants.
  const parents = (r: string) => db.roleGrants.filter((g) => g.granteeType === 'role' && g.grantee === r).map((g) => g.role);
  for (const role of roleNames) {
    const seen = new Set<string>();
    const stack = parents(role);
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === role) {
        c.fail(`${path}.roleGrants`, `role ${role} is granted to itself through the role hierarchy (a cycle)`);
        break;
      }
      if (seen.has(x)) continue;
      seen.add(x);
      stack.push(...parents(x));
    }
  }
  c.array(o, 'systemPrivileges', path).forEach((s, i) => {
    const p = `${path}.systemPrivileges[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['privilege', 'role'], p);
    const priv = privilege(go, p, SYSTEM_PRIVILEGES);
    const role = c.name(go, 'role', p);
    if (priv === undefined || role === undefined) return;
    if (!roleNames.has(role)) return c.fail(`${p}.role`, `no role ${JSON.stringify(role)} in this database (system privileges go to custom roles)`);
    if (!unique(p, priv, role)) return;
    db.systemPrivileges.push({ privilege: priv, role });
  });
  c.array(o, 'schemaPrivileges', path).forEach((s, i) => {
    const p = `${path}.schemaPrivileges[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['schema', 'scope', 'privilege', 'granteeType', 'grantee', 'grantOption'], p);
    const schema = schemaRef(go, p);
    // scope TABLES or FUNCTIONS: a scoped permission (GRANT ... FOR TABLES IN SCHEMA).
    const scope = c.str(go, 'scope', p);
    if (scope !== undefined && scope !== 'TABLES' && scope !== 'FUNCTIONS') return c.fail(`${p}.scope`, 'expected TABLES or FUNCTIONS');
    const priv = privilege(go, p, scope === 'TABLES' ? TABLE_PRIVILEGES : scope === 'FUNCTIONS' ? ['EXECUTE'] : SCHEMA_PRIVILEGES);
    const g = grantee(go, p, true);
    if (schema === undefined || priv === undefined || !g) return;
    if (!unique(p, schema, scope ?? 'SCHEMA', priv, g.granteeType, g.grantee)) return;
    db.schemaPrivileges.push({ schema, ...(scope ? { scope: scope as 'TABLES' | 'FUNCTIONS' } : {}), privilege: priv, ...g, grantOption: c.boolean(go, 'grantOption', p) ?? false });
  });
  c.array(o, 'tablePrivileges', path).forEach((s, i) => {
    const p = `${path}.tablePrivileges[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['schema', 'table', 'privilege', 'granteeType', 'grantee', 'grantOption'], p);
    const schema = schemaRef(go, p);
    const table = c.name(go, 'table', p);
    const priv = privilege(go, p, TABLE_PRIVILEGES);
    const g = grantee(go, p, true);
    if (schema === undefined || table === undefined || priv === undefined || !g) return;
    if (!db.schemas.find((x) => x.name === schema)?.tables.some((t) => t.name === table)) c.fail(`${p}.table`, `no table ${schema}.${table} in this database`);
    if (!unique(p, schema, table, priv, g.granteeType, g.grantee)) return;
    db.tablePrivileges.push({ schema, table, privilege: priv, ...g, grantOption: c.boolean(go, 'grantOption', p) ?? false });
  });
  c.array(o, 'columnPrivileges', path).forEach((s, i) => {
    const p = `${path}.columnPrivileges[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['schema', 'table', 'column', 'privilege', 'granteeType', 'grantee', 'grantOption'], p);
    const schema = schemaRef(go, p);
    const table = c.name(go, 'table', p);
    const column = c.name(go, 'column', p);
    const priv = privilege(go, p, ['SELECT', 'UPDATE']);
    const g = grantee(go, p, true);
    if (schema === undefined || table === undefined || column === undefined || priv === undefined || !g) return;
    const t = db.schemas.find((x) => x.name === schema)?.tables.find((x) => x.name === table);
    if (!t) return c.fail(`${p}.table`, `no table ${schema}.${table} in this database`);
    if (t.columns && !t.columns.includes(column)) return c.fail(`${p}.column`, `no column ${column} in table ${schema}.${table}`);
    if (!unique(p, schema, table, column, priv, g.granteeType, g.grantee)) return;
    db.columnPrivileges.push({ schema, table, column, privilege: priv, ...g, grantOption: c.boolean(go, 'grantOption', p) ?? false });
  });
  c.array(o, 'sharedDatabases', path).forEach((s, i) => {
    const p = `${path}.sharedDatabases[${i}]`;
    if (typeof s !== 'string' || !s) return c.fail(p, 'must be a database name');
    const name = s.toLowerCase();
    if (name === db.name || db.sharedDatabases.includes(name)) return c.fail(p, `database ${name} is listed twice`);
    db.sharedDatabases.push(name);
  });
  c.array(o, 'databasePrivileges', path).forEach((s, i) => {
    const p = `${path}.databasePrivileges[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['database', 'privilege', 'granteeType', 'grantee', 'grantOption'], p);
    // A database created from a datashare takes USAGE only; this database CREATE and TEMP.
    const database = typeof go.database === 'string' ? go.database.toLowerCase() : undefined;
    if (database !== undefined && database !== db.name && !db.sharedDatabases.includes(database)) return c.fail(`${p}.database`, `no database ${database}: list it in sharedDatabases`);
    const shared = database !== undefined && database !== db.name;
    const priv = privilege(go, p, shared ? ['USAGE'] : ['CREATE', 'TEMP']);
    const g = grantee(go, p, true);
    if (priv === undefined || !g) return;
    if (!unique(p, 'database', shared ? database : '', priv, g.granteeType, g.grantee)) return;
    db.databasePrivileges.push({ ...(shared ? { database } : {}), privilege: priv, ...g, grantOption: c.boolean(go, 'grantOption', p) ?? false });
  });
  c.array(o, 'functionPrivileges', path).forEach((s, i) => {
    const p = `${path}.functionPrivileges[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['schema', 'function', 'arguments', 'privilege', 'granteeType', 'grantee', 'grantOption'], p);
    const schema = schemaRef(go, p);
    const fn = c.name(go, 'function', p);
    const args = (c.str(go, 'arguments', p) ?? '').split(',').map((a) => a.trim().replace(/ +/g, ' ').toLowerCase()).filter((a) => a !== '').join(', ');
    const priv = privilege(go, p, ['EXECUTE']);
    const g = grantee(go, p, true);
    if (schema === undefined || fn === undefined || priv === undefined || !g) return;
    if (!db.schemas.find((x) => x.name === schema)?.functions?.some((f) => f.name === fn && f.args === args)) return c.fail(`${p}.function`, `no function ${schema}.${fn}(${args}) in this database`);
    if (!unique(p, schema, fn, args, priv, g.granteeType, g.grantee)) return;
    db.functionPrivileges.push({ schema, function: fn, args, privilege: priv, ...g, grantOption: c.boolean(go, 'grantOption', p) ?? false });
  });
  c.array(o, 'defaultPrivileges', path).forEach((s, i) => {
    const p = `${path}.defaultPrivileges[${i}]`;
    const go = c.object(s, p);
    if (!go) return;
    c.known(go, ['owner', 'schema', 'objects', 'privilege', 'granteeType', 'grantee', 'grantOption'], p);
    const owner = userRef(go, 'owner', p);
    const schema = go.schema === null || go.schema === undefined ? null : schemaRef(go, p);
    const objects = c.str(go, 'objects', p);
    if (objects !== undefined && objects !== 'TABLES' && objects !== 'FUNCTIONS' && objects !== 'PROCEDURES') return c.fail(`${p}.objects`, 'expected TABLES, FUNCTIONS or PROCEDURES');
    const priv = privilege(go, p, objects === 'FUNCTIONS' || objects === 'PROCEDURES' ? ['EXECUTE'] : TABLE_PRIVILEGES);
    const g = grantee(go, p, true);
    if (owner === undefined || schema === undefined || priv === undefined || !g) return;
    if (!unique(p, owner, schema, objects ?? 'TABLES', priv, g.granteeType, g.grantee)) return;
    const on = objects === 'FUNCTIONS' || objects === 'PROCEDURES' ? { objects: objects as 'FUNCTIONS' | 'PROCEDURES' } : {};
    db.defaultPrivileges.push({ owner, schema, ...on, privilege: priv, ...g, grantOption: c.boolean(go, 'grantOption', p) ?? false });
  });

  // Ids: explicit ones kept, the others handed out after the highest in use.
  let next = Math.max(100, ...[...usedIds].map((x) => x + 1));
  const explicitNext = c.integer(o, 'nextId', path, 1, 2_147_483_647);
  if (explicitNext !== undefined) next = Math.max(next, explicitNext);
  for (const p of pendingIds) p.set(next++);
  db.nextId = next;
  return db;
}
