/**
 * Executes parsed statements against one database's catalog (model.ts), with Redshift's rules
 * and error messages for the forms the sandbox supports. Mutates `db` in place: callers run a
 * transaction on a copy (see engine.ts).
 */
import { createHash } from 'node:crypto';
import { SqlError } from './errors.js';
import {
  heldRoles,
  isSystemRole,
  MAX_IDENTIFIER_BYTES,
  SYSTEM_ROLE_NAMES,
  SYSTEM_ROLE_PRIVILEGES,
  type RsDatabase,
  type RsDefaultGrant,
  type RsObjectGrant,
  type RsRole,
  type RsSchema,
  type RsUser,
} from './model.js';
import type { Grantee, QName, Statement, UserOptions } from './parser.js';
import { runSelect, type ResultSet } from './views.js';

export interface Session {
  /** The connected database user (lower case). */
  user: string;
}

const q = (name: string) => `"${name}"`;

// ---------------------------------------------------------------------------------------------
// Lookups and effective privileges

export function findUser(db: RsDatabase, name: string): RsUser | undefined {
  return db.users.find((u) => u.name === name);
}

export function findRole(db: RsDatabase, name: string): RsRole | undefined {
  return db.roles.find((r) => r.name === name);
}

function roleExists(db: RsDatabase, name: string): boolean {
  return isSystemRole(name) ? (SYSTEM_ROLE_NAMES as readonly string[]).includes(name) : findRole(db, name) !== undefined;
}

/** Superuser (CREATEUSER) or holder of sys:superuser. */
export function isSuperuser(db: RsDatabase, user: string): boolean {
  if (findUser(db, user)?.superuser) return true;
  return heldRoles(db, 'user', user).has('sys:superuser');
}

export function hasSystemPrivilege(db: RsDatabase, user: string, privilege: string): boolean {
  if (isSuperuser(db, user)) return true;
  for (const r of heldRoles(db, 'user', user)) {
    if (SYSTEM_ROLE_PRIVILEGES[r]?.includes(privilege)) return true;
    if (db.systemPrivileges.some((p) => p.role === r && p.privilege === privilege)) return true;
  }
  return false;
}

/** Sees every row of the SVV views: superusers and holders of ACCESS SYSTEM TABLE. */
export function seesEverything(db: RsDatabase, user: string): boolean {
  return hasSystemPrivilege(db, user, 'ACCESS SYSTEM TABLE');
}

/** Sees every row of SVV_RELATION_PRIVILEGES (Redshift docs): superusers and users with SYSLOG ACCESS UNRESTRICTED. */
export function seesAllRelationPrivileges(db: RsDatabase, user: string): boolean {
  return isSuperuser(db, user) || findUser(db, user)?.syslogAccess === 'UNRESTRICTED';
}

function requireSystemPrivilege(db: RsDatabase, s: Session, privilege: string, what: string): void {
  if (!hasSystemPrivilege(db, s.user, privilege)) throw new SqlError(`permission denied to ${what} (requires superuser or the ${privilege} system permission)`);
}

function requireSuperuser(db: RsDatabase, s: Session, what: string): void {
  if (!isSuperuser(db, s.user)) throw new SqlError(`permission denied: only a superuser can ${what}`);
}

