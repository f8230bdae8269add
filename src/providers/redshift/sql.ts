/**
 * Every SQL statement Charter sends, per dialect. Identifiers are always double-quoted (`"` doubled) and
 * string literals single-quoted (`'` doubled), so no name can end a statement early.
 * Syntax: ../shared/reference/redshift.md and the Redshift/PostgreSQL GRANT, REVOKE, CREATE/DROP ROLE
 * and USER, ALTER DEFAULT PRIVILEGES and CREATE/ALTER/DROP IDENTITY PROVIDER pages.
 */
import type { Dialect } from './rules.js';

export type PrincipalKind = 'role' | 'user';

/** Who a privilege is granted to: a role, a user, or PUBLIC (every user, present and future). */
export type GranteeKind = PrincipalKind | 'public';

export interface Grantee {
  name: string;
  kind: GranteeKind;
}

/** How plans name PUBLIC. It is a keyword, never an identifier: `TO PUBLIC`, not `TO "PUBLIC"`. */
export const PUBLIC_NAME = 'PUBLIC';

/** PUBLIC as a grantee. */
export const PUBLIC_GRANTEE: Grantee = { name: PUBLIC_NAME, kind: 'public' };

/** What a privilege is on. `table` null means every existing table of the schema. */
export type PrivilegeTarget =
  | { type: 'system' }
  | { type: 'schema'; schema: string }
  /** The database the policy connects to; `database` is its name as the catalog reports it ('' until the diff knows it). */
  | { type: 'database'; database: string }
  | { type: 'table'; schema: string; table: string | null }
  | { type: 'column'; schema: string; table: string; column: string }
  /** A function or stored procedure by name and argument types (normalised: see `routineArgs`). */
  | { type: 'routine'; kind: RoutineKind; schema: string; name: string; args: string }
  /** A database created from a datashare (Redshift): USAGE only. */
  | { type: 'sharedDatabase'; database: string }
  /** Every existing function (or procedure) of the schema: GRANT ... ON ALL FUNCTIONS | ALL PROCEDURES IN SCHEMA (desired state only). */
  | { type: 'allRoutines'; kind: RoutineKind; schema: string }
  /** Redshift scoped permissions: every table or function of the schema, present and future. */
  | { type: 'scoped'; schema: string; objects: 'tables' | 'functions' }
  /** Default privileges of an owner's future objects: tables unless `objects` says functions or procedures. */
  | { type: 'future'; schema: string; owner: string; objects?: 'functions' | 'procedures' };

export type RoutineKind = 'function' | 'procedure';

/**
 * Argument types as Charter compares and sends them: lower case, single spaces, `, ` between types
 * (`integer, character varying`). Only letters, digits, `_`, spaces and commas: anything else is refused,
 * so the list can be written into a statement unquoted.
 */
export function routineArgs(args: string): string {
  if (!/^[A-Za-z0-9_ ,]*$/.test(args)) throw new Error(`unexpected characters in argument types ${JSON.stringify(args)}`);
  return args
    .split(',')
    .map((a) => a.trim().replace(/ +/g, ' ').toLowerCase())
    .filter((a, i, all) => a !== '' || all.length > 1)
    .join(', ');
}

/** `name(argument types)` → its parts, or undefined when it is not of that form. */
export function parseSignature(signature: string): { name: string; args: string } | undefined {
  const m = /^([^()]+)\(([A-Za-z0-9_ ,]*)\)$/.exec(signature);
  return m ? { name: m[1], args: routineArgs(m[2]) } : undefined;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A Redshift string literal. Redshift reads a backslash in a literal as an escape (`'a\nb'` holds a newline,
 * `'it\'s'` a quote; its QUOTE_LITERAL doubles backslashes), so both `\` and `'` are doubled: the value
 * arrives unchanged and cannot end the literal early. Only Redshift statements (identity providers) use it.
 */
export function quoteLiteral(value: string): string {
  return `'${escapeLiteralBody(value)}'`;
}

function escapeLiteralBody(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "''");
}

/** Shown in place of the client secret in every plan; substituted from the environment at apply time. */
export const SECRET_PLACEHOLDER = '***';

/** Canonical order of privileges inside one statement (and in plans). */
const PRIVILEGE_ORDER = ['connect', 'usage', 'create', 'temp', 'select', 'insert', 'update', 'delete', 'references', 'truncate', 'drop', 'alter', 'trigger'];

