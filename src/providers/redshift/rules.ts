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
 * A matcher for manage.ignorePrincipals. Principal names are not paths, so the glob syntax is the
 * part of picomatch's that makes sense for names: `*` any run of characters (also none, and also `/`),
 * `?` exactly one character, `[abc]`, `[a-z]`, `[!a]` / `[^a]` one character of (not of) a class,
 * `{a,b}` alternatives (nestable) and `\` to take the next character literally. The whole name must
 * match. On Redshift the match ignores case, as Redshift compares names lower-cased.
 */
export function principalMatcher(patterns: readonly string[], dialect: Dialect): (name: string) => string | undefined {
  const compiled = patterns.map((pattern) => ({ pattern, test: compileGlob(pattern, dialect === 'redshift') }));
  return (name) => compiled.find((c) => c.test(name))?.pattern;
}

function compileGlob(glob: string, ignoreCase: boolean): (name: string) => boolean {
  try {
    const re = new RegExp(`^(?:${globSource(glob)})$`, ignoreCase ? 'isu' : 'su');
    return (name) => re.test(name);
  } catch {
    // An invalid class range ([z-a]): the pattern can only mean itself.
    return (name) => (ignoreCase ? name.toLowerCase() === glob.toLowerCase() : name === glob);
  }
}

const REGEXP_SYNTAX = /[.*+?^${}()|[\]\\/]/g;

function globSource(glob: string): string {
  let out = '';
  let depth = 0;
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\' && i + 1 < chars.length) {
      out += chars[++i].replace(REGEXP_SYNTAX, '\\$&');
    } else if (c === '*') {
      while (chars[i + 1] === '*') i++;
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      // `]` right after `[` (or `[!`) is a literal member of the class.
      let start = i + 1;
      const negate = chars[start] === '!' || chars[start] === '^';
      if (negate) start++;
      const end = chars.indexOf(']', start + 1);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      const body = chars
        .slice(start, end)
        .map((m) => (m === '\\' || m === '[' || m === ']' || m === '^' ? `\\${m}` : m))
        .join('');
      out += `[${negate ? '^' : ''}${body}]`;
      i = end;
    } else if (c === '{' && closingBrace(chars, i) > 0) {
      depth++;
      out += '(?:';
    } else if (c === ',' && depth > 0) {
      out += '|';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else {
      out += c.replace(REGEXP_SYNTAX, '\\$&');
    }
  }
  return out;
}

/** Index of the `}` that closes the `{` at `open`, or -1 when it is never closed (then `{` is literal). */
function closingBrace(chars: readonly string[], open: number): number {
  let depth = 0;
  for (let i = open; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === '{') depth++;
    else if (chars[i] === '}' && --depth === 0) return i;
  }
  return -1;
}