function checkName(name: string): void {
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) throw new SqlError(`identifier "${name.slice(0, 40)}..." is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
}

/** Names PostgreSQL reserves, and the `ds:` prefix of Redshift's datasharing principals. */
function checkReserved(name: string, what: 'role' | 'user'): void {
  if (['public', 'none', 'current_user', 'session_user', 'current_role'].includes(name)) throw new SqlError(`${what} name "${name}" is reserved`);
  if (name.startsWith('ds:')) throw new SqlError(`cannot create ${what} ${q(name)}: the "ds:" prefix is reserved for datasharing`);
}

function schemaOf(db: RsDatabase, name: string): RsSchema {
  const s = db.schemas.find((x) => x.name === name);
  if (!s) throw new SqlError(`schema ${q(name)} does not exist`);
  return s;
}

/** Resolve a table name through the search path ('$user', public). */
function resolveTable(db: RsDatabase, s: Session, n: QName): { schema: RsSchema; table: string } | undefined {
  const candidates = n.schema !== undefined ? [n.schema] : [s.user, 'public'];
  for (const sc of candidates) {
    const schema = db.schemas.find((x) => x.name === sc);
    if (schema?.tables.some((t) => t.name === n.name)) return { schema, table: n.name };
  }
  return undefined;
}

function tableLabel(n: QName): string {
  return n.schema !== undefined ? `${n.schema}.${n.name}` : n.name;
}

function newId(db: RsDatabase): number {
  return db.nextId++;
}

/** Grantees must exist; WITH GRANT OPTION only for users. */
function checkGrantees(db: RsDatabase, grantees: Grantee[]): void {
  for (const g of grantees) {
    if (g.type === 'role' && !roleExists(db, g.name)) throw new SqlError(`role ${q(g.name)} does not exist`);
    if (g.type === 'user' && !findUser(db, g.name)) throw new SqlError(`user ${q(g.name)} does not exist`);
    if (g.withOption && g.type !== 'user') throw new SqlError('grant options can only be granted to users');
  }
}

function sameGrantee(a: RsObjectGrant, g: Grantee): boolean {
  return a.granteeType === g.type && a.grantee === g.name;
}

/** Add or remove object grants in `list`, keyed by `match`. */
function applyObjectGrants<T extends RsObjectGrant>(
  list: T[],
  action: 'grant' | 'revoke',
  privileges: string[],
  grantees: Grantee[],
  grantOptionOnly: boolean,
  match: (g: T) => boolean,
  make: (privilege: string, g: Grantee) => T,
): T[] {
  let out = list;
  for (const g of grantees) {
    for (const p of privileges) {
      const existing = out.find((x) => match(x) && x.privilege === p && sameGrantee(x, g));
      if (action === 'grant') {
        if (existing) existing.grantOption = existing.grantOption || g.withOption;
        else out.push(make(p, g));
      } else if (existing) {
        if (grantOptionOnly) existing.grantOption = false;
        else out = out.filter((x) => x !== existing);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Execution

export interface ExecResult {
  /** Present for queries. */
  resultSet?: ResultSet;
  /** Rows affected / returned (-1 when not applicable, as the Data API reports). */
  rows: number;
}

export function execute(db: RsDatabase, s: Session, st: Statement): ExecResult {
  switch (st.kind) {
    case 'selectCurrentUser':
      return { resultSet: { columns: [{ name: 'current_user', type: 'name' }], rows: [[s.user]] }, rows: 1 };
    case 'select': {
      const resultSet = runSelect(db, s.user, st, seesEverything(db, s.user), seesAllRelationPrivileges(db, s.user));
      return { resultSet, rows: resultSet.rows.length };
    }
    case 'createRole':
      createRole(db, s, st.name, st.externalId);
      break;
    case 'alterRole':
      alterRole(db, s, st);
      break;
    case 'dropRole':
      dropRole(db, s, st.name, st.mode);
      break;
    case 'createUser':
      createUser(db, s, st.name, st.options);
      break;
    case 'alterUser':
      alterUser(db, s, st.name, st.options);
      break;
    case 'dropUser':
      for (const n of st.names) dropUser(db, s, n, st.ifExists);
      break;
    case 'createIdp':
    case 'alterIdp':
    case 'dropIdp':
      identityProvider(db, s, st);
      break;
    case 'roleGrant':
      roleGrant(db, s, st);
      break;
    case 'systemPrivilege':
      systemPrivilege(db, s, st);
      break;
    case 'schemaPrivilege':
      schemaPrivilege(db, s, st);
      break;
    case 'tablePrivilege':
      tablePrivilege(db, s, st);
      break;
    case 'columnPrivilege':
      columnPrivilege(db, s, st);
      break;
    case 'functionPrivilege':
      functionPrivilege(db, s, st);
      break;
    case 'databasePrivilege':
      checkGrantees(db, st.grantees);
      for (const name of st.databases) {
        // The sandbox runs each statement in one database: only that one, or a database created from a datashare, can be named.
        const shared = db.sharedDatabases.includes(name);
        if (name !== db.name && !shared) throw new SqlError(`database ${q(name)} does not exist`);
        if (shared && st.privileges.some((p) => p !== 'USAGE')) throw new SqlError(`${st.privileges.find((p) => p !== 'USAGE')} cannot be granted on ${q(name)}: it is a database created from a datashare (USAGE only)`);
        if (!shared && st.privileges.includes('USAGE')) throw new SqlError(`USAGE can be granted only on a database created from a datashare; ${q(name)} is not one`);
      }
      if (!isSuperuser(db, s.user)) throw new SqlError(`permission denied for database ${db.name}`);
      for (const name of st.databases) {
        const inThis = (x: { database?: string }) => (x.database ?? db.name) === name;
        db.databasePrivileges = applyObjectGrants(db.databasePrivileges, st.action, st.privileges, st.grantees, st.grantOptionOnly, inThis, (privilege, g) => ({
          ...(name === db.name ? {} : { database: name }),
          privilege,
          granteeType: g.type,
          grantee: g.name,
          grantOption: g.withOption,
        }));
      }
      break;
    case 'defaultPrivilege':
      defaultPrivilege(db, s, st);
      break;
    case 'createSchema':
      createSchema(db, s, st);
      break;
    case 'dropSchema':
      dropSchema(db, s, st);
      break;
    case 'createTable':
      createTable(db, s, st.name, st.ifNotExists, st.columns);
      break;
    case 'dropTable':
      for (const n of st.names) dropTable(db, s, n, st.ifExists);
      break;
  }
  return { rows: 0 };
}

// --- roles -------------------------------------------------------------------------------------

function createRole(db: RsDatabase, s: Session, name: string, externalId: string | undefined): void {
  requireSystemPrivilege(db, s, 'CREATE ROLE', 'create role');
  checkName(name);
  if (isSystemRole(name)) throw new SqlError(`cannot create role ${q(name)}: the "sys:" prefix is reserved for system roles`);
  checkReserved(name, 'role');
  if (findRole(db, name)) throw new SqlError(`role ${q(name)} already exists`);
  if (findUser(db, name)) throw new SqlError(`role ${q(name)} cannot have the same name as an existing user`);
  const role: RsRole = { name, id: newId(db), owner: s.user };
  if (externalId !== undefined) role.externalId = externalId;
  db.roles.push(role);
}

function ownsOrSuper(db: RsDatabase, s: Session, role: RsRole): boolean {
  return isSuperuser(db, s.user) || role.owner === s.user || db.roleGrants.some((g) => g.role === role.name && g.granteeType === 'user' && g.grantee === s.user && g.adminOption);
}

function alterRole(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'alterRole' }>): void {
  if (isSystemRole(st.name)) throw new SqlError(`cannot alter system role ${q(st.name)}`);
  const role = findRole(db, st.name);
  if (!role) throw new SqlError(`role ${q(st.name)} does not exist`);
  if (!ownsOrSuper(db, s, role)) throw new SqlError(`permission denied to alter role ${q(st.name)}`);
  if (st.owner !== undefined) {
    if (!findUser(db, st.owner)) throw new SqlError(`user ${q(st.owner)} does not exist`);
    role.owner = st.owner;
  }
  if (st.externalId !== undefined) role.externalId = st.externalId;
  if (st.rename !== undefined) {
    checkName(st.rename);
    if (isSystemRole(st.rename)) throw new SqlError(`cannot rename role to ${q(st.rename)}: the "sys:" prefix is reserved for system roles`);
    if (findRole(db, st.rename)) throw new SqlError(`role ${q(st.rename)} already exists`);
    if (findUser(db, st.rename)) throw new SqlError(`role ${q(st.rename)} cannot have the same name as an existing user`);
    renamePrincipal(db, 'role', role.name, st.rename);
    role.name = st.rename;
  }
}

function dropRole(db: RsDatabase, s: Session, name: string, mode: 'force' | 'restrict'): void {
  if (isSystemRole(name)) throw new SqlError(`cannot drop system role ${q(name)}`);
  const role = findRole(db, name);
  if (!role) throw new SqlError(`role ${q(name)} does not exist`);
  if (!ownsOrSuper(db, s, role) && !hasSystemPrivilege(db, s.user, 'DROP ROLE')) throw new SqlError(`permission denied to drop role ${q(name)}`);
  if (mode === 'restrict') {
    if (db.roleGrants.some((g) => g.role === name && g.granteeType === 'user')) throw new SqlError('cannot drop this role since it has been granted on a user');
    if (db.roleGrants.some((g) => g.role === name && g.granteeType === 'role')) throw new SqlError('cannot drop this role since it has been granted on another role');
    if (db.roleGrants.some((g) => g.granteeType === 'role' && g.grantee === name)) throw new SqlError('cannot drop this role since it depends on another role');
  }
  db.roleGrants = db.roleGrants.filter((g) => g.role !== name && !(g.granteeType === 'role' && g.grantee === name));
  db.systemPrivileges = db.systemPrivileges.filter((p) => p.role !== name);
  const notHers = (g: RsObjectGrant) => !(g.granteeType === 'role' && g.grantee === name);
  db.schemaPrivileges = db.schemaPrivileges.filter(notHers);
  db.tablePrivileges = db.tablePrivileges.filter(notHers);
  db.columnPrivileges = db.columnPrivileges.filter(notHers);
  db.functionPrivileges = db.functionPrivileges.filter(notHers);
  db.databasePrivileges = db.databasePrivileges.filter(notHers);
  db.defaultPrivileges = db.defaultPrivileges.filter(notHers);
  db.roles = db.roles.filter((r) => r !== role);
}

function renamePrincipal(db: RsDatabase, type: 'user' | 'role', from: string, to: string): void {
  for (const g of db.roleGrants) {
    if (type === 'role' && g.role === from) g.role = to;
    if (g.granteeType === type && g.grantee === from) g.grantee = to;
  }
  if (type === 'role') for (const p of db.systemPrivileges) if (p.role === from) p.role = to;
  for (const g of [...db.schemaPrivileges, ...db.tablePrivileges, ...db.columnPrivileges, ...db.functionPrivileges, ...db.databasePrivileges, ...db.defaultPrivileges]) if (g.granteeType === type && g.grantee === from) g.grantee = to;
  if (type === 'user') {
    for (const r of db.roles) if (r.owner === from) r.owner = to;
    for (const sc of db.schemas) {
      if (sc.owner === from) sc.owner = to;
      for (const t of sc.tables) if (t.owner === from) t.owner = to;
    }
    for (const d of db.defaultPrivileges) if (d.owner === from) d.owner = to;
  }
}

// --- users -------------------------------------------------------------------------------------

/** Redshift's password rules (an md5/sha256 hash is accepted as is). */
/**
 * VALID UNTIL as PG_USER_INFO.valuntil shows it: 'infinity', or the UTC timestamp `YYYY-MM-DD HH:MM:SS`
 * (a date alone is midnight; a zone, when given, is applied; none means UTC, Redshift's session zone).
 */
function abstime(text: string): string {
  const t = text.trim();
  if (/^infinity$/i.test(t)) return 'infinity';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(t);
  const parts = m ? m.slice(1, 7).map((v) => Number(v ?? 0)) : [];
  const at = m ? Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]) : NaN;
  const d = new Date(at);
  if (!m || Number.isNaN(at) || d.getUTCMonth() !== parts[1] - 1 || d.getUTCDate() !== parts[2] || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) {
    throw new SqlError(`invalid input syntax for type abstime: "${text}"`);
  }
  const zone = /^([+-])(\d{2}):?(\d{2})?$/.exec(m[7] ?? '');
  const offset = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3] ?? 0)) * 60_000 : 0;
  return new Date(at - offset).toISOString().slice(0, 19).replace('T', ' ');
}

function checkPassword(pw: string): void {
  if (/^md5[0-9a-f]{32}$/.test(pw) || /^sha256\|/.test(pw)) return;
  if (pw.length < 8 || pw.length > 64) throw new SqlError('Password must be 8 to 64 characters long');
  if (!/[A-Z]/.test(pw)) throw new SqlError('Password must contain an uppercase character');
  if (!/[a-z]/.test(pw)) throw new SqlError('Password must contain a lowercase character');
  if (!/[0-9]/.test(pw)) throw new SqlError('Password must contain a number');
  if (/['"\\/@\s]/.test(pw)) throw new SqlError("Password cannot contain ', \", \\, /, @ or spaces");
}

function applyUserOptions(db: RsDatabase, s: Session, u: RsUser, o: UserOptions): void {
  if ((o.superuser !== undefined || o.syslogAccess !== undefined) && !isSuperuser(db, s.user)) {
    throw new SqlError('permission denied: only a superuser can set CREATEUSER or SYSLOG ACCESS');
  }
  if (o.password !== undefined) {
    if ('value' in o.password) {
      const pw = o.password.value;
      checkPassword(pw);
      u.passwordDisabled = false;
      // Redshift keeps a hash: the md5 form as sent, or the md5 of a clear-text password and the user name.
      u.passwordHash = /^(md5[0-9a-f]{32}|sha256\|.*)$/.test(pw) ? pw : `md5${createHash('md5').update(pw + u.name).digest('hex')}`;
    } else {
      u.passwordDisabled = true;
      delete u.passwordHash;
    }
  }
  if (o.createdb !== undefined) u.createdb = o.createdb;
  if (o.superuser !== undefined) u.superuser = o.superuser;
  if (o.syslogAccess !== undefined) u.syslogAccess = o.syslogAccess;
  if (o.connectionLimit !== undefined) u.connectionLimit = o.connectionLimit;
  if (o.sessionTimeout !== undefined) {
    if (o.sessionTimeout === null) delete u.sessionTimeout;
    else if (o.sessionTimeout < 60 || o.sessionTimeout > 1_728_000) throw new SqlError('SESSION TIMEOUT must be between 60 and 1728000 seconds');
    else u.sessionTimeout = o.sessionTimeout;
  }
  if (o.validUntil !== undefined) u.validUntil = abstime(o.validUntil);
  if (o.externalId !== undefined) u.externalId = o.externalId;
}

function createUser(db: RsDatabase, s: Session, name: string, o: UserOptions): void {
  requireSystemPrivilege(db, s, 'CREATE USER', 'create user');
  checkName(name);
  if (o.rename !== undefined) throw new SqlError('syntax error at or near "RENAME"');
  if (findUser(db, name)) throw new SqlError(`user ${q(name)} already exists`);
  if (findRole(db, name) || isSystemRole(name)) throw new SqlError(`user ${q(name)} cannot have the same name as an existing role`);
  checkReserved(name, 'user');
  const u: RsUser = { name, id: newId(db), superuser: false, createdb: false, passwordDisabled: false, syslogAccess: 'RESTRICTED', connectionLimit: 'UNLIMITED' };
  applyUserOptions(db, s, u, o);
  db.users.push(u);
}

function alterUser(db: RsDatabase, s: Session, name: string, o: UserOptions): void {
  const u = findUser(db, name);
  if (!u) throw new SqlError(`user ${q(name)} does not exist`);
  const self = name === s.user && Object.keys(o).every((k) => k === 'password' || k === 'validUntil');
  if (!self) requireSystemPrivilege(db, s, 'ALTER USER', 'alter user');
  applyUserOptions(db, s, u, o);
  if (o.rename !== undefined) {
    checkName(o.rename);
    if (name === s.user) throw new SqlError('current user cannot be renamed');
    if (findUser(db, o.rename)) throw new SqlError(`user ${q(o.rename)} already exists`);
    if (findRole(db, o.rename)) throw new SqlError(`user ${q(o.rename)} cannot have the same name as an existing role`);
    renamePrincipal(db, 'user', name, o.rename);
    u.name = o.rename;
  }
}

function dropUser(db: RsDatabase, s: Session, name: string, ifExists: boolean): void {
  requireSystemPrivilege(db, s, 'DROP USER', 'drop user');
  const u = findUser(db, name);
  if (!u) {
    if (ifExists) return;
    throw new SqlError(`user ${q(name)} does not exist`);
  }
  if (name === s.user) throw new SqlError('current user cannot be dropped');
  const owns =
    db.schemas.some((sc) => sc.owner === name || sc.tables.some((t) => t.owner === name)) ||
    db.roles.some((r) => r.owner === name) ||
    db.defaultPrivileges.some((d) => d.owner === name);
  if (owns) throw new SqlError(`user ${q(name)} can't be dropped because the user owns some object`);
  const isHis = (g: RsObjectGrant) => g.granteeType === 'user' && g.grantee === name;
  if (db.schemaPrivileges.some(isHis) || db.tablePrivileges.some(isHis) || db.columnPrivileges.some(isHis) || db.functionPrivileges.some(isHis) || db.databasePrivileges.some(isHis) || db.defaultPrivileges.some(isHis)) {
    throw new SqlError(`user ${q(name)} can't be dropped because the user has a privilege on some object`);
  }
  db.roleGrants = db.roleGrants.filter((g) => !(g.granteeType === 'user' && g.grantee === name));
  db.users = db.users.filter((x) => x !== u);
}

