import { SYSTEM_PRIVILEGES } from './privileges.js';

/**
 * The Redshift part of the sandbox state: clusters and Serverless workgroups, each with
 * databases holding users, roles, identity providers, schemas, tables and grants. This is both
 * the in-memory catalog the SQL engine works on and what the state file holds (normalised form;
 * see normalize.ts for the hand-written form).
 */

export type GranteeType = 'user' | 'role' | 'public';

export interface RsUser {
  name: string;
  id: number;
  /** CREATEUSER: a superuser. */
  superuser: boolean;
  createdb: boolean;
  /** PASSWORD DISABLE (identity-provider users). */
  passwordDisabled: boolean;
  /**
   * The stored password verifier, as PG_USER_INFO.passwd shows it to superusers: an md5 hash as sent, or
   * Redshift's own md5 of a clear-text password and the user name; a sha256 form as sent. Absent with a
   * password set: a user from the state file whose password is unknown (shown masked).
   */
  passwordHash?: string;
  syslogAccess: 'RESTRICTED' | 'UNRESTRICTED';
  connectionLimit: number | 'UNLIMITED';
  sessionTimeout?: number;
  validUntil?: string;
  externalId?: string;
}

export interface RsRole {
  name: string;
  id: number;
  /** User name of the owner (the creator). */
  owner: string;
  externalId?: string;
}

/** `GRANT ROLE role TO {user | ROLE grantee}`. */
export interface RsRoleGrant {
  role: string;
  granteeType: 'user' | 'role';
  grantee: string;
  adminOption: boolean;
}

/** `GRANT <privilege> TO ROLE role` (system privileges go to roles only). */
export interface RsSystemGrant {
  privilege: string;
  role: string;
}

export interface RsTable {
  name: string;
  owner: string;
  /** Column names (lower case); undefined when unknown (then any column name is accepted). */
  columns?: string[];
}

/** A user-defined function or stored procedure (from the state file). */
export interface RsFunction {
  name: string;
  /** Argument types, lower case, `, `-separated (`integer, character varying`), as SVV_FUNCTION_PRIVILEGES shows them. */
  args: string;
  kind: 'function' | 'procedure';
  owner: string;
}

export interface RsSchema {
  name: string;
  owner: string;
  tables: RsTable[];
  functions?: RsFunction[];
}

export interface RsObjectGrant {
  /** Upper case, e.g. USAGE, SELECT. */
  privilege: string;
  granteeType: GranteeType;
  /** 'public' for PUBLIC. */
  grantee: string;
  grantOption: boolean;
}

export interface RsSchemaGrant extends RsObjectGrant {
  schema: string;
  /** Scoped permission (GRANT ... FOR TABLES | FUNCTIONS IN SCHEMA); absent: a privilege on the schema itself. */
  scope?: 'TABLES' | 'FUNCTIONS';
}

export interface RsTableGrant extends RsObjectGrant {
  schema: string;
  table: string;
}

/** `GRANT SELECT (column) ON TABLE schema.table`: SELECT or UPDATE on one column. */
export interface RsColumnGrant extends RsObjectGrant {
  schema: string;
  table: string;
  column: string;
}

/** `GRANT EXECUTE ON {FUNCTION | PROCEDURE} schema.name(args)`. */
export interface RsFunctionGrant extends RsObjectGrant {
  schema: string;
  function: string;
  args: string;
}

/** ALTER DEFAULT PRIVILEGES FOR USER owner [IN SCHEMA schema] GRANT privilege ON TABLES TO grantee. */
export interface RsDefaultGrant extends RsObjectGrant {
  owner: string;
  /** null = every schema (no IN SCHEMA). */
  schema: string | null;
  /** ON FUNCTIONS or ON PROCEDURES; absent: ON TABLES. */
  objects?: 'FUNCTIONS' | 'PROCEDURES';
}

export interface RsIdentityProvider {
  name: string;
  id: number;
  type: string;
  namespace: string;
  /** The PARAMETERS JSON object, client_secret included (never returned by queries). */
  params: Record<string, unknown>;
  enabled: boolean;
}

export interface RsDatabase {
  name: string;
  users: RsUser[];
  roles: RsRole[];
  roleGrants: RsRoleGrant[];
  systemPrivileges: RsSystemGrant[];
  schemas: RsSchema[];
  schemaPrivileges: RsSchemaGrant[];
  tablePrivileges: RsTableGrant[];
  columnPrivileges: RsColumnGrant[];
  functionPrivileges: RsFunctionGrant[];
  /**
   * `GRANT {CREATE | TEMP} ON DATABASE <this database>`, and `GRANT USAGE ON DATABASE <d>` for a database `d`
   * of sharedDatabases (its name in `database`).
   */
  databasePrivileges: Array<RsObjectGrant & { database?: string }>;
  /** Databases created from datashares (CREATE DATABASE … FROM DATASHARE), as this database's sessions see them. */
  sharedDatabases: string[];
  defaultPrivileges: RsDefaultGrant[];
  identityProviders: RsIdentityProvider[];
  /** Next user/role/provider id. */
  nextId: number;
}

export interface RsCluster {
  identifier: string;
  region: string;
  databases: RsDatabase[];
}

export interface RsWorkgroup {
  name: string;
  region: string;
  databases: RsDatabase[];
}

export interface RedshiftState {
  /** Secrets Manager secrets the Data API can use (SecretArn → database user). */
  secrets: Record<string, { username: string }>;
  clusters: RsCluster[];
  workgroups: RsWorkgroup[];
}

