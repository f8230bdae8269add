/**
 * Offline rules for RedshiftGrants policies (docs/diagnostics-redshift.md lists every code). Nothing
 * here connects to a database: every rule works on the policy alone, so `charter validate` catches
 * what Redshift or PostgreSQL would refuse half-way through an apply, and what they would accept but
 * the admin did not mean.
 */
import { sortDiagnostics, type Diagnostic, type Severity } from '../../core/diagnostics.js';
import { diagnosticAt, type PathSegment, type PolicyDocument } from '../../core/document.js';
import { invisibleCharacterDiagnostics } from '../../core/names.js';
import { patternProblem } from '../../core/wildcard.js';
import { truncateText } from '../../core/text.js';
import type { LintContext } from '../../core/provider.js';
import { parseSignature, validUntilValue } from './sql.js';
import {
  AWS_PRINCIPAL_NAMESPACES,
  SYSTEM_ROLES,
  TABLE_PRIVILEGES,
  COLUMN_PRIVILEGES,
  DATABASE_PRIVILEGES,
  SCHEMA_PRIVILEGES,
  identifierBytes,
  isKnownSystemRole,
  isSystemRoleName,
  maxIdentifierBytes,
  nameKey,
  namespaceOf,
  principalMatcher,
  type Dialect,
} from './rules.js';
import type { Privileges, RedshiftGrantsSpec } from './spec.generated.js';

type Doc = PolicyDocument<RedshiftGrantsSpec>;

/** Where a name was declared, for messages that point back at the first occurrence. */
interface Declared {
  name: string;
  path: PathSegment[];
}

/** Role names PostgreSQL and Redshift refuse (keywords that stand for pseudo-roles). */
const RESERVED_PRINCIPALS = ['public', 'none', 'current_user', 'session_user', 'current_role'];
/** The Redshift internal superuser; it cannot be created, altered or dropped. */
const REDSHIFT_RESERVED_USERS = ['rdsdb'];
/** Schemas of the system catalog: managing them would revoke privileges the database relies on. */
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_internal', 'pg_automv', 'pg_toast', 'catalog_history'];

export function lintRedshiftGrants(docs: Doc[], _ctx: LintContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  checkDuplicateTargets(docs, out);
  for (const doc of docs) out.push(...invisibleCharacterDiagnostics(doc), ...new DocumentLint(doc).run());
  return Promise.resolve(sortDiagnostics(out));
}

// ---------------------------------------------------------------------------------------------
// Across policies: one database, one policy
// ---------------------------------------------------------------------------------------------

interface Target {
  doc: Doc;
  path: PathSegment[];
  label: string;
  /** Equal for the same database; region is compared separately because it may be left to the run's default. */
  key: string;
  region?: string;
}

function targetOf(doc: Doc): Target {
  const connection = doc.spec.connection;
  const dataApi = connection.dataApi;
  if (dataApi) {
    const [kind, id] = dataApi.clusterIdentifier !== undefined ? ['cluster', dataApi.clusterIdentifier] : ['workgroup', dataApi.workgroupName ?? ''];
    // Database names fold to lower case on Redshift like every identifier.
    const database = dataApi.database.toLowerCase();
    return { doc, path: ['spec', 'connection', 'dataApi', 'database'], label: `${kind} ${id}, database ${database}`, key: `dataApi\u0000${kind}\u0000${id}\u0000${database}`, region: dataApi.region };
  }
  const env = connection.urlFromEnv ?? '';
  return { doc, path: ['spec', 'connection', 'urlFromEnv'], label: `the database in $${env}`, key: `url\u0000${env}` };
}