// --- identity providers ------------------------------------------------------------------------

function parseParams(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new SqlError('invalid identity provider parameters: not a JSON object');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SqlError('invalid identity provider parameters: not a JSON object');
  const p = v as Record<string, unknown>;
  for (const key of ['issuer', 'client_id', 'client_secret']) {
    if (typeof p[key] !== 'string' || p[key] === '') throw new SqlError(`invalid identity provider parameters: "${key}" is required`);
  }
  if (!Array.isArray(p.audience) || p.audience.length === 0 || p.audience.some((a) => typeof a !== 'string')) {
    throw new SqlError('invalid identity provider parameters: "audience" must be a non-empty list of strings');
  }
  return p;
}

function checkNamespace(ns: string): void {
  if (!/^[A-Za-z0-9_]{1,63}$/.test(ns)) throw new SqlError(`invalid namespace '${ns}'`);
}

function identityProvider(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'createIdp' | 'alterIdp' | 'dropIdp' }>): void {
  requireSuperuser(db, s, `${st.kind === 'createIdp' ? 'create' : st.kind === 'alterIdp' ? 'alter' : 'drop'} an identity provider`);
  const existing = db.identityProviders.find((p) => p.name === st.name);
  if (st.kind === 'createIdp') {
    checkName(st.name);
    if (existing) throw new SqlError(`identity provider ${q(st.name)} already exists`);
    if (st.type.toLowerCase() !== 'azure') throw new SqlError(`identity provider type "${st.type}" is not supported by the Charter sandbox (azure only)`);
    checkNamespace(st.namespace);
    if (db.identityProviders.some((p) => p.namespace === st.namespace)) throw new SqlError(`namespace '${st.namespace}' is already used by another identity provider`);
    if (st.params === undefined) throw new SqlError('PARAMETERS are required for an azure identity provider');
    db.identityProviders.push({ name: st.name, id: newId(db), type: 'azure', namespace: st.namespace, params: parseParams(st.params), enabled: st.enabled });
    return;
  }
  if (!existing) throw new SqlError(`identity provider ${q(st.name)} does not exist`);
  if (st.kind === 'alterIdp') {
    if (st.namespace !== undefined) {
      checkNamespace(st.namespace);
      if (db.identityProviders.some((p) => p !== existing && p.namespace === st.namespace)) throw new SqlError(`namespace '${st.namespace}' is already used by another identity provider`);
    }
    // ALTER replaces every parameter (the secret must be sent again).
    if (st.params !== undefined) existing.params = parseParams(st.params);
    if (st.namespace !== undefined) existing.namespace = st.namespace;
    if (st.enabled !== undefined) existing.enabled = st.enabled;
    return;
  }
  const prefix = `${existing.namespace}:`.toLowerCase();
  const users = db.users.filter((u) => u.name.startsWith(prefix));
  const roles = db.roles.filter((r) => r.name.startsWith(prefix));
  if (!st.cascade && (users.length > 0 || roles.length > 0)) {
    throw new SqlError(`cannot drop identity provider ${q(st.name)} because users or roles of namespace '${existing.namespace}' depend on it (use CASCADE to drop them too)`);
  }
  for (const r of roles) dropRole(db, s, r.name, 'force');
  for (const u of users) {
    const isHis = (g: RsObjectGrant) => !(g.granteeType === 'user' && g.grantee === u.name);
    db.schemaPrivileges = db.schemaPrivileges.filter(isHis);
    db.tablePrivileges = db.tablePrivileges.filter(isHis);
    db.columnPrivileges = db.columnPrivileges.filter(isHis);
    db.functionPrivileges = db.functionPrivileges.filter(isHis);
    db.databasePrivileges = db.databasePrivileges.filter(isHis);
    db.defaultPrivileges = db.defaultPrivileges.filter(isHis);
    dropUser(db, s, u.name, true);
  }
  db.identityProviders = db.identityProviders.filter((p) => p !== existing);
}

