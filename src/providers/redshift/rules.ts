/**
 * Facts about Redshift and PostgreSQL that both lint and the runtime rely on
 * (../shared/reference/redshift.md). Pure: no connection, no SDK.
 */
import type { RedshiftGrantsSpec, TablePrivileges } from './spec.generated.js';

export type Dialect = RedshiftGrantsSpec['connection']['dialect'];
export type TablePrivilege = TablePrivileges[number];

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