/** Two policies on one database would each revoke what the other grants: the second is an error. */
function checkDuplicateTargets(docs: readonly Doc[], out: Diagnostic[]): void {
  // By key, so the check is linear in the number of policies; one key holds a target per distinct region.
  const seen = new Map<string, Target[]>();
  for (const doc of docs) {
    const target = targetOf(doc);
    const sameKey = seen.get(target.key) ?? [];
    // A region left out means the run's region, so it may be the same one as any explicit region.
    const first = sameKey.find((t) => t.region === undefined || target.region === undefined || t.region === target.region);
    if (first) {
      const at = first.doc.position(first.path);
      out.push(
        diagnosticAt(
          doc,
          target.path,
          'redshift/duplicate-database',
          'error',
          `RedshiftGrants policy "${first.doc.name}" (${at.file}:${at.line}) already manages ${target.label}; two policies would revoke each other's grants`,
          'Manage each database in one RedshiftGrants policy: merge the two, or point this one at another database.',
        ),
      );
    } else {
      seen.set(target.key, [...sameKey, target]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One policy
// ---------------------------------------------------------------------------------------------

type PrincipalKind = 'role' | 'user';

class DocumentLint {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly spec: RedshiftGrantsSpec;
  private readonly dialect: Dialect;
  private readonly redshift: boolean;
  private readonly ignored: (name: string) => string | undefined;
  private readonly roles = new Map<string, Declared>();
  private readonly users = new Map<string, Declared>();
  private readonly providers = new Map<string, Declared & { namespace: string }>();
  private readonly namespaces = new Map<string, Declared>();
  private readonly schemas = new Map<string, Declared>();
  /** Role hierarchy between declared roles: role key → [parent key, path of the memberOf entry]. */
  private readonly parents = new Map<string, [string, PathSegment[]][]>();
  /** Roles a principal is granted that the policy does not declare (ignored, external or sys:), by principal key. */
  private readonly externalParents = new Set<string>();

  constructor(private readonly doc: Doc) {
    this.spec = doc.spec;
    this.dialect = doc.spec.connection.dialect;
    this.redshift = this.dialect === 'redshift';
    this.ignored = principalMatcher(doc.spec.manage?.ignorePrincipals ?? [], this.dialect);
  }

  run(): Diagnostic[] {
    (this.spec.manage?.ignorePrincipals ?? []).forEach((pattern, i) => {
      const problem = patternProblem(pattern);
      if (problem) this.add(['spec', 'manage', 'ignorePrincipals', i], 'pattern-too-complex', 'error', `manage.ignorePrincipals pattern ${truncateText(JSON.stringify(pattern))} ${problem}`, 'Use fewer wildcards, or list the names.');
    });
    this.checkConnection();
    this.declareSchemas();
    this.declareProviders();
    this.declarePrincipals('role');
    this.declarePrincipals('user');
    this.checkMemberships();
    this.checkCycles();
    this.checkPrivileges();
    this.checkPasswords();
    return this.diagnostics;
  }

  private key(name: string): string {
    return nameKey(name, this.dialect);
  }

  private add(path: readonly PathSegment[], code: string, severity: Severity, message: string, hint: string): void {
    this.diagnostics.push(diagnosticAt(this.doc, path, `redshift/${code}`, severity, message, hint));
  }

  private where(path: readonly PathSegment[]): string {
    const at = this.doc.position(path);
    return `line ${at.line}`;
  }

  /** Names over the dialect's identifier limit: refused by Redshift, silently truncated by PostgreSQL. */
  private checkLength(path: PathSegment[], what: string, name: string): void {
    const bytes = identifierBytes(name);
    const limit = maxIdentifierBytes(this.dialect);
    if (bytes <= limit) return;
    const effect = this.redshift ? 'Redshift refuses longer names' : 'PostgreSQL silently truncates longer names, so the name in the database would differ from the policy';
    this.add(path, 'name-too-long', 'error', `${what} "${name}" is ${bytes} bytes in UTF-8; the ${this.dialect} limit is ${limit} bytes (${effect})`, `Shorten the name to at most ${limit} bytes (non-ASCII characters take 2 to 4 bytes each).`);
  }

  // --- connection -------------------------------------------------------------------------------

  private checkConnection(): void {
    if (!this.redshift && this.spec.connection.dataApi) {
      this.add(['spec', 'connection', 'dialect'], 'data-api-needs-redshift', 'error', 'The Redshift Data API reaches Redshift only, but the dialect is postgres', 'Use dialect: redshift for a Redshift cluster or workgroup, or urlFromEnv for a PostgreSQL database.');
    }
  }

  // --- schemas ----------------------------------------------------------------------------------

  private declareSchemas(): void {
    (this.spec.manage?.schemas ?? []).forEach((schema, i) => {
      const path = ['spec', 'manage', 'schemas', i];
      this.checkLength(path, 'Schema', schema);
      const key = this.key(schema);
      const first = this.schemas.get(key);
      if (first) {
        this.add(path, 'duplicate-schema', 'error', `Schema "${schema}" is already listed as "${first.name}" (${this.where(first.path)}); Redshift compares names lower-cased`, 'List each schema once in manage.schemas.');
        return;
      }
      this.schemas.set(key, { name: schema, path });
      if (SYSTEM_SCHEMAS.includes(schema.toLowerCase()) || /^pg_temp_|^pg_toast_temp_/i.test(schema)) {
        this.add(path, 'system-schema-managed', 'warning', `"${schema}" is a system schema; managing it would revoke privileges on it that the policy does not declare`, 'Remove system schemas from manage.schemas: their default privileges are what the database needs.');
      }
    });
  }

  // --- identity providers ---------------------------------------------------------------------

  private declareProviders(): void {
    (this.spec.identityProviders ?? []).forEach((provider, i) => {
      const base: PathSegment[] = ['spec', 'identityProviders', i];
      if (!this.redshift) {
        this.add([...base, 'name'], 'identity-provider-on-postgres', 'error', `Identity provider "${provider.name}": native identity providers exist only on Redshift, and the dialect is postgres`, 'Remove identityProviders from a postgres-dialect policy.');
      }
      this.checkLength([...base, 'name'], 'Identity provider', provider.name);
      const key = this.key(provider.name);
      const first = this.providers.get(key);
      if (first) {
        this.add([...base, 'name'], 'duplicate-identity-provider', 'error', `Identity provider "${provider.name}" is already declared (${this.where(first.path)})`, 'Declare each identity provider once.');
      } else {
        this.providers.set(key, { name: provider.name, path: [...base, 'name'], namespace: provider.namespace.toLowerCase() });
      }
      const namespace = provider.namespace.toLowerCase();
      if (namespace === 'sys') {
        this.add([...base, 'namespace'], 'sys-prefix-reserved', 'error', 'The namespace "sys" is reserved for Redshift\'s system roles', 'Choose another namespace, e.g. oauth_aad.');
        return;
      }
      const owner = this.namespaces.get(namespace);
      if (owner) {
        this.add([...base, 'namespace'], 'duplicate-namespace', 'error', `Namespace "${provider.namespace}" is already used by identity provider "${owner.name}" (${this.where(owner.path)}); Redshift could not tell their users and roles apart`, 'Give every identity provider its own namespace.');
      } else {
        this.namespaces.set(namespace, { name: provider.name, path: [...base, 'namespace'] });
      }
    });
  }

  // --- roles and users --------------------------------------------------------------------------

  private principals(kind: PrincipalKind): { name: string; path: PathSegment[]; index: number }[] {
    const list = kind === 'role' ? (this.spec.roles ?? []) : (this.spec.users ?? []);
    return list.map((p, index) => ({ name: p.name, index, path: ['spec', kind === 'role' ? 'roles' : 'users', index, 'name'] }));
  }

  private declarePrincipals(kind: PrincipalKind): void {
    const own = kind === 'role' ? this.roles : this.users;
    const Kind = kind === 'role' ? 'Role' : 'User';
    for (const { name, path, index } of this.principals(kind)) {
      this.checkLength(path, Kind, name);
      this.checkReservedName(kind, name, path, index);
      const key = this.key(name);
      const first = own.get(key);
      if (first) {
        const same = first.name === name ? '' : ` as "${first.name}"; Redshift compares names lower-cased`;
        this.add(path, `duplicate-${kind}`, 'error', `${Kind} "${name}" is already declared (${this.where(first.path)})${same}`, `Declare each ${kind} once and merge the two entries.`);
        continue;
      }
      own.set(key, { name, path });
      if (kind === 'user') {
        const role = this.roles.get(key);
        if (role) {
          const why = this.redshift ? 'Redshift does not allow a role and a user with the same name' : 'on PostgreSQL users and roles are all roles, so the two would be one';
          this.add(path, 'role-user-name-clash', 'error', `User "${name}" has the same name as role "${role.name}" (${this.where(role.path)}): ${why}`, 'Rename the role or the user (e.g. suffix roles with _role or _ro/_rw).');
        }
        this.checkIdentityProviderUser(index, name);
      } else {
        this.checkExternalId(index);
      }
    }
  }

  private checkReservedName(kind: PrincipalKind, name: string, path: PathSegment[], index: number): void {
    if (isSystemRoleName(name)) {
      const known = isKnownSystemRole(name) ? `"${name}" is a system role: it can be granted (memberOf, roles) but not declared` : 'the sys: prefix is reserved for Redshift\'s system roles';
      this.add(path, 'sys-prefix-reserved', 'error', `${kind === 'role' ? 'Role' : 'User'} "${name}": ${known}`, kind === 'role' ? 'Rename the role, or grant the system role with memberOf.' : 'Rename the user, or grant the system role with roles.');
      return;
    }
    const lower = name.toLowerCase();
    const reserved =
      RESERVED_PRINCIPALS.includes(lower) ||
      (this.redshift && kind === 'user' && REDSHIFT_RESERVED_USERS.includes(lower)) ||
      (!this.redshift && name.startsWith('pg_'));
    if (reserved) {
      const what = !this.redshift && name.startsWith('pg_') ? 'role names starting with pg_ are reserved by PostgreSQL' : `"${name}" is reserved by ${this.redshift ? 'Redshift' : 'PostgreSQL'}`;
      this.add(path, 'reserved-name', 'error', `${kind === 'role' ? 'Role' : 'User'} "${name}": ${what}`, 'Choose another name; to leave a built-in principal alone, list it in manage.ignorePrincipals instead.');
      return;
    }
    // A user that names its identity provider is checked against that provider's namespace instead
    // (redshift/idp-user-needs-namespace, redshift/unknown-identity-provider).
    if (kind === 'user' && this.spec.users?.[index]?.identityProvider !== undefined) return;
    this.checkNamespace(kind, name, path);
  }

  /** `<ns>:<name>` must name a declared identity provider's namespace (Redshift only: on PostgreSQL a colon is just a character). */
  private checkNamespace(kind: PrincipalKind, name: string, path: PathSegment[]): void {
    if (!this.redshift) return;
    const namespace = namespaceOf(name);
    if (namespace === undefined || this.namespaces.has(namespace) || AWS_PRINCIPAL_NAMESPACES.includes(namespace)) return;
    const pattern = this.ignored(name);
    const declared = [...this.namespaces.keys()];
    const known = declared.length ? ` (declared: ${declared.join(', ')})` : ' (none is declared)';
    if (pattern !== undefined) {
      this.add(path, 'unknown-namespace', 'warning', `${kind === 'role' ? 'Role' : 'User'} "${name}" is in namespace "${namespace}", which no identity provider of this policy declares${known}; manage.ignorePrincipals pattern "${pattern}" says the namespace is managed elsewhere`, 'Make sure the identity provider exists in the database, or declare it in identityProviders.');
    } else {
      this.add(path, 'unknown-namespace', 'error', `${kind === 'role' ? 'Role' : 'User'} "${name}" is in namespace "${namespace}", which no identity provider of this policy declares${known}`, `Declare an identity provider with namespace ${namespace}, fix the prefix, or, if the provider is managed outside this policy, add a pattern such as "${namespace}:*" to manage.ignorePrincipals.`);
    }
  }

  private checkIdentityProviderUser(index: number, name: string): void {
    const user = this.spec.users?.[index];
    const base: PathSegment[] = ['spec', 'users', index];
    if (user?.identityProvider === undefined) {
      const namespace = namespaceOf(name);
      const owner = namespace === undefined ? undefined : this.namespaces.get(namespace);
      if (this.redshift && owner) {
        this.add([...base, 'name'], 'idp-user-without-provider', 'warning', `User "${name}" is in namespace "${namespace}" of identity provider "${owner.name}" but does not say identityProvider`, `Add identityProvider: ${owner.name}, so the user is created for sign-in through it.`);
      }
      return;
    }
    const path = [...base, 'identityProvider'];
    if (!this.redshift) {
      this.add(path, 'identity-provider-on-postgres', 'error', `User "${name}" signs in through identity provider "${user.identityProvider}", but identity providers exist only on Redshift`, 'Remove identityProvider from users of a postgres-dialect policy.');
      return;
    }
    const provider = this.providers.get(this.key(user.identityProvider));
    if (!provider) {
      const declared = [...this.providers.values()].map((p) => p.name);
      this.add(path, 'unknown-identity-provider', 'error', `User "${name}" names identity provider "${user.identityProvider}", which this policy does not declare${declared.length ? ` (declared: ${declared.join(', ')})` : ''}`, 'Declare the provider in identityProviders, or fix the name.');
      return;
    }
    const prefix = `${provider.namespace}:`;
    if (!name.toLowerCase().startsWith(prefix) || name.length === prefix.length) {
      const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
      this.add([...base, 'name'], 'idp-user-needs-namespace', 'error', `User "${name}" signs in through identity provider "${provider.name}", so its name must start with "${prefix}": Redshift maps a signed-in user to ${prefix}<user name>`, `Rename the user to "${prefix}${local || '<user name>'}".`);
    }
  }

  private checkExternalId(index: number): void {
    const role = this.spec.roles?.[index];
    if (role?.externalId === undefined || this.redshift) return;
    this.add(['spec', 'roles', index, 'externalId'], 'external-id-on-postgres', 'error', `Role "${role.name}": EXTERNALID exists only on Redshift, and the dialect is postgres`, 'Remove externalId from a postgres-dialect policy.');
  }

  // --- memberships ------------------------------------------------------------------------------

  private checkMemberships(): void {
    (this.spec.roles ?? []).forEach((role, i) => this.checkMembershipList('role', role.name, role.memberOf ?? [], ['spec', 'roles', i, 'memberOf']));
    (this.spec.users ?? []).forEach((user, i) => this.checkMembershipList('user', user.name, user.roles ?? [], ['spec', 'users', i, 'roles']));
    // withAdminOption names memberships of the same principal; Redshift gives the admin option to users only.
    const checkAdmin = (kind: PrincipalKind, name: string, listed: readonly string[], admin: readonly string[] | undefined, base: PathSegment[], field: string) => {
      const keys = new Set(listed.map((r) => this.key(r)));
      (admin ?? []).forEach((role, j) => {
        const path = [...base, 'withAdminOption', j];
        if (kind === 'role' && this.redshift) {
          this.add(path, 'admin-option-on-role', 'error', `Role "${name}": Redshift grants a role WITH ADMIN OPTION only to users`, 'Remove withAdminOption from the role, and give the admin option to the users who grant it.');
        } else if (!keys.has(this.key(role))) {
          this.add(path, 'admin-option-without-membership', 'error', `${kind === 'role' ? 'Role' : 'User'} "${name}": withAdminOption lists "${role}", which ${field} does not`, `Add "${role}" to ${field}, or remove it from withAdminOption.`);
        }
      });
    };
    (this.spec.roles ?? []).forEach((role, i) => checkAdmin('role', role.name, role.memberOf ?? [], role.withAdminOption, ['spec', 'roles', i], 'memberOf'));
    (this.spec.users ?? []).forEach((user, i) => checkAdmin('user', user.name, user.roles ?? [], user.withAdminOption, ['spec', 'users', i], 'roles'));
  }

  private checkMembershipList(kind: PrincipalKind, grantee: string, refs: readonly string[], base: PathSegment[]): void {
    const granteeKey = this.key(grantee);
    const seen = new Map<string, string>();
    const field = kind === 'role' ? 'memberOf' : 'roles';
    refs.forEach((ref, j) => {
      const path = [...base, j];
      const key = this.key(ref);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        this.add(path, 'duplicate-membership', 'error', `${kind === 'role' ? 'Role' : 'User'} "${grantee}" is granted "${ref}" twice (also as "${earlier}"); Redshift compares names lower-cased`, `List each role once in ${field}.`);
        return;
      }
      seen.set(key, ref);
      if (isSystemRoleName(ref)) {
        this.externalParents.add(`${kind}\u0000${granteeKey}`);
        this.checkSystemRoleGrant(ref, path);
        return;
      }
      if (kind === 'role' && key === granteeKey) {
        this.add(path, 'role-member-of-itself', 'error', `Role "${grantee}" is listed as a member of itself`, 'Remove the role from its own memberOf.');
        return;
      }
      if (this.roles.has(key)) {
        if (kind === 'role') {
          const edges = this.parents.get(granteeKey) ?? [];
          edges.push([key, path]);
          this.parents.set(granteeKey, edges);
        }
        return;
      }
      this.externalParents.add(`${kind}\u0000${granteeKey}`);
      if (this.ignored(ref) !== undefined) return; // managed outside Charter (e.g. created by an identity provider)
      const user = this.users.get(key);
      if (user) {
        this.add(path, 'unknown-role', 'error', `"${ref}" is a user, not a role (${this.where(user.path)}); only roles can be granted`, 'Grant a role that the user is also a member of, or declare a role for this.');
        return;
      }
      this.add(path, 'unknown-role', 'error', `${kind === 'role' ? 'Role' : 'User'} "${grantee}" is granted role "${ref}", which this policy does not declare`, `Declare the role in roles, fix the name, or, if it is managed outside Charter, add it (or a pattern) to manage.ignorePrincipals.`);
    });
  }

  private checkSystemRoleGrant(ref: string, path: PathSegment[]): void {
    if (!this.redshift) {
      this.add(path, 'system-role-on-postgres', 'error', `"${ref}" is a Redshift system role; PostgreSQL has no sys: roles`, 'Remove it, or on PostgreSQL grant a built-in role such as pg_read_all_data by managing it outside Charter.');
    } else if (!isKnownSystemRole(ref)) {
      this.add(path, 'unknown-system-role', 'error', `"${ref}" is not a Redshift system role`, `The system roles are ${SYSTEM_ROLES.join(', ')}.`);
    }
  }

  /**
   * Redshift refuses cyclic role grants. Every memberOf entry that lies on a cycle is shown in at least
   * one reported cycle (the shortest through it), and each cycle is reported once: starting at its
   * first-declared role, at the memberOf entry that leads back to that role.
   */
  private checkCycles(): void {
    const component = this.components();
    const order = new Map([...this.roles.keys()].map((key, i) => [key, i]));
    const edgePath = new Map<string, PathSegment[]>();
    const covered = new Set<string>();
    const edge = (from: string, to: string) => `${from}\u0000${to}`;
    for (const [from, edges] of this.parents) for (const [to, path] of edges) if (!edgePath.has(edge(from, to))) edgePath.set(edge(from, to), path);
    for (const from of this.roles.keys()) {
      for (const [to] of this.parents.get(from) ?? []) {
        if (component.get(from) !== component.get(to) || covered.has(edge(from, to))) continue;
        const back = this.shortestPath(to, from, (node) => component.get(node) === component.get(from));
        if (!back) continue;
        const cycle = [from, ...back.slice(0, -1)];
        let first = 0;
        for (let i = 1; i < cycle.length; i++) if ((order.get(cycle[i]) ?? 0) < (order.get(cycle[first]) ?? 0)) first = i;
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
        rotated.forEach((node, i) => covered.add(edge(node, rotated[(i + 1) % rotated.length])));
        const last = rotated[rotated.length - 1];
        const names = [...rotated, rotated[0]].map((k) => this.roles.get(k)?.name ?? k);
        this.add(edgePath.get(edge(last, rotated[0])) ?? [], 'role-cycle', 'error', `The role hierarchy has a cycle: ${names.join(' → ')}`, 'Redshift refuses cyclic role grants; remove one of the memberOf entries in the cycle.');
      }
    }
  }

  /** Breadth-first path of memberOf edges from `from` to `to` (both included), within the nodes `inside` accepts. */
  private shortestPath(from: string, to: string, inside: (node: string) => boolean): string[] | undefined {
    const previous = new Map<string, string>([[from, from]]);
    const queue = [from];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      if (node === to) {
        const path = [node];
        for (let at = node; at !== from; ) path.unshift((at = previous.get(at) as string));
        return path;
      }
      for (const [parent] of this.parents.get(node) ?? []) {
        if (previous.has(parent) || !inside(parent)) continue;
        previous.set(parent, node);
        queue.push(parent);
      }
    }
    return undefined;
  }

  // --- privileges -------------------------------------------------------------------------------

  private checkPasswords(): void {
    (this.spec.users ?? []).forEach((user, i) => {
      const path = ['spec', 'users', i];
      if (user.password && user.passwordDisabled) {
        this.add([...path, 'passwordDisabled'], 'password-conflict', 'error', `User "${user.name}" has both password and passwordDisabled`, 'Keep one: password (from an environment variable) or passwordDisabled: true.');
      }
      if (user.syslogAccess !== undefined && !this.redshift) {
        this.add([...path, 'syslogAccess'], 'syslog-access-on-postgres', 'error', `User "${user.name}" has syslogAccess, which exists only on Redshift`, 'Remove syslogAccess from a postgres-dialect policy (PostgreSQL has no equivalent; use pg_read_all_stats or pg_monitor outside Charter).');
      }
      if (user.validUntil !== undefined && validUntilValue(user.validUntil) === undefined) {
        this.add([...path, 'validUntil'], 'invalid-valid-until', 'error', `User "${user.name}": validUntil ${JSON.stringify(user.validUntil)} is not a real date and time`, 'Write a date that exists, e.g. 2027-01-31 or 2027-01-31T18:00:00Z, or infinity.');
      }
      if (user.validUntil !== undefined && this.redshift && !user.password) {
        this.add([...path, 'validUntil'], 'valid-until-without-password', 'error', `User "${user.name}" has validUntil but no password: Redshift's ALTER USER sets VALID UNTIL only together with a password (PASSWORD … VALID UNTIL)`, 'Declare password: { fromEnv: VAR } for the user (Charter sends it again with the new expiry), or remove validUntil.');
      }
      if (user.password && user.identityProvider !== undefined) {
        this.add([...path, 'password'], 'password-on-idp-user', 'error', `User "${user.name}" signs in through identity provider "${user.identityProvider}", which needs PASSWORD DISABLE; it cannot also have a password`, 'Remove password, or remove identityProvider.');
      }
    });
  }

  private checkPrivileges(): void {
    const pub = this.spec.public?.privileges;
    if (pub) this.checkPrivilegeSet('public', 'PUBLIC', pub, [], ['spec', 'public', 'privileges']);
    (this.spec.roles ?? []).forEach((role, i) => {
      if (role.privileges) this.checkPrivilegeSet('role', role.name, role.privileges, role.memberOf ?? [], ['spec', 'roles', i, 'privileges']);
    });
    (this.spec.users ?? []).forEach((user, i) => {
      if (user.privileges) this.checkPrivilegeSet('user', user.name, user.privileges, user.roles ?? [], ['spec', 'users', i, 'privileges']);
    });
  }

  /** WITH GRANT OPTION: never to PUBLIC, only to users on Redshift, and only on privileges the entry grants. */
  private checkGrantOptions(kind: PrincipalKind | 'public', who: string, privileges: Privileges, base: PathSegment[]): void {
    const entries: Array<{ option: true | string[] | undefined; granted: readonly string[]; path: PathSegment[] }> = [
      { option: privileges.databaseWithGrantOption, granted: privileges.database ?? [], path: [...base, 'databaseWithGrantOption'] },
    ];
    for (const field of ['schemas', 'tables', 'functions', 'procedures'] as const) {
      (privileges[field] ?? []).forEach((g, j) => entries.push({ option: g.withGrantOption, granted: g.privileges, path: [...base, field, j, 'withGrantOption'] }));
    }
    for (const e of entries) {
      if (e.option === undefined || (Array.isArray(e.option) && !e.option.length)) continue;
      if (kind === 'public') {
        this.add(e.path, 'grant-option-to-public', 'error', 'PUBLIC cannot hold privileges WITH GRANT OPTION (neither Redshift nor PostgreSQL grants options to PUBLIC)', 'Remove it; give the grant option to the roles or users who pass the privileges on.');
        continue;
      }
      if (kind === 'role' && this.redshift) {
        this.add(e.path, 'grant-option-on-role', 'error', `${who}: Redshift grants privileges WITH GRANT OPTION only to users`, 'Move the grant option to the users who pass the privileges on (PostgreSQL allows it on roles).');
        continue;
      }
      if (Array.isArray(e.option)) {
        e.option.forEach((p, k) => {
          if (!e.granted.includes(p)) this.add([...e.path, k], 'grant-option-without-privilege', 'error', `${who}: the grant option names "${p}", which the entry does not grant`, `Add "${p}" to the entry's privileges, or remove it from the grant option.`);
        });
      }
    }
  }

  private checkPrivilegeSet(kind: PrincipalKind | 'public', grantee: string, privileges: Privileges, memberships: readonly string[], base: PathSegment[]): void {
    const who = kind === 'public' ? 'PUBLIC' : `${kind === 'role' ? 'Role' : 'User'} "${grantee}"`;
    if (kind === 'public' && privileges.system?.length) {
      this.add([...base, 'system'], 'public-system-privilege', 'error', `PUBLIC cannot hold system privileges (${privileges.system.join(', ')}): Redshift grants them to roles only`, 'Grant them to a role and give that role to the users who need them.');
    }
    if (privileges.system?.length && !this.redshift) {
      this.add([...base, 'system'], 'system-privilege-on-postgres', 'error', `${who} has system privileges (${privileges.system.join(', ')}), which exist only on Redshift; PostgreSQL has no equivalent Charter could grant`, 'Remove privileges.system from a postgres-dialect policy (on PostgreSQL, use role attributes or built-in pg_* roles managed outside Charter).');
    }
    if (privileges.system?.length && this.redshift && kind === 'user') {
      // Redshift grants system permissions to roles only: GRANT <permission> TO ROLE r.
      this.add([...base, 'system'], 'system-privilege-on-user', 'error', `${who} has system privileges (${privileges.system.join(', ')}), but Redshift grants system permissions only to roles`, 'Move them to a role (privileges.system) and give the user that role (roles).');
    }
    let usage: Set<string> | undefined | null = null; // computed on first need
    const warnedUsage = new Set<string>();
    const needUsage = (schema: string, path: PathSegment[]) => {
      const key = this.key(schema);
      // Whoever lacks USAGE still reaches the tables when the policy grants USAGE to PUBLIC (PUBLIC's own
      // reach is every user's, so it is not checked).
      if (kind === 'public' || warnedUsage.has(key) || this.publicUsage().has(key)) return;
      if (usage === null) usage = this.effectiveUsage(kind, grantee, privileges, memberships);
      if (usage === undefined || usage.has(key)) return;
      warnedUsage.add(key);
      this.add(path, 'missing-schema-usage', 'warning', `${who} is granted table privileges in schema "${schema}" but has no USAGE on it, directly or through its roles, so it cannot reach the tables`, `Grant usage on schema ${schema} to ${kind === 'role' ? 'this role' : 'this user'} or to a role it is a member of.`);
    };

    this.checkGrantOptions(kind, who, privileges, base);
    const schemaGrants = new Map<string, number>();
    (privileges.database ?? []).forEach((privilege, j) => {
      if ((DATABASE_PRIVILEGES[this.dialect] as readonly string[]).includes(privilege)) return;
      this.add([...base, 'database', j], 'database-privilege-unsupported', 'error', `${who}: database privilege "${privilege}" exists only on PostgreSQL`, 'Use create or temp on Redshift (every user may connect; access is granted per schema).');
    });
    (privileges.datashareDatabases ?? []).forEach((_, j) => {
      if (this.redshift) return;
      this.add([...base, 'datashareDatabases', j], 'datashare-on-postgres', 'error', `${who}: datashareDatabases exist only on Redshift (PostgreSQL has no datashares)`, 'Remove the entry from a postgres-dialect policy.');
    });
    (privileges.schemas ?? []).forEach((grant, j) => {
      grant.privileges.forEach((privilege, k) => {
        if ((SCHEMA_PRIVILEGES[this.dialect] as readonly string[]).includes(privilege)) return;
        this.add([...base, 'schemas', j, 'privileges', k], 'schema-privilege-unsupported', 'error', `${who}: schema privilege "${privilege}" exists only on Redshift`, 'Use usage or create on PostgreSQL (only the schema owner may alter or drop it there).');
      });
      const path = [...base, 'schemas', j, 'schema'];
      if (!this.checkSchemaRef(who, grant.schema, path)) return;
      const key = this.key(grant.schema);
      const first = schemaGrants.get(key);
      if (first !== undefined) {
        this.add(path, 'duplicate-grant', 'error', `${who} has a second privileges.schemas entry for schema "${grant.schema}" (first: ${this.where([...base, 'schemas', first, 'schema'])})`, 'Merge the entries: list each schema once, with all its privileges.');
      } else {
        schemaGrants.set(key, j);
      }
    });

    const allTables = new Map<string, number>();
    const namedTables = new Map<string, { name: string; path: PathSegment[] }>();
    (privileges.tables ?? []).forEach((grant, j) => {
      const entry = [...base, 'tables', j];
      this.checkTablePrivileges(who, grant.privileges, [...entry, 'privileges']);
      if (!this.checkSchemaRef(who, grant.schema, [...entry, 'schema'])) return;
      needUsage(grant.schema, [...entry, 'schema']);
      const schemaKey = this.key(grant.schema);
      if (grant.allTables) {
        const first = allTables.get(schemaKey);
        if (first !== undefined) {
          this.add([...entry, 'allTables'], 'duplicate-grant', 'error', `${who} has a second allTables entry for schema "${grant.schema}" (first: ${this.where([...base, 'tables', first, 'allTables'])})`, 'Merge the entries: one allTables entry per schema, with all its privileges.');
        } else {
          allTables.set(schemaKey, j);
        }
      }
      (grant.names ?? []).forEach((table, k) => {
        const path = [...entry, 'names', k];
        this.checkLength(path, 'Table', table);
        const tableKey = `${schemaKey}\u0000${this.key(table)}`;
        const first = namedTables.get(tableKey);
        if (first) {
          this.add(path, 'duplicate-table', 'error', `${who}: table "${grant.schema}.${table}" is already listed as "${first.name}" (${this.where(first.path)})`, 'Name each table once per schema, in one entry with all its privileges.');
        } else {
          namedTables.set(tableKey, { name: table, path });
        }
      });
    });

    // A table may have several entries (columns with different privileges); each column is listed once.
    const columnsSeen = new Map<string, { name: string; path: PathSegment[] }>();
    (privileges.columns ?? []).forEach((grant, j) => {
      const entry = [...base, 'columns', j];
      this.checkColumnPrivileges(who, grant.privileges, [...entry, 'privileges']);
      this.checkLength([...entry, 'table'], 'Table', grant.table);
      grant.columns.forEach((column, k) => this.checkLength([...entry, 'columns', k], 'Column', column));
      if (!this.checkSchemaRef(who, grant.schema, [...entry, 'schema'])) return;
      needUsage(grant.schema, [...entry, 'schema']);
      grant.columns.forEach((column, k) => {
        const path = [...entry, 'columns', k];
        const key = `${this.key(grant.schema)}\u0000${this.key(grant.table)}\u0000${this.key(column)}`;
        const first = columnsSeen.get(key);
        if (first) {
          this.add(path, 'duplicate-column', 'error', `${who}: column "${grant.schema}.${grant.table}.${column}" is already listed as "${first.name}" (${this.where(first.path)})`, 'List each column once per table, in the entry with all its privileges.');
        } else {
          columnsSeen.set(key, { name: column, path });
        }
      });
    });

    // Each function or procedure (schema, name, argument types) once, across functions and procedures.
    const routinesSeen = new Map<string, { signature: string; path: PathSegment[] }>();
    for (const list of ['functions', 'procedures'] as const) {
      (privileges[list] ?? []).forEach((grant, j) => {
        const entry = [...base, list, j];
        if (!this.checkSchemaRef(who, grant.schema, [...entry, 'schema'])) return;
        needUsage(grant.schema, [...entry, 'schema']);
        (grant.names ?? []).forEach((signature, k) => {
          const path = [...entry, 'names', k];
          const sig = parseSignature(signature);
          if (!sig) return; // the schema's pattern reports it
          this.checkLength(path, list === 'functions' ? 'Function' : 'Procedure', sig.name);
          const key = `${this.key(grant.schema)}\u0000${this.key(sig.name)}(${sig.args})`;
          const first = routinesSeen.get(key);
          if (first) this.add(path, 'duplicate-routine', 'error', `${who}: ${grant.schema}.${signature} is already listed as ${first.signature} (${this.where(first.path)})`, 'List each function or procedure once, under functions or procedures as it is.');
          else routinesSeen.set(key, { signature, path });
        });
      });
    }

    for (const field of ['scopedTables', 'scopedFunctions'] as const) {
      (privileges[field] ?? []).forEach((grant, j) => {
        const entry = [...base, field, j];
        if (!this.redshift) {
          this.add([...entry, 'schema'], 'scoped-permission-on-postgres', 'error', `${who}: ${field} (scoped permissions) exist only on Redshift`, field === 'scopedTables' ? 'Use tables (allTables) and futureTables on PostgreSQL.' : 'Use functions and futureFunctions on PostgreSQL.');
          return;
        }
        if (field === 'scopedTables') this.checkTablePrivileges(who, grant.privileges, [...entry, 'privileges']);
        if (this.checkSchemaRef(who, grant.schema, [...entry, 'schema'])) needUsage(grant.schema, [...entry, 'schema']);
      });
    }
    for (const field of ['futureFunctions', 'futureProcedures'] as const) {
      const seen = new Map<string, number>();
      (privileges[field] ?? []).forEach((grant, j) => {
        const entry = [...base, field, j];
        if (field === 'futureProcedures' && !this.redshift) {
          this.add([...entry, 'schema'], 'future-procedures-on-postgres', 'error', `${who}: futureProcedures exists only on Redshift; PostgreSQL's default privileges for functions cover procedures too`, 'Use futureFunctions on PostgreSQL.');
          return;
        }
        if (this.checkSchemaRef(who, grant.schema, [...entry, 'schema'])) needUsage(grant.schema, [...entry, 'schema']);
        this.checkFutureOwner(who, grant.owner, [...entry, 'owner']);
        const key = `${this.key(grant.schema)}\u0000${this.key(grant.owner)}`;
        const first = seen.get(key);
        if (first !== undefined) this.add([...entry, 'schema'], 'duplicate-grant', 'error', `${who} has a second ${field} entry for schema "${grant.schema}" and owner "${grant.owner}" (first: ${this.where([...base, field, first, 'schema'])})`, 'Merge the entries: one per schema and owner.');
        else seen.set(key, j);
      });
    }

    const future = new Map<string, number>();
    (privileges.futureTables ?? []).forEach((grant, j) => {
      const entry = [...base, 'futureTables', j];
      this.checkTablePrivileges(who, grant.privileges, [...entry, 'privileges']);
      const schemaOk = this.checkSchemaRef(who, grant.schema, [...entry, 'schema']);
      if (schemaOk) needUsage(grant.schema, [...entry, 'schema']);
      this.checkFutureOwner(who, grant.owner, [...entry, 'owner']);
      const key = `${this.key(grant.schema)}\u0000${this.key(grant.owner)}`;
      const first = future.get(key);
      if (first !== undefined) {
        this.add([...entry, 'schema'], 'duplicate-grant', 'error', `${who} has a second futureTables entry for schema "${grant.schema}" and owner "${grant.owner}" (first: ${this.where([...base, 'futureTables', first, 'schema'])})`, 'Merge the entries: one per schema and owner, with all its privileges.');
      } else {
        future.set(key, j);
      }
    });
  }

  private publicUsageKeys: Set<string> | undefined;

  /** Schemas (keys) on which the policy grants USAGE to PUBLIC. */
  private publicUsage(): Set<string> {
    this.publicUsageKeys ??= new Set((this.spec.public?.privileges?.schemas ?? []).filter((g) => g.privileges.includes('usage')).map((g) => this.key(g.schema)));
    return this.publicUsageKeys;
  }

  /** A privilege on a schema Charter does not manage could never be reconciled; returns whether the schema is managed. */
  private checkSchemaRef(who: string, schema: string, path: PathSegment[]): boolean {
    if (this.schemas.has(this.key(schema))) return true;
    const managed = [...this.schemas.values()].map((s) => s.name);
    this.add(path, 'unknown-schema', 'error', `${who} has privileges on schema "${schema}", which manage.schemas does not list${managed.length ? ` (managed: ${managed.join(', ')})` : ' (it lists none)'}`, `Add ${schema} to manage.schemas (Charter then revokes undeclared privileges there), or fix the schema name.`);
    return false;
  }

  private checkTablePrivileges(who: string, privileges: readonly string[], base: PathSegment[]): void {
    const supported = TABLE_PRIVILEGES[this.dialect] as readonly string[];
    privileges.forEach((privilege, i) => {
      if (supported.includes(privilege)) return;
      const other = this.redshift ? 'PostgreSQL' : 'Redshift';
      this.add([...base, i], 'table-privilege-unsupported', 'error', `${who}: table privilege "${privilege}" does not exist on ${this.redshift ? 'Redshift' : 'PostgreSQL'} (only on ${other})`, `Use ${supported.join(', ')}.`);
    });
  }

  private checkColumnPrivileges(who: string, privileges: readonly string[], base: PathSegment[]): void {
    const supported = COLUMN_PRIVILEGES[this.dialect] as readonly string[];
    privileges.forEach((privilege, i) => {
      if (supported.includes(privilege)) return;
      this.add([...base, i], 'column-privilege-unsupported', 'error', `${who}: column privilege "${privilege}" does not exist on Redshift (only on PostgreSQL)`, `Use ${supported.join(' or ')}, or grant ${privilege} on the whole table under tables.`);
    });
  }

  /**
   * ALTER DEFAULT PRIVILEGES FOR USER <owner>: on Redshift the owner must be a user; on PostgreSQL a
   * user or role. Owners are often ETL users Charter does not manage: an undeclared owner is a warning
   * (it must exist when the plan is applied), silenced by manage.ignorePrincipals.
   */
  private checkFutureOwner(who: string, owner: string, path: PathSegment[]): void {
    const key = this.key(owner);
    if (this.users.has(key)) return;
    if (this.redshift && (this.roles.has(key) || isSystemRoleName(owner))) {
      this.add(path, 'future-owner-not-user', 'error', `${who}: future-table owner "${owner}" is a role; on Redshift default privileges apply to tables created by a user (ALTER DEFAULT PRIVILEGES FOR USER)`, 'Name the user that creates the tables (e.g. the ETL user).');
      return;
    }
    if (this.roles.has(key) || this.ignored(owner) !== undefined) return;
    this.add(path, 'unknown-owner', 'warning', `${who}: future-table owner "${owner}" is not declared in this policy; it must exist in the database when the plan is applied`, `Declare the owner in users, or add it to manage.ignorePrincipals to say it is managed elsewhere.`);
  }

  /**
   * Schemas (keys) on which a principal has USAGE, directly or through declared roles; undefined when
   * it is also a member of a role the policy does not declare (a system role, an ignored or external
   * role), whose privileges lint cannot know.
   */
  private effectiveUsage(kind: PrincipalKind, name: string, privileges: Privileges, memberships: readonly string[]): Set<string> | undefined {
    const key = this.key(name);
    if (kind === 'role') return this.roleUsage().get(key);
    if (this.externalParents.has(`user\u0000${key}`)) return undefined;
    const out = new Set<string>();
    for (const grant of privileges.schemas ?? []) if (grant.privileges.includes('usage')) out.add(this.key(grant.schema));
    for (const role of memberships) {
      const inherited = this.roleUsage().get(this.key(role));
      if (inherited === undefined) return undefined;
      for (const schema of inherited) out.add(schema);
    }
    return out;
  }

  private usageByRole?: Map<string, Set<string> | undefined>;

  /**
   * USAGE per declared role (key), inherited through the hierarchy, computed once over the strongly
   * connected components (roles in a cycle share everything): Tarjan numbers a component only after
   * every component it reaches, so ascending component order sees parents first.
   */
  private roleUsage(): Map<string, Set<string> | undefined> {
    if (this.usageByRole) return this.usageByRole;
    const component = this.components();
    const members = new Map<number, string[]>();
    for (const [role, c] of component) {
      const list = members.get(c);
      if (list) list.push(role);
      else members.set(c, [role]);
    }
    const byComponent = new Map<number, Set<string> | undefined>();
    const direct = new Map<string, Set<string>>();
    for (const role of this.spec.roles ?? []) {
      const key = this.key(role.name);
      const set = direct.get(key) ?? new Set<string>();
      for (const grant of role.privileges?.schemas ?? []) if (grant.privileges.includes('usage')) set.add(this.key(grant.schema));
      direct.set(key, set);
    }
    const ids = [...members.keys()].sort((a, b) => a - b);
    for (const c of ids) {
      let usage: Set<string> | undefined = new Set<string>();
      for (const role of members.get(c) ?? []) {
        if (this.externalParents.has(`role\u0000${role}`)) usage = undefined;
        if (usage === undefined) break;
        for (const schema of direct.get(role) ?? []) usage.add(schema);
        for (const [parent] of this.parents.get(role) ?? []) {
          const pc = component.get(parent) as number;
          if (pc === c) continue;
          const inherited = byComponent.get(pc);
          if (inherited === undefined) {
            usage = undefined;
            break;
          }
          for (const schema of inherited) usage.add(schema);
        }
      }
      byComponent.set(c, usage);
    }
    this.usageByRole = new Map([...component].map(([role, c]) => [role, byComponent.get(c)]));
    return this.usageByRole;
  }

  private componentOf?: Map<string, number>;

  /** Strongly connected components of the declared role hierarchy. */
  private components(): Map<string, number> {
    this.componentOf ??= stronglyConnected([...this.roles.keys()], (node) => (this.parents.get(node) ?? []).map(([parent]) => parent));
    return this.componentOf;
  }
}

/** Tarjan's strongly connected components, iteratively (a hierarchy thousands of roles deep must not overflow the stack). */
function stronglyConnected(nodes: readonly string[], next: (node: string) => readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; edges: readonly string[]; i: number }[] = [];
    const enter = (node: string) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: next(node), i: 0 });
    };
    enter(start);
    while (work.length) {
      const frame = work[work.length - 1];
      if (frame.i < frame.edges.length) {
        const target = frame.edges[frame.i++];
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent) as number, low.get(frame.node) as number));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.set(member, components);
        } while (member !== frame.node);
        components++;
      }
    }
  }
  return component;
}