// --- role grants --------------------------------------------------------------------------------

function roleGrant(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'roleGrant' }>): void {
  for (const role of st.roles) {
    if (!roleExists(db, role)) throw new SqlError(`role ${q(role)} does not exist`);
    const r = findRole(db, role);
    const allowed =
      isSuperuser(db, s.user) ||
      heldRoles(db, 'user', s.user).has('sys:secadmin') ||
      (r !== undefined && ownsOrSuper(db, s, r));
    if (!allowed) throw new SqlError(`permission denied to ${st.action} role ${q(role)}`);
  }
  checkGrantees(db, st.grantees);
  for (const g of st.grantees) {
    if (g.type === 'role' && isSystemRole(g.name)) throw new SqlError(`cannot ${st.action} a role ${st.action === 'grant' ? 'to' : 'from'} system role ${q(g.name)}`);
  }
  for (const role of st.roles) {
    for (const g of st.grantees) {
      const type = g.type as 'user' | 'role';
      const existing = db.roleGrants.find((x) => x.role === role && x.granteeType === type && x.grantee === g.name);
      if (st.action === 'revoke') {
        if (!existing) continue;
        if (st.adminOptionOnly) existing.adminOption = false;
        else db.roleGrants = db.roleGrants.filter((x) => x !== existing);
        continue;
      }
      if (type === 'role') {
        if (role === g.name || heldRoles(db, 'role', role).has(g.name)) {
          throw new SqlError(`cannot grant role ${q(role)} to role ${q(g.name)}: it would create a cycle in the role hierarchy`);
        }
      }
      if (existing) existing.adminOption = existing.adminOption || g.withOption;
      else db.roleGrants.push({ role, granteeType: type, grantee: g.name, adminOption: g.withOption });
    }
  }
}