export function sortPrivileges(privileges: Iterable<string>): string[] {
  const rank = (p: string) => {
    const i = PRIVILEGE_ORDER.indexOf(p);
    return i < 0 ? PRIVILEGE_ORDER.length : i;
  };
  return [...new Set(privileges)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** `TO ROLE "r"` / `TO "u"` on Redshift; PostgreSQL has no ROLE keyword (users are roles). */
function principal(dialect: Dialect, g: Grantee): string {
  if (g.kind === 'public') return 'PUBLIC';
  return dialect === 'redshift' && g.kind === 'role' ? `ROLE ${quoteIdent(g.name)}` : quoteIdent(g.name);
}

function target(t: PrivilegeTarget): string {
  switch (t.type) {
    case 'schema':
      return ` ON SCHEMA ${quoteIdent(t.schema)}`;
    case 'database':
    case 'sharedDatabase':
      return ` ON DATABASE ${quoteIdent(t.database)}`;
    case 'table':
      return t.table === null ? ` ON ALL TABLES IN SCHEMA ${quoteIdent(t.schema)}` : ` ON TABLE ${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
    case 'routine':
      return ` ON ${t.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION'} ${quoteIdent(t.schema)}.${quoteIdent(t.name)}(${routineArgs(t.args)})`;
    case 'allRoutines':
      return ` ON ALL ${t.kind === 'procedure' ? 'PROCEDURES' : 'FUNCTIONS'} IN SCHEMA ${quoteIdent(t.schema)}`;
    default:
      return '';
  }
}

function privilegeList(t: PrivilegeTarget, privileges: string[]): string {
  // System privileges are spelled as in the docs (`TRUNCATE TABLE`); object privileges are upper-cased keywords.
  return (t.type === 'system' ? [...privileges].sort() : sortPrivileges(privileges).map((p) => p.toUpperCase())).join(', ');
}

/**
 * GRANT or REVOKE of privileges on one target to one grantee. `grantOption` (schema, database, table and
 * routine targets): a grant WITH GRANT OPTION, or a revoke of only the grant option (REVOKE GRANT OPTION
 * FOR …, the privileges kept; no CASCADE, so it fails while the grantee has passed them on).
 */
export function privilegeSql(dialect: Dialect, op: 'grant' | 'revoke', t: PrivilegeTarget, privileges: string[], g: Grantee, grantOption = false): string {
  if (grantOption) {
    if (g.kind === 'public' || !['schema', 'database', 'table', 'routine', 'allRoutines'].includes(t.type)) throw new Error('a grant option is only for schema, database, table and routine privileges of a role or user');
    const list = privilegeList(t, privileges);
    const who = principal(dialect, g);
    return op === 'grant' ? `GRANT ${list}${target(t)} TO ${who} WITH GRANT OPTION` : `REVOKE GRANT OPTION FOR ${list}${target(t)} FROM ${who}`;
  }
  if (t.type === 'scoped') {
    const scope = ` FOR ${t.objects === 'functions' ? 'FUNCTIONS' : 'TABLES'} IN SCHEMA ${quoteIdent(t.schema)}`;
    const list = sortPrivileges(privileges).map((p) => p.toUpperCase()).join(', ');
    return op === 'grant' ? `GRANT ${list}${scope} TO ${principal(dialect, g)}` : `REVOKE ${list}${scope} FROM ${principal(dialect, g)}`;
  }
  if (t.type === 'column') return columnPrivilegeSql(dialect, op, t.schema, t.table, new Map(privileges.map((p) => [p, [t.column]])), g);
  const list = privilegeList(t, privileges);
  const who = principal(dialect, g);
  if (t.type === 'future') {
    const owner = `FOR ${dialect === 'redshift' ? 'USER' : 'ROLE'} ${quoteIdent(t.owner)} IN SCHEMA ${quoteIdent(t.schema)}`;
    const objects = t.objects === 'functions' ? 'FUNCTIONS' : t.objects === 'procedures' ? 'PROCEDURES' : 'TABLES';
    return op === 'grant'
      ? `ALTER DEFAULT PRIVILEGES ${owner} GRANT ${list} ON ${objects} TO ${who}`
      : `ALTER DEFAULT PRIVILEGES ${owner} REVOKE ${list} ON ${objects} FROM ${who}`;
  }
  return op === 'grant' ? `GRANT ${list}${target(t)} TO ${who}` : `REVOKE ${list}${target(t)} FROM ${who}`;
}

/**
 * GRANT or REVOKE of column privileges on one table to one grantee, each privilege with its own column
 * list (`GRANT SELECT ("a", "b"), UPDATE ("b") ON TABLE "s"."t" TO ...`: the same form on Redshift and
 * PostgreSQL). `columns` maps a privilege to its columns (kept in the order given); privileges come out in canonical order.
 */
export function columnPrivilegeSql(dialect: Dialect, op: 'grant' | 'revoke', schema: string, table: string, columns: ReadonlyMap<string, readonly string[]>, g: Grantee): string {
  const list = sortPrivileges(columns.keys())
    .map((p) => `${p.toUpperCase()} (${[...new Set(columns.get(p))].map(quoteIdent).join(', ')})`)
    .join(', ');
  const on = ` ON TABLE ${quoteIdent(schema)}.${quoteIdent(table)}`;
  const who = principal(dialect, g);
  return op === 'grant' ? `GRANT ${list}${on} TO ${who}` : `REVOKE ${list}${on} FROM ${who}`;
}

/**
 * GRANT/REVOKE of a role to a role or user (membership). `admin`: a grant WITH ADMIN OPTION, or a revoke of
 * only the admin option (REVOKE ADMIN OPTION FOR ...), the membership itself kept.
 */
export function membershipSql(dialect: Dialect, op: 'grant' | 'revoke', role: string, member: Grantee, admin = false): string {
  const adminFor = admin && op === 'revoke' ? 'ADMIN OPTION FOR ' : '';
  const withAdmin = admin && op === 'grant' ? ' WITH ADMIN OPTION' : '';
  if (dialect === 'postgres') {
    return op === 'grant' ? `GRANT ${quoteIdent(role)} TO ${quoteIdent(member.name)}${withAdmin}` : `REVOKE ${adminFor}${quoteIdent(role)} FROM ${quoteIdent(member.name)}`;
  }
  return op === 'grant' ? `GRANT ROLE ${quoteIdent(role)} TO ${principal(dialect, member)}${withAdmin}` : `REVOKE ${adminFor}ROLE ${quoteIdent(role)} FROM ${principal(dialect, member)}`;
}

/**
 * `password`: the user gets a password (the placeholder until apply, see `withPassword`); `attributes`:
 * the user's declared attributes, as options of the same statement.
 */
export function createPrincipalSql(dialect: Dialect, p: { name: string; kind: PrincipalKind; externalId?: string; password?: boolean; attributes?: UserAttributes }): string {
  const withPw = p.kind === 'user' && p.password;
  const options = p.kind === 'user' && p.attributes ? userAttributeOptions(dialect, p.attributes).map((o) => ` ${o}`).join('') : '';
  if (dialect === 'postgres') return p.kind === 'user' ? `CREATE ROLE ${quoteIdent(p.name)} LOGIN${withPw ? ` ${PASSWORD_PLACEHOLDER}` : ''}${options}` : `CREATE ROLE ${quoteIdent(p.name)}`;
  if (p.kind === 'user') return `CREATE USER ${quoteIdent(p.name)} ${withPw ? PASSWORD_PLACEHOLDER : 'PASSWORD DISABLE'}${options}`;
  // Redshift's own example spells the external id as a quoted identifier: EXTERNALID "ABC123".
  return p.externalId === undefined ? `CREATE ROLE ${quoteIdent(p.name)}` : `CREATE ROLE ${quoteIdent(p.name)} EXTERNALID ${quoteIdent(p.externalId)}`;
}

/** User attributes a policy may declare; an absent one is left as it is. */
export interface UserAttributes {
  createdb?: boolean;
  connectionLimit?: number | 'unlimited';
  /** Redshift only. */
  syslogAccess?: 'restricted' | 'unrestricted';
  /** When the password stops working: `validUntil` canonical form (UTC `YYYY-MM-DDTHH:MM:SSZ`) or 'infinity'. */
  validUntil?: string;
}

/**
 * A VALID UNTIL value in the one form Charter compares: 'infinity' (never expires), or the instant in UTC as
 * `YYYY-MM-DDTHH:MM:SSZ` (fractions of a second dropped). Accepts a date (midnight UTC), a date and time
 * with `T` or a space, and an optional zone (`Z`, `+hh`, `+hh:mm`, `+hhmm`; none means UTC, as Redshift's
 * sessions run in UTC). Undefined when the text is not such a timestamp (or not a real date: 2027-02-30).
 */
export function validUntilValue(text: string): string | undefined {
  const t = text.trim();
  if (/^infinity$/i.test(t)) return 'infinity';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(t);
  if (!m) return undefined;
  const [Y, M, D, H, MI, S] = m.slice(1, 7).map((v) => Number(v ?? 0));
  if (M < 1 || M > 12 || D < 1 || D > 31 || H > 23 || MI > 59 || S > 59) return undefined;
  const local = Date.UTC(Y, M - 1, D, H, MI, S);
  const check = new Date(local);
  if (check.getUTCFullYear() !== Y || check.getUTCMonth() !== M - 1 || check.getUTCDate() !== D) return undefined;
  let offset = 0;
  const zone = m[7];
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000;
  }
  return new Date(local - offset).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The literal sent for a canonical VALID UNTIL value: UTC, with its zone spelled out on PostgreSQL. */
function validUntilLiteral(dialect: Dialect, value: string): string {
  if (value === 'infinity') return "'infinity'";
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) throw new Error('VALID UNTIL must be a canonical timestamp');
  const plain = value.replace('T', ' ').replace('Z', '');
  return `'${plain}${dialect === 'postgres' ? '+00' : ''}'`;
}

/**
 * The CREATE USER / ALTER USER option of each declared attribute, in a fixed order: `CREATEDB`,
 * `CONNECTION LIMIT 10` (PostgreSQL spells unlimited -1), `SYSLOG ACCESS UNRESTRICTED` (Redshift),
 * `VALID UNTIL '2027-01-01 00:00:00'` (UTC; PostgreSQL with `+00`).
 */
export function userAttributeOptions(dialect: Dialect, a: UserAttributes): string[] {
  const out: string[] = [];
  if (a.createdb !== undefined) out.push(a.createdb ? 'CREATEDB' : 'NOCREATEDB');
  if (a.connectionLimit !== undefined) {
    if (a.connectionLimit !== 'unlimited' && !(Number.isSafeInteger(a.connectionLimit) && a.connectionLimit >= 0)) throw new Error('connection limit must be a non-negative integer');
    out.push(`CONNECTION LIMIT ${a.connectionLimit === 'unlimited' ? (dialect === 'redshift' ? 'UNLIMITED' : '-1') : a.connectionLimit}`);
  }
  if (a.syslogAccess !== undefined && dialect === 'redshift') out.push(`SYSLOG ACCESS ${a.syslogAccess === 'unrestricted' ? 'UNRESTRICTED' : 'RESTRICTED'}`);
  if (a.validUntil !== undefined) out.push(`VALID UNTIL ${validUntilLiteral(dialect, a.validUntil)}`);
  return out;
}

/** One ALTER per attribute (Redshift's ALTER USER takes the options one at a time in its examples). */
export function alterUserAttributeSql(dialect: Dialect, user: string, option: string): string {
  return `${dialect === 'redshift' ? 'ALTER USER' : 'ALTER ROLE'} ${quoteIdent(user)} ${option}`;
}

/**
 * Changes when a user's password expires. Redshift's ALTER USER takes VALID UNTIL only after a password
 * (`PASSWORD … VALID UNTIL`), so there the password is sent again (the placeholder until apply); PostgreSQL
 * alters it alone.
 */
export function alterValidUntilSql(dialect: Dialect, user: string, value: string): string {
  if (dialect === 'postgres') return `ALTER ROLE ${quoteIdent(user)} VALID UNTIL ${validUntilLiteral(dialect, value)}`;
  return `ALTER USER ${quoteIdent(user)} ${PASSWORD_PLACEHOLDER} VALID UNTIL ${validUntilLiteral(dialect, value)}`;
}

/** Shown in place of a password hash in every plan; `withPassword` substitutes it at apply time. */
export const PASSWORD_PLACEHOLDER = `PASSWORD '${SECRET_PLACEHOLDER}'`;

/** Sets a user's password (`set`: the placeholder) or removes it (Redshift PASSWORD DISABLE, PostgreSQL PASSWORD NULL). */
export function alterPasswordSql(dialect: Dialect, user: string, set: boolean): string {
  if (dialect === 'postgres') return `ALTER ROLE ${quoteIdent(user)} ${set ? PASSWORD_PLACEHOLDER : 'PASSWORD NULL'}`;
  return `ALTER USER ${quoteIdent(user)} ${set ? PASSWORD_PLACEHOLDER : 'PASSWORD DISABLE'}`;
}

/**
 * The reviewed statement with the password's hash form in place of the placeholder. Hash forms hold only
 * hex, base64, `$` and `:`, never a quote. Used only when executing; the result must never be logged.
 */
export function withPassword(statement: string, hash: string): string {
  if (!/^[A-Za-z0-9+/=$:-]+$/.test(hash)) throw new Error('refusing a password hash with unexpected characters');
  return statement.replace(PASSWORD_PLACEHOLDER, () => `PASSWORD '${hash}'`);
}

export function alterExternalIdSql(role: string, externalId: string): string {
  return `ALTER ROLE ${quoteIdent(role)} EXTERNALID TO ${quoteIdent(externalId)}`;
}

/** PostgreSQL only: a role becomes a user (LOGIN) or stops being one. */
export function alterLoginSql(role: string, login: boolean): string {
  return `ALTER ROLE ${quoteIdent(role)} ${login ? 'LOGIN' : 'NOLOGIN'}`;
}

/** Drops never cascade: RESTRICT on Redshift roles (its default, spelled out), plain DROP elsewhere. */
export function dropPrincipalSql(dialect: Dialect, p: { name: string; kind: PrincipalKind }): string {
  if (dialect === 'postgres') return `DROP ROLE ${quoteIdent(p.name)}`;
  return p.kind === 'user' ? `DROP USER ${quoteIdent(p.name)}` : `DROP ROLE ${quoteIdent(p.name)} RESTRICT`;
}

export interface IdentityProviderParams {
  issuer: string;
  clientId: string;
  audience: string[];
}

/** The PARAMETERS JSON; the secret is always the placeholder here (see `withSecret`). */
export function idpParameters(p: IdentityProviderParams): string {
  return JSON.stringify({ issuer: p.issuer, client_id: p.clientId, client_secret: SECRET_PLACEHOLDER, audience: p.audience });
}

export function createIdpSql(name: string, type: string, namespace: string, p: IdentityProviderParams): string {
  return `CREATE IDENTITY PROVIDER ${quoteIdent(name)} TYPE ${type} NAMESPACE ${quoteLiteral(namespace)} PARAMETERS ${quoteLiteral(idpParameters(p))}`;
}

/** ALTER replaces every parameter, so the secret is sent again. */
export function alterIdpParametersSql(name: string, p: IdentityProviderParams): string {
  return `ALTER IDENTITY PROVIDER ${quoteIdent(name)} PARAMETERS ${quoteLiteral(idpParameters(p))}`;
}

export function alterIdpNamespaceSql(name: string, namespace: string): string {
  return `ALTER IDENTITY PROVIDER ${quoteIdent(name)} NAMESPACE ${quoteLiteral(namespace)}`;
}

export function alterIdpEnabledSql(name: string, enabled: boolean): string {
  return `ALTER IDENTITY PROVIDER ${quoteIdent(name)} ${enabled ? 'ENABLE' : 'DISABLE'}`;
}

/** Never CASCADE: that would drop the provider's users and roles. */
export function dropIdpSql(name: string): string {
  return `DROP IDENTITY PROVIDER ${quoteIdent(name)}`;
}

const PLACEHOLDER_FIELD = `"client_secret":"${SECRET_PLACEHOLDER}"`;

/**
 * The reviewed statement with the real secret in place of the placeholder, escaped for JSON inside a SQL
 * literal. Used only when executing; the result must never be logged.
 */
export function withSecret(statement: string, secret: string): string {
  if (!statement.includes(PLACEHOLDER_FIELD)) return statement;
  const value = escapeLiteralBody(JSON.stringify(secret));
  return statement.replace(PLACEHOLDER_FIELD, () => `"client_secret":${value}`);
}

/** The secret as it appears inside a sent statement (JSON-escaped, then literal-escaped): an error echoing the statement is redacted too. */
export function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, json, escapeLiteralBody(json)])];
}
