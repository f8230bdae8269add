/**
 * Facts about Redshift and PostgreSQL that both lint and the runtime rely on
 * (../shared/reference/redshift.md). Pure: no connection, no SDK.
 */
import { compileWildcard, patternProblem } from '../../core/wildcard.js';
import type { ColumnPrivileges, RedshiftGrantsSpec, TablePrivileges } from './spec.generated.js';

export type Dialect = RedshiftGrantsSpec['connection']['dialect'];
export type TablePrivilege = TablePrivileges[number];
export type ColumnPrivilege = ColumnPrivileges[number];

/** The system-defined roles: grantable only (never created, altered or dropped). */
export const SYSTEM_ROLES = ['sys:dba', 'sys:monitor', 'sys:operator', 'sys:secadmin', 'sys:superuser'] as const;
export const SYSTEM_ROLE_PREFIX = 'sys:';

export function isSystemRoleName(name: string): boolean {
  return name.toLowerCase().startsWith(SYSTEM_ROLE_PREFIX);
}

export function isKnownSystemRole(name: string): boolean {
  return (SYSTEM_ROLES as readonly string[]).includes(name.toLowerCase());
}

/** Identifiers are limited to 127 bytes of UTF-8 on Redshift (PostgreSQL: 63, but Charter checks the Redshift limit for both). */
export const MAX_IDENTIFIER_BYTES = 127;

export function identifierBytes(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

/**
 * The key two names are compared by: Redshift folds even quoted identifiers to lower case
 * (unless enable_case_sensitive_identifier), PostgreSQL keeps quoted identifiers as written.
 */
export function nameKey(name: string, dialect: Dialect): string {
  return dialect === 'redshift' ? name.toLowerCase() : name;
}

/** Table privileges each dialect knows. */
export const TABLE_PRIVILEGES: Record<Dialect, readonly TablePrivilege[]> = {
  redshift: ['select', 'insert', 'update', 'delete', 'references', 'truncate', 'drop', 'alter'],
  postgres: ['select', 'insert', 'update', 'delete', 'references', 'truncate', 'trigger'],
};

/** Schema privileges each dialect knows (Redshift adds ALTER and DROP on schemas). */
export const SCHEMA_PRIVILEGES: Record<Dialect, readonly string[]> = {
  redshift: ['usage', 'create', 'alter', 'drop'],
  postgres: ['usage', 'create'],
};

/** Database privileges each dialect knows (GRANT ... ON DATABASE; CONNECT is PostgreSQL's). */
export const DATABASE_PRIVILEGES: Record<Dialect, readonly string[]> = {
  redshift: ['create', 'temp'],
  postgres: ['create', 'temp', 'connect'],
};

/** Column privileges each dialect knows (Redshift: GRANT ... (columns) takes SELECT and UPDATE only). */
export const COLUMN_PRIVILEGES: Record<Dialect, readonly ColumnPrivilege[]> = {
  redshift: ['select', 'update'],
  postgres: ['select', 'insert', 'update', 'references'],
};

/** PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 = 63 bytes (with only a NOTICE). */
export const POSTGRES_MAX_IDENTIFIER_BYTES = 63;

/** The identifier limit of a dialect, in UTF-8 bytes: longer names are refused (Redshift) or silently truncated (PostgreSQL). */
export function maxIdentifierBytes(dialect: Dialect): number {
  return dialect === 'redshift' ? MAX_IDENTIFIER_BYTES : POSTGRES_MAX_IDENTIFIER_BYTES;
}

/**
 * The namespace of an identity-provider user or role (`oauth_aad` in `oauth_aad:rsgroup`), or
 * undefined for a name without a colon. Lower-cased: Redshift folds namespaces like other names.
 */
export function namespaceOf(name: string): string | undefined {
  const colon = name.indexOf(':');
  return colon > 0 ? name.slice(0, colon).toLowerCase() : undefined;
}

/**
 * Prefixes Redshift itself gives to principals that no CREATE IDENTITY PROVIDER declares: `IAM:` users
 * and `IAMR:` roles of IAM identities (Query Editor v2, Redshift Serverless).
 */
export const AWS_PRINCIPAL_NAMESPACES: readonly string[] = ['iam', 'iamr'];

/**
 * A matcher for manage.ignorePrincipals (core/wildcard.ts: `*`, `?`, `[a-z]`, `[!a]`, `{a,b}`, `\` escapes),
 * linear in the name. Principal names are not paths: `*` matches every character, `/`, dots and newlines
 * included, so a hostile name cannot slip past `*`. The whole name must match. On Redshift the match
 * ignores case, as Redshift compares names lower-cased. Patterns lint refuses (patternProblem) match
 * nothing here; plan never runs with that lint error.
 */
export function principalMatcher(patterns: readonly string[], dialect: Dialect): (name: string) => string | undefined {
  const compiled = patterns.filter((p) => patternProblem(p) === undefined).map((pattern) => ({ pattern, test: compileWildcard(pattern, { ignoreCase: dialect === 'redshift' }) }));
  return (name) => compiled.find((c) => c.test(name))?.pattern;
}