// --- privileges ---------------------------------------------------------------------------------

function systemPrivilege(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'systemPrivilege' }>): void {
  if (!isSuperuser(db, s.user) && !heldRoles(db, 'user', s.user).has('sys:secadmin')) {
    throw new SqlError(`permission denied to ${st.action} system permissions (requires superuser or sys:secadmin)`);
  }
  for (const role of st.roles) {
    if (isSystemRole(role)) throw new SqlError(`cannot ${st.action} system permissions ${st.action === 'grant' ? 'to' : 'from'} system role ${q(role)}`);
    if (!findRole(db, role)) throw new SqlError(`role ${q(role)} does not exist`);
    for (const p of st.privileges) {
      const has = db.systemPrivileges.some((x) => x.role === role && x.privilege === p);
      if (st.action === 'grant' && !has) db.systemPrivileges.push({ privilege: p, role });
      if (st.action === 'revoke' && has) db.systemPrivileges = db.systemPrivileges.filter((x) => !(x.role === role && x.privilege === p));
    }
  }
}

function canGrantOn(db: RsDatabase, s: Session, owner: string): boolean {
  return isSuperuser(db, s.user) || owner === s.user;
}

function schemaPrivilege(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'schemaPrivilege' }>): void {
  checkGrantees(db, st.grantees);
  for (const name of st.schemas) {
    const schema = schemaOf(db, name);
    if (!canGrantOn(db, s, schema.owner)) throw new SqlError(`permission denied for schema ${name}`);
    db.schemaPrivileges = applyObjectGrants(db.schemaPrivileges, st.action, st.privileges, st.grantees, st.grantOptionOnly, (x) => x.schema === name && x.scope === st.scope, (privilege, g) => ({
      schema: name,
      ...(st.scope ? { scope: st.scope } : {}),
      privilege,
      granteeType: g.type,
      grantee: g.name,
      grantOption: g.withOption,
    }));
  }
}