export interface RedshiftSettings {
  /** DescribeStatement calls answering STARTED before a statement reports its outcome. 0 = at once. */
  statementFinishAfterPolls: number;
  /**
   * How long each SQL statement runs (ms): a submission of n statements is SUBMITTED/STARTED for n times
   * this after it was accepted (a batch runs its statements one after another). 0 = only polls count.
   */
  statementRunMs: number;
  /** Rows per GetStatementResult page. */
  resultPageSize: number;
}

export function defaultRedshiftSettings(): RedshiftSettings {
  return { statementFinishAfterPolls: 1, statementRunMs: 0, resultPageSize: 1000 };
}

export function emptyRedshiftState(): RedshiftState {
  return { secrets: {}, clusters: [], workgroups: [] };
}

export function emptyDatabase(name: string): RsDatabase {
  return {
    name,
    users: [],
    roles: [],
    roleGrants: [],
    systemPrivileges: [],
    schemas: [],
    schemaPrivileges: [],
    tablePrivileges: [],
    columnPrivileges: [],
    functionPrivileges: [],
    databasePrivileges: [],
    sharedDatabases: [],
    defaultPrivileges: [],
    identityProviders: [],
    nextId: 100,
  };
}

// ---------------------------------------------------------------------------------------------
// System roles (Redshift docs, "System-defined roles for RBAC")

export const SYSTEM_ROLE_NAMES = ['sys:dba', 'sys:monitor', 'sys:operator', 'sys:secadmin', 'sys:superuser'] as const;

const MONITOR = ['ACCESS CATALOG', 'ACCESS SYSTEM TABLE'];
const OPERATOR = [...MONITOR, 'ANALYZE', 'CANCEL', 'VACUUM'];
const DBA = [
  ...OPERATOR,
  'CREATE SCHEMA', 'CREATE TABLE', 'DROP SCHEMA', 'DROP TABLE', 'TRUNCATE TABLE', 'CREATE OR REPLACE PROCEDURE', 'DROP PROCEDURE',
  'CREATE OR REPLACE FUNCTION', 'CREATE OR REPLACE EXTERNAL FUNCTION', 'CREATE OR REPLACE VIEW', 'DROP VIEW',
];
const SECADMIN = ['CREATE USER', 'ALTER USER', 'DROP USER', 'CREATE ROLE', 'DROP ROLE', 'EXPLAIN RLS', 'IGNORE RLS', 'EXPLAIN MASKING'];

/**
 * System privileges built into each system role (Redshift docs, "Amazon Redshift system-defined
 * roles"); sys:superuser has every system privilege and acts as a superuser. svv_system_privileges
 * lists them, as Redshift does.
 */
export const SYSTEM_ROLE_PRIVILEGES: Record<string, readonly string[]> = {
  'sys:monitor': MONITOR,
  'sys:operator': OPERATOR,
  'sys:dba': DBA,
  'sys:secadmin': SECADMIN,
  'sys:superuser': SYSTEM_PRIVILEGES,
};

/** Fixed ids for the system roles. */
export const SYSTEM_ROLE_IDS: Record<string, number> = {
  'sys:superuser': 1,
  'sys:dba': 2,
  'sys:operator': 3,
  'sys:monitor': 4,
  'sys:secadmin': 5,
};

export function isSystemRole(name: string): boolean {
  return name.startsWith('sys:');
}

export const MAX_IDENTIFIER_BYTES = 127;

/** The roles a user or role holds, directly or through other roles (a role does not hold itself). */
export function heldRoles(db: RsDatabase, granteeType: 'user' | 'role', grantee: string): Set<string> {
  const out = new Set<string>();
  const stack = db.roleGrants.filter((g) => g.granteeType === granteeType && g.grantee === grantee).map((g) => g.role);
  while (stack.length > 0) {
    const r = stack.pop()!;
    if (out.has(r)) continue;
    out.add(r);
    for (const g of db.roleGrants) if (g.granteeType === 'role' && g.grantee === r) stack.push(g.role);
  }
  return out;
}

/**
 * A copy of a database to run a transaction on. Every object the engine mutates in place is
 * copied; provider `params` are only ever replaced, so they are shared. (Much faster than
 * structuredClone on large catalogs.)
 */
export function cloneDatabase(db: RsDatabase): RsDatabase {
  return {
    name: db.name,
    users: db.users.map((u) => ({ ...u })),
    roles: db.roles.map((r) => ({ ...r })),
    roleGrants: db.roleGrants.map((g) => ({ ...g })),
    systemPrivileges: db.systemPrivileges.map((p) => ({ ...p })),
    schemas: db.schemas.map((s) => ({ ...s, tables: s.tables.map((t) => ({ ...t })), ...(s.functions ? { functions: s.functions.map((f) => ({ ...f })) } : {}) })),
    columnPrivileges: db.columnPrivileges.map((g) => ({ ...g })),
    functionPrivileges: db.functionPrivileges.map((g) => ({ ...g })),
    databasePrivileges: db.databasePrivileges.map((g) => ({ ...g })),
    sharedDatabases: [...db.sharedDatabases],
    schemaPrivileges: db.schemaPrivileges.map((g) => ({ ...g })),
    tablePrivileges: db.tablePrivileges.map((g) => ({ ...g })),
    defaultPrivileges: db.defaultPrivileges.map((g) => ({ ...g })),
    identityProviders: db.identityProviders.map((p) => ({ ...p })),
    nextId: db.nextId,
  };
}