function tablePrivilege(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'tablePrivilege' }>): void {
  checkGrantees(db, st.grantees);
  const targets: Array<{ schema: string; table: string; owner: string }> = [];
  for (const n of st.tables ?? []) {
    const found = resolveTable(db, s, n);
    if (!found) throw new SqlError(`relation ${q(tableLabel(n))} does not exist`);
    targets.push({ schema: found.schema.name, table: found.table, owner: found.schema.tables.find((t) => t.name === found.table)!.owner });
  }
  for (const name of st.allTablesInSchemas ?? []) {
    const schema = schemaOf(db, name);
    for (const t of schema.tables) targets.push({ schema: name, table: t.name, owner: t.owner });
  }
  for (const t of targets) {
    if (!canGrantOn(db, s, t.owner)) throw new SqlError(`permission denied for relation ${t.table}`);
    db.tablePrivileges = applyObjectGrants(
      db.tablePrivileges,
      st.action,
      st.privileges,
      st.grantees,
      st.grantOptionOnly,
      (x) => x.schema === t.schema && x.table === t.table,
      (privilege, g) => ({ schema: t.schema, table: t.table, privilege, granteeType: g.type, grantee: g.name, grantOption: g.withOption }),
    );
  }
}

function functionPrivilege(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'functionPrivilege' }>): void {
  checkGrantees(db, st.grantees);
  const routines = [...st.routines];
  // ALL FUNCTIONS / ALL PROCEDURES IN SCHEMA: the routines of that kind that exist now (none is no error).
  for (const name of st.allInSchemas ?? []) {
    const schema = db.schemas.find((x) => x.name === name);
    if (!schema) throw new SqlError(`schema ${q(name)} does not exist`);
    for (const fn of schema.functions ?? []) if (fn.kind === st.routineKind) routines.push({ schema: schema.name, name: fn.name, args: fn.args });
  }
  for (const r of routines) {
    const schemaName = r.schema ?? (db.schemas.some((x) => x.name === s.user) ? s.user : 'public');
    const schema = db.schemas.find((x) => x.name === schemaName);
    const fn = schema?.functions?.find((f) => f.name === r.name && f.args === r.args);
    if (!schema || !fn || fn.kind !== st.routineKind) throw new SqlError(`${st.routineKind} ${schemaName}.${r.name}(${r.args}) does not exist`);
    if (!canGrantOn(db, s, fn.owner)) throw new SqlError(`permission denied for ${st.routineKind} ${fn.name}`);
    db.functionPrivileges = applyObjectGrants(
      db.functionPrivileges,
      st.action,
      ['EXECUTE'],
      st.grantees,
      st.grantOptionOnly,
      (x) => x.schema === schema.name && x.function === fn.name && x.args === fn.args,
      (privilege, g) => ({ schema: schema.name, function: fn.name, args: fn.args, privilege, granteeType: g.type, grantee: g.name, grantOption: g.withOption }),
    );
  }
}

function columnPrivilege(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'columnPrivilege' }>): void {
  checkGrantees(db, st.grantees);
  for (const n of st.tables) {
    const found = resolveTable(db, s, n);
    if (!found) throw new SqlError(`relation ${q(tableLabel(n))} does not exist`);
    const table = found.schema.tables.find((t) => t.name === found.table)!;
    if (!canGrantOn(db, s, table.owner)) throw new SqlError(`permission denied for relation ${table.name}`);
    for (const { privilege, columns } of st.privileges) {
      for (const column of columns) {
        if (table.columns && !table.columns.includes(column)) throw new SqlError(`column ${q(column)} of relation ${q(table.name)} does not exist`);
        db.columnPrivileges = applyObjectGrants(
          db.columnPrivileges,
          st.action,
          [privilege],
          st.grantees,
          st.grantOptionOnly,
          (x) => x.schema === found.schema.name && x.table === table.name && x.column === column,
          (p, g) => ({ schema: found.schema.name, table: table.name, column, privilege: p, granteeType: g.type, grantee: g.name, grantOption: g.withOption }),
        );
      }
    }
  }
}

function defaultPrivilege(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'defaultPrivilege' }>): void {
  checkGrantees(db, st.grantees);
  const owners = st.forUsers.length > 0 ? st.forUsers : [s.user];
  for (const o of owners) {
    if (!findUser(db, o)) throw new SqlError(`user ${q(o)} does not exist`);
    if (o !== s.user && !isSuperuser(db, s.user)) throw new SqlError(`permission denied: only a superuser can alter default privileges for user ${q(o)}`);
  }
  const schemas: Array<string | null> = st.schemas.length > 0 ? st.schemas : [null];
  for (const sc of schemas) if (sc !== null) schemaOf(db, sc);
  for (const owner of owners) {
    for (const schema of schemas) {
      db.defaultPrivileges = applyObjectGrants<RsDefaultGrant>(
        db.defaultPrivileges,
        st.action,
        st.privileges,
        st.grantees,
        st.grantOptionOnly,
        (x) => x.owner === owner && x.schema === schema && x.objects === st.objects,
        (privilege, g) => ({ owner, schema, ...(st.objects ? { objects: st.objects } : {}), privilege, granteeType: g.type, grantee: g.name, grantOption: g.withOption }),
      );
    }
  }
}

// --- schemas and tables -------------------------------------------------------------------------

function createSchema(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'createSchema' }>): void {
  requireSystemPrivilege(db, s, 'CREATE SCHEMA', 'create schema');
  checkName(st.name);
  if (db.schemas.some((x) => x.name === st.name)) {
    if (st.ifNotExists) return;
    throw new SqlError(`schema ${q(st.name)} already exists`);
  }
  const owner = st.authorization ?? s.user;
  if (!findUser(db, owner)) throw new SqlError(`user ${q(owner)} does not exist`);
  db.schemas.push({ name: st.name, owner, tables: [] });
}

function dropSchema(db: RsDatabase, s: Session, st: Extract<Statement, { kind: 'dropSchema' }>): void {
  for (const name of st.names) {
    const schema = db.schemas.find((x) => x.name === name);
    if (!schema) {
      if (st.ifExists) continue;
      throw new SqlError(`schema ${q(name)} does not exist`);
    }
    if (!canGrantOn(db, s, schema.owner) && !hasSystemPrivilege(db, s.user, 'DROP SCHEMA')) throw new SqlError(`permission denied for schema ${name}`);
    if (schema.tables.length > 0 && !st.cascade) throw new SqlError(`cannot drop schema ${name} because other objects depend on it`);
    db.schemas = db.schemas.filter((x) => x !== schema);
    db.schemaPrivileges = db.schemaPrivileges.filter((g) => g.schema !== name);
    db.tablePrivileges = db.tablePrivileges.filter((g) => g.schema !== name);
    db.columnPrivileges = db.columnPrivileges.filter((g) => g.schema !== name);
    db.functionPrivileges = db.functionPrivileges.filter((g) => g.schema !== name);
    db.defaultPrivileges = db.defaultPrivileges.filter((g) => g.schema !== name);
  }
}

function createTable(db: RsDatabase, s: Session, n: QName, ifNotExists: boolean, columns?: string[]): void {
  checkName(n.name);
  const schemaName = n.schema ?? (db.schemas.some((x) => x.name === s.user) ? s.user : 'public');
  const schema = schemaOf(db, schemaName);
  const roles = heldRoles(db, 'user', s.user);
  const mayCreate =
    hasSystemPrivilege(db, s.user, 'CREATE TABLE') ||
    schema.owner === s.user ||
    db.schemaPrivileges.some(
      (g) => g.schema === schema.name && g.privilege === 'CREATE' && (g.granteeType === 'public' || (g.granteeType === 'user' && g.grantee === s.user) || (g.granteeType === 'role' && roles.has(g.grantee))),
    );
  if (!mayCreate) throw new SqlError(`permission denied for schema ${schema.name}`);
  if (schema.tables.some((t) => t.name === n.name)) {
    if (ifNotExists) return;
    throw new SqlError(`relation ${q(n.name)} already exists`);
  }
  schema.tables.push({ name: n.name, owner: s.user, ...(columns ? { columns } : {}) });
  // Default privileges of the creator apply to the new table.
  for (const d of db.defaultPrivileges) {
    if (d.objects || d.owner !== s.user || (d.schema !== null && d.schema !== schema.name)) continue;
    const dup = db.tablePrivileges.some((g) => g.schema === schema.name && g.table === n.name && g.privilege === d.privilege && g.granteeType === d.granteeType && g.grantee === d.grantee);
    if (!dup) db.tablePrivileges.push({ schema: schema.name, table: n.name, privilege: d.privilege, granteeType: d.granteeType, grantee: d.grantee, grantOption: d.grantOption });
  }
}

function dropTable(db: RsDatabase, s: Session, n: QName, ifExists: boolean): void {
  const found = resolveTable(db, s, n);
  if (!found) {
    if (ifExists) return;
    throw new SqlError(`table ${q(tableLabel(n))} does not exist`);
  }
  const table = found.schema.tables.find((t) => t.name === found.table)!;
  if (!canGrantOn(db, s, table.owner) && !hasSystemPrivilege(db, s.user, 'DROP TABLE')) throw new SqlError(`permission denied for relation ${table.name}`);
  found.schema.tables = found.schema.tables.filter((t) => t !== table);
  db.tablePrivileges = db.tablePrivileges.filter((g) => !(g.schema === found.schema.name && g.table === table.name));
  db.columnPrivileges = db.columnPrivileges.filter((g) => !(g.schema === found.schema.name && g.table === table.name));
}
