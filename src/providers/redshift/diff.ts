/**
 * Desired vs live → ordered changes, each carrying the exact SQL it executes. Pure: no connection.
 *
 * Who Charter may change: declared principals, and with manage.allowDrops the undeclared ones that are
 * neither ignored nor system principals. Privileges are compared only inside managed schemas (system
 * privileges everywhere). A managed schema is a contract: every privilege there that the policy does not
 * declare is revoked, whoever holds it: PUBLIC (disruptive: the plan names who loses access) and
 * undeclared roles and users (even when manage.allowDrops is off and they themselves are kept); only
 * ignored and system principals keep theirs. Grants come before revokes, so nobody loses access while
 * moving between roles.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { changeAt, diagnosticAt, type PathSegment, type PolicyDocument } from '../../core/document.js';
import type { Json } from '../../core/json.js';
import type { Change, Risk } from '../../core/plan.js';
import type { Desired, DesiredIdentityProvider, DesiredPrincipal } from './model.js';
import { verifies } from './password.js';
import { isSystemRoleName } from './rules.js';
import {
  alterExternalIdSql,
  alterIdpEnabledSql,
  alterIdpNamespaceSql,
  alterIdpParametersSql,
  alterLoginSql,
  alterPasswordSql,
  alterUserAttributeSql,
  alterValidUntilSql,
  columnPrivilegeSql,
  createIdpSql,
  createPrincipalSql,
  dropIdpSql,
  dropPrincipalSql,
  membershipSql,
  privilegeSql,
  PUBLIC_GRANTEE,
  sortPrivileges,
  type Grantee,
  type GranteeKind,
  type PrincipalKind,
  type PrivilegeTarget,
  type RoutineKind,
  type UserAttributes,
  userAttributeOptions,
} from './sql.js';
import type { LiveIdentityProvider, LivePrincipal, LiveState } from './state.js';

/** Apply order inside one policy (../shared/reference/redshift.md, "Ordering"). */
export const PHASE = {
  identityProvider: 1,
  createRole: 2,
  createUser: 3,
  grantRoleToRole: 4,
  grantRoleToUser: 5,
  grantSystem: 6,
  grantSchema: 7,
  grantTable: 8,
  grantColumn: 9,
  grantFuture: 10,
  revokeFuture: 11,
  revokeColumn: 12,
  revokeTable: 13,
  revokeSchema: 14,
  revokeSystem: 15,
  revokeRoleFromUser: 16,
  revokeRoleFromRole: 17,
  dropUser: 18,
  dropRole: 19,
  dropIdentityProvider: 20,
} as const;

/**
 * What a change executes: the reviewed SQL, and the variable whose secret replaces the placeholder at apply
 * time; for a password, its variable, the user it is hashed for, and its keyed digest (so the fingerprint
 * covers the password without holding it).
 */
export interface ChangeData {
  sql: string[];
  secretEnv?: string;
  passwordEnv?: string;
  passwordUser?: string;
  passwordDigest?: string;
}

/** The passwords the policy names, as planPolicy resolved them from the environment (values never leave the run). */
export interface PasswordInputs {
  /** By the variable's name; undefined when it is not set. */
  values: ReadonlyMap<string, string | undefined>;
  /** The digest of a user's password (see password.ts `passwordDigest`). */
  digest: (user: string, password: string) => string;
}

export interface DiffOutcome {
  changes: Change[];
  diagnostics: Diagnostic[];
}

type Doc = PolicyDocument<unknown>;

const MAX_NAMES_LISTED = 20;

export function diffPolicy(doc: Doc, desired: Desired, live: LiveState, passwords?: PasswordInputs): DiffOutcome {
  const { dialect, key, granteeKey: gk } = desired;
  const prefix = `redshift/${doc.name}`;
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];

  const make = (path: PathSegment[], c: { address: string; action: Change['action']; sql: string[]; before: Json; after: Json; risk: Risk; reason: string; phase: number; secretEnv?: string; password?: { env: string; user: string; digest: string } }): void => {
    const { sql, secretEnv, password, ...rest } = c;
    const data: Record<string, Json> = secretEnv ? { sql, secretEnv } : { sql };
    if (password) Object.assign(data, { passwordEnv: password.env, passwordUser: password.user, passwordDigest: password.digest });
    changes.push(changeAt(doc, path, { ...rest, title: sql.join('; '), data }));
  };
  /** A declared password's value and digest, or a positioned error when its variable is unset. */
  const passwordOf = (d: DesiredPrincipal): { env: string; user: string; digest: string; value: string } | undefined => {
    if (!d.password || d.password === 'disabled') return undefined;
    const value = passwords?.values.get(d.password.env);
    if (!value) {
      diagnostics.push(diagnosticAt(doc, [...d.path, 'password', 'fromEnv'], 'redshift/password-env-unset', 'error', `User ${d.name}: environment variable ${d.password.env} (its password) is not set, so the password cannot be compared or set`, `Set ${d.password.env} where Charter plans and applies; it is never printed.`));
      return undefined;
    }
    return { env: d.password.env, user: d.name, digest: passwords!.digest(d.name, value), value };
  };

  // ---- principals -------------------------------------------------------------------------------
  const livePrincipals = new Map<string, LivePrincipal>();
  for (const p of live.principals) livePrincipals.set(key(p.name), p);
  const isSystem = systemPrincipalTest(live, key);
  const manageable = (name: string) => !isSystem(name) && !desired.ignored(name);
  const declared = (name: string) => desired.principals.has(key(name));
  const changeable = (name: string) => declared(name) || (desired.allowDrops && livePrincipals.has(key(name)) && manageable(name));
  const grantee = (name: string, liveKind: GranteeKind): Grantee => {
    if (liveKind === 'public') return PUBLIC_GRANTEE;
    const d = desired.principals.get(key(name));
    return d ? { name: d.name, kind: d.kind } : { name, kind: liveKind };
  };
  const principalPath = (name: string): PathSegment[] => desired.principals.get(key(name))?.path ?? ['spec', 'manage', 'allowDrops'];

  for (const d of [...desired.principals.values()].sort((a, b) => cmp(key(a.name), key(b.name)))) {
    const l = livePrincipals.get(key(d.name));
    const address = `${prefix}/${d.kind}/${key(d.name)}`;
    if (!l) {
      const pw = passwordOf(d);
      if (d.password && d.password !== 'disabled' && !pw) continue;
      const after = principalJson(d.name, d.kind, d.externalId) as Record<string, Json>;
      if (pw) after.password = `(from ${pw.env}, write-only)`;
      if (d.attributes) Object.assign(after, d.attributes);
      make(d.path, {
        address,
        action: 'create',
        sql: [createPrincipalSql(dialect, { name: d.name, kind: d.kind, externalId: dialect === 'redshift' ? d.externalId : undefined, password: pw !== undefined, attributes: d.attributes })],
        before: null,
        after,
        ...(pw ? { password: { env: pw.env, user: pw.user, digest: pw.digest } } : {}),
        risk: 'safe',
        reason: `${d.kind === 'user' ? 'User' : 'Role'} ${d.name} does not exist yet`,
        phase: d.kind === 'user' ? PHASE.createUser : PHASE.createRole,
      });
      continue;
    }
    if (l.kind !== d.kind) {
      if (dialect === 'redshift') {
        diagnostics.push(
          diagnosticAt(doc, d.path, 'redshift/principal-kind-mismatch', 'error', `${d.name} exists as a ${l.kind}, but the policy declares a ${d.kind}`, `Redshift cannot turn a ${l.kind} into a ${d.kind}: move it to ${l.kind === 'user' ? 'users' : 'roles'} in the policy, or drop and recreate it by hand.`),
        );
        continue;
      }
      // PostgreSQL users are roles with LOGIN: switching is one ALTER ROLE.
      make(d.path, {
        address,
        action: 'update',
        sql: [alterLoginSql(d.name, d.kind === 'user')],
        before: principalJson(l.name, l.kind),
        after: principalJson(d.name, d.kind),
        risk: d.kind === 'role' ? 'disruptive' : 'safe',
        reason: d.kind === 'user' ? `${d.name} exists as a role without LOGIN; the policy lists it as a user` : `${d.name} can log in; the policy lists it as a role, so it will no longer be able to sign in`,
        phase: d.kind === 'user' ? PHASE.createUser : PHASE.createRole,
      });
      continue;
    }
    if (d.kind === 'user' && d.password && l.password !== undefined) diffPassword(d, l);
    if (d.kind === 'user' && d.attributes && l.attributes) diffAttributes(d, d.attributes, l, l.attributes);
    if (dialect === 'redshift' && d.kind === 'role' && d.externalId !== undefined && d.externalId !== l.externalId) {
      make(d.path, {
        address,
        action: 'update',
        sql: [alterExternalIdSql(d.name, d.externalId)],
        before: principalJson(l.name, l.kind, l.externalId),
        after: principalJson(d.name, d.kind, d.externalId),
        risk: 'safe',
        reason: `External id ${l.externalId ?? '(none)'} → ${d.externalId}`,
        phase: PHASE.createRole,
      });
    }
  }

  /** Declared attributes that differ: one ALTER each, in one change; restricting the user is disruptive. */
  function diffAttributes(d: DesiredPrincipal, want: UserAttributes, l: LivePrincipal, have: NonNullable<LivePrincipal['attributes']>): void {
    const changed: UserAttributes = {};
    const before: Record<string, Json> = { user: l.name };
    const after: Record<string, Json> = { user: d.name };
    let restricts = false;
    if (want.createdb !== undefined && want.createdb !== have.createdb) {
      changed.createdb = want.createdb;
      [before.createdb, after.createdb] = [have.createdb, want.createdb];
      restricts ||= !want.createdb;
    }
    if (want.connectionLimit !== undefined && want.connectionLimit !== have.connectionLimit) {
      changed.connectionLimit = want.connectionLimit;
      [before.connectionLimit, after.connectionLimit] = [have.connectionLimit, want.connectionLimit];
      // Fewer connections than allowed now can refuse someone's next sign-in.
      restricts ||= want.connectionLimit !== 'unlimited' && (have.connectionLimit === 'unlimited' || want.connectionLimit < have.connectionLimit);
    }
    if (dialect === 'redshift' && want.syslogAccess !== undefined && have.syslogAccess !== undefined && want.syslogAccess !== have.syslogAccess) {
      changed.syslogAccess = want.syslogAccess;
      [before.syslogAccess, after.syslogAccess] = [have.syslogAccess, want.syslogAccess];
      restricts ||= want.syslogAccess === 'restricted';
    }
    let validUntil: string | undefined;
    let resend: { env: string; user: string; digest: string } | undefined;
    if (want.validUntil !== undefined && have.validUntil !== undefined && want.validUntil !== have.validUntil) {
      // Redshift sets VALID UNTIL only with the password (lint requires one): without its value, diffPassword has reported it.
      const value = d.password && d.password !== 'disabled' ? passwords?.values.get(d.password.env) : undefined;
      if (dialect === 'redshift' && value && d.password && d.password !== 'disabled') resend = { env: d.password.env, user: d.name, digest: passwords!.digest(d.name, value) };
      if (dialect === 'postgres' || resend) {
        validUntil = want.validUntil;
        [before.validUntil, after.validUntil] = [have.validUntil, want.validUntil];
        // An earlier expiry can lock the user out sooner (or at once, when it is already past).
        restricts ||= want.validUntil !== 'infinity' && (have.validUntil === 'infinity' || want.validUntil < have.validUntil);
      }
    }
    const options = userAttributeOptions(dialect, changed).map((o) => alterUserAttributeSql(dialect, d.name, o));
    if (validUntil !== undefined) options.push(alterValidUntilSql(dialect, d.name, validUntil));
    if (!options.length) return;
    const what = Object.keys(after)
      .filter((k) => k !== 'user')
      .map((k) => `${k} ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])}`);
    make(d.path, {
      address: `${prefix}/user/${key(d.name)}/attributes`,
      action: 'update',
      sql: options,
      ...(resend ? { password: resend } : {}),
      before,
      after,
      risk: restricts ? 'disruptive' : 'safe',
      reason: `${d.name}: ${what.join('; ')}${restricts ? ' (restricts what the user may do)' : ''}${resend ? ` (Redshift sets VALID UNTIL with the password: sent again from ${resend.env}, write-only)` : ''}`,
      phase: PHASE.createUser,
    });
  }

  function diffPassword(d: DesiredPrincipal, l: LivePrincipal): void {
    const address = `${prefix}/user/${key(d.name)}/password`;
    if (d.password === 'disabled') {
      if (l.password === null || l.password === undefined) return;
      make([...d.path, 'passwordDisabled'], {
        address,
        action: 'update',
        sql: [alterPasswordSql(dialect, d.name, false)],
        before: { user: l.name, password: '(set)' },
        after: { user: d.name, password: '(disabled)' },
        risk: 'disruptive',
        reason: `${d.name} has a password, but the policy says passwordDisabled: it will no longer be able to sign in with one`,
        phase: PHASE.createUser,
      });
      return;
    }
    const pw = passwordOf(d);
    if (!pw) return;
    const stored = l.password;
    const matches = stored === null || stored === undefined ? false : verifies(stored, dialect, l.name, pw.value);
    if (matches === true) return;
    if (matches === undefined) {
      diagnostics.push(diagnosticAt(doc, [...d.path, 'password'], 'redshift/password-unverifiable', 'warning', `User ${d.name}: the stored password is in a form Charter cannot check (${stored!.startsWith('sha256') ? "Redshift's sha256 form" : 'not md5 or SCRAM-SHA-256'}), so it is left as is`, `To have Charter manage it, set it once with Charter's form: ALTER USER ... PASSWORD 'md5<md5 of password and user name>' (or remove password from the policy).`));
      return;
    }
    make([...d.path, 'password'], {
      address,
      action: 'update',
      sql: [alterPasswordSql(dialect, d.name, true)],
      before: { user: l.name, password: stored === null ? '(none)' : '(differs, write-only)' },
      after: { user: d.name, password: `(from ${pw.env}, write-only)` },
      // A new password locks out whoever signs in with the old one; a first password locks out nobody.
      risk: stored === null ? 'safe' : 'disruptive',
      reason: stored === null ? `${d.name} has no password; the policy sets one from ${pw.env}` : `${d.name}'s password is not the one in ${pw.env}; it is replaced (write-only, never shown)`,
      phase: PHASE.createUser,
      password: { env: pw.env, user: pw.user, digest: pw.digest },
    });
  }

  const leftAlone: string[] = [];
  for (const l of [...livePrincipals.values()].sort((a, b) => cmp(key(a.name), key(b.name)))) {
    if (declared(l.name) || !manageable(l.name)) continue;
    if (!desired.allowDrops) {
      leftAlone.push(l.name);
      continue;
    }
    make(['spec', 'manage', 'allowDrops'], {
      address: `${prefix}/${l.kind}/${key(l.name)}`,
      action: 'delete',
      sql: [dropPrincipalSql(dialect, { name: l.name, kind: l.kind })],
      before: principalJson(l.name, l.kind, l.externalId),
      after: null,
      risk: 'destructive',
      reason: `${l.kind === 'user' ? 'User' : 'Role'} ${l.name} is not in the policy and manage.allowDrops is true (RESTRICT: fails if it still owns objects or holds privileges elsewhere)`,
      phase: l.kind === 'user' ? PHASE.dropUser : PHASE.dropRole,
    });
  }
  if (leftAlone.length) {
    const shown = leftAlone.slice(0, MAX_NAMES_LISTED).join(', ');
    const more = leftAlone.length > MAX_NAMES_LISTED ? ` and ${leftAlone.length - MAX_NAMES_LISTED} more` : '';
    diagnostics.push(
      diagnosticAt(doc, ['spec', 'manage'], 'redshift/principals-left-alone', 'notice', `${leftAlone.length} role(s) or user(s) in the database are not in the policy and are left alone: ${shown}${more}`, 'Declare them, ignore them with manage.ignorePrincipals, or set manage.allowDrops: true to drop them.'),
    );
  }

  // ---- identity providers ------------------------------------------------------------------------
  if (dialect === 'redshift') {
    const unlisted = diffIdentityProviders(prefix, desired, live.identityProviders, make);
    if (unlisted.length) {
      diagnostics.push(
        diagnosticAt(doc, ['spec', 'manage'], 'redshift/identity-providers-left-alone', 'notice', `${unlisted.length} identity provider(s) in the database are not in the policy and are left alone: ${unlisted.join(', ')}`, 'Declare them under identityProviders, or set manage.allowDrops: true to drop them (never CASCADE).'),
      );
    }
  }

  // ---- role memberships --------------------------------------------------------------------------
  // By role and member: whether the live membership holds the admin option.
  const liveMembers = new Map<string, boolean>();
  for (const m of live.memberships) {
    const id = `${key(m.role)}\u0000${key(m.member)}`;
    liveMembers.set(id, (liveMembers.get(id) ?? false) || m.admin === true);
  }
  const wantedMembers = new Set<string>();
  for (const m of desired.memberships) {
    const id = `${key(m.role)}\u0000${key(m.member)}`;
    wantedMembers.add(id);
    const member = { name: m.member, kind: m.memberKind };
    const address = `${prefix}/${m.memberKind}/${key(m.member)}/member-of/${key(m.role)}`;
    const liveAdmin = liveMembers.get(id);
    if (liveAdmin === undefined) {
      make(m.path, {
        address,
        action: 'create',
        sql: [membershipSql(dialect, 'grant', m.role, member, m.admin)],
        before: null,
        after: { role: m.role, member: m.member, ...(m.admin ? { adminOption: true } : {}) },
        risk: 'safe',
        reason: `${m.member} should be a member of ${m.role}${m.admin ? ', with the admin option' : ''}`,
        phase: m.memberKind === 'user' ? PHASE.grantRoleToUser : PHASE.grantRoleToRole,
      });
      continue;
    }
    if (liveAdmin === m.admin) continue;
    // The membership stays; only its admin option changes.
    make(m.path, {
      address: `${address}/admin-option`,
      action: 'update',
      sql: [membershipSql(dialect, m.admin ? 'grant' : 'revoke', m.role, member, true)],
      before: { role: m.role, member: m.member, adminOption: liveAdmin },
      after: { role: m.role, member: m.member, adminOption: m.admin },
      risk: m.admin ? 'safe' : 'destructive',
      reason: m.admin ? `${m.member} should be able to grant ${m.role} to others (withAdminOption)` : `${m.member} holds ${m.role} with the admin option, which the policy does not give (withAdminOption does not list it)`,
      phase: m.admin ? (m.memberKind === 'user' ? PHASE.grantRoleToUser : PHASE.grantRoleToRole) : m.memberKind === 'user' ? PHASE.revokeRoleFromUser : PHASE.revokeRoleFromRole,
    });
  }
  // PostgreSQL 16+ keeps one pg_auth_members row per grantor: revoke each membership once.
  const revokedMembers = new Set<string>();
  for (const m of live.memberships) {
    const id = `${key(m.role)}\u0000${key(m.member)}`;
    if (wantedMembers.has(id) || revokedMembers.has(id) || !changeable(m.member) || desired.ignored(m.role)) continue;
    // Memberships in the database's own roles (pg_*) are left alone; Redshift's sys:* roles are declared like others.
    if (isSystem(m.role) && !(dialect === 'redshift' && isSystemRoleName(m.role))) continue;
    revokedMembers.add(id);
    const member = grantee(m.member, m.memberKind);
    make(principalPath(m.member), {
      address: `${prefix}/${member.kind}/${key(member.name)}/member-of/${key(m.role)}`,
      action: 'delete',
      sql: [membershipSql(dialect, 'revoke', m.role, member)],
      before: { role: m.role, member: member.name },
      after: null,
      risk: 'destructive',
      reason: declared(m.member) ? `The policy does not make ${member.name} a member of ${m.role}` : `${member.name} is dropped (not in the policy)`,
      phase: member.kind === 'user' ? PHASE.revokeRoleFromUser : PHASE.revokeRoleFromRole,
    });
  }

  // ---- privileges --------------------------------------------------------------------------------
  const managed = (schema: string) => desired.managedSchemas.has(key(schema));
  const liveKeys = new Set<string>();
  // Privileges held WITH GRANT OPTION (PostgreSQL may list one per grantor: any of them counts).
  const liveOption = new Set<string>();
  for (const p of live.privileges) {
    const id = privilegeKey(key, gk(p.grantee, p.granteeKind), p.target, p.privilege);
    liveKeys.add(id);
    if (p.grantOption) liveOption.add(id);
  }
  // What the grant option of a held privilege should be: grants of the option alone, and revokes of it alone.
  const optionGrants = new Groups();
  const optionRevokes = new Groups();
  /** Grants the privilege (with its option), or only the option when the privilege is held without it. */
  const grantWithOption = (g: Grantee, t: PrivilegeTarget, id: string, p: { privilege: string; grantOption?: boolean; path: PathSegment[] }): void => {
    if (!liveKeys.has(id)) grants.add(g, t, p.privilege, p.path, p.grantOption === true);
    else if (p.grantOption && !liveOption.has(id)) optionGrants.add(g, t, p.privilege, p.path, true);
  };
  const wanted = new Set<string>();
  const grants = new Groups();
  const columnGrants = new ColumnGroups();
  const missingTables = new Set<string>();
  const tableKeySets = new Map<string, Set<string>>();
  const tableKeys = (schema: string): Set<string> => {
    let set = tableKeySets.get(key(schema));
    if (!set) tableKeySets.set(key(schema), (set = new Set((live.schemas.get(key(schema))?.tables ?? []).map(key))));
    return set;
  };
  // All-tables privileges the policy declares: a named-table privilege they cover needs no statement of its own.
  // By key: whether the grant option is wanted too.
  const allTablesWanted = new Map(desired.privileges.filter((p) => p.target.type === 'table' && p.target.table === null).map((p) => [privilegeKey(key, gk(p.grantee, p.granteeKind), p.target, p.privilege), p.grantOption === true]));
  // The same for all-functions / all-procedures privileges, which cover named routines of their kind.
  const allRoutinesWanted = new Map(desired.privileges.filter((p) => p.target.type === 'allRoutines').map((p) => [privilegeKey(key, gk(p.grantee, p.granteeKind), p.target, p.privilege), p.grantOption === true]));
  // Every declared privilege's key, with whether its grant option is wanted (a table's through a named or an all-tables grant).
  const wantedOption = new Map<string, boolean>();
  for (const p of desired.privileges) {
    const id = privilegeKey(key, gk(p.grantee, p.granteeKind), p.target, p.privilege);
    wantedOption.set(id, (wantedOption.get(id) ?? false) || p.grantOption === true);
  }

  // An owner holds every privilege on its schema and tables implicitly and the PostgreSQL reader leaves
  // those out (only it reports owners): without this, a grant to the owner would be planned on every run.
  const ownsSchema = (grantee: string, schema: string) => {
    const owner = live.schemas.get(key(schema))?.owner;
    return owner !== undefined && key(owner) === key(grantee);
  };
  const ownsTable = (grantee: string, schema: string, table: string) => {
    const owner = live.schemas.get(key(schema))?.tableOwners.get(table);
    return owner !== undefined && key(owner) === key(grantee);
  };

  /** Whether a named table exists; reports it (once per table) when it does not. */
  const tableExists = (schema: string, table: string, path: PathSegment[]): boolean => {
    if (tableKeys(schema).has(key(table))) return true;
    const id = `table\u0000${key(schema)}\u0000${key(table)}`;
    if (!missingTables.has(id)) {
      missingTables.add(id);
      diagnostics.push(diagnosticAt(doc, path, 'redshift/table-not-found', 'error', `Table ${schema}.${table} does not exist in the database`, 'Create the table first, fix the name, or use allTables: true.'));
    }
    return false;
  };

  for (const p of desired.privileges) {
    const pk = gk(p.grantee, p.granteeKind);
    const id = privilegeKey(key, pk, p.target, p.privilege);
    wanted.add(id);
    const g = { name: p.grantee, kind: p.granteeKind };
    const t = p.target;
    if (t.type === 'system') {
      if (!liveKeys.has(id)) grants.add(g, t, p.privilege, p.path);
      continue;
    }
    if (t.type === 'database') {
      if (live.database === undefined) {
        if (!missingTables.has('database')) {
          missingTables.add('database');
          diagnostics.push(diagnosticAt(doc, p.path, 'redshift/database-unknown', 'error', 'The connection does not name a database, so its privileges cannot be read or granted', 'Name the database in the connection URL (postgres://…/<database>).'));
        }
        continue;
      }
      // The database's owner holds its privileges implicitly.
      if (live.databaseOwner !== undefined && key(live.databaseOwner) === key(p.grantee)) continue;
      grantWithOption(g, { type: 'database', database: live.database }, id, p);
      continue;
    }
    if (t.type === 'sharedDatabase') {
      // No existence check: the catalog shows a datashare database only through its grants (apply fails on a wrong name).
      if (!liveKeys.has(id)) grants.add(g, t, p.privilege, p.path);
      continue;
    }
    if (!managed(t.schema)) continue; // lint reports it; never touch an unmanaged schema
    const schema = live.schemas.get(key(t.schema));
    if (!schema && live.schemasComplete) {
      const id2 = `schema\u0000${key(t.schema)}`;
      if (!missingTables.has(id2)) {
        missingTables.add(id2);
        diagnostics.push(diagnosticAt(doc, p.path, 'redshift/schema-not-found', 'error', `Schema ${t.schema} does not exist in the database`, 'Create the schema first (Charter manages privileges, not schemas), or fix the name.'));
      }
      continue;
    }
    if (t.type === 'allRoutines') {
      // Holds when every existing routine of the kind has it (an owner's is implicit); an empty schema is not drift.
      const others = [...(schema?.routines ?? new Map<string, { kind: string; owner?: string }>())]
        .filter(([, r]) => r.kind === t.kind && !(r.owner !== undefined && key(r.owner) === key(p.grantee)))
        .map(([signature]) => privilegeKey(key, pk, routineTarget(t.kind, t.schema, signature), p.privilege));
      if (others.some((k) => !liveKeys.has(k))) grants.add(g, t, p.privilege, p.path, p.grantOption === true);
      else if (p.grantOption && others.some((k) => !liveOption.has(k))) optionGrants.add(g, t, p.privilege, p.path, true);
      continue;
    }
    if (t.type === 'routine') {
      const routines = schema?.routines;
      const found = routines?.get(routineKey(key, t.name, t.args));
      if (routines && (!found || found.kind !== t.kind)) {
        const id2 = `routine\u0000${key(t.schema)}\u0000${routineKey(key, t.name, t.args)}`;
        if (!missingTables.has(id2)) {
          missingTables.add(id2);
          const other = found ? ` (it is a ${found.kind}: list it under ${found.kind === 'function' ? 'functions' : 'procedures'})` : '';
          diagnostics.push(diagnosticAt(doc, p.path, 'redshift/routine-not-found', 'error', `${t.kind === 'function' ? 'Function' : 'Procedure'} ${t.schema}.${t.name}(${t.args}) does not exist in the database${other}`, 'Create it first, or fix the name or the argument types (spelled as the catalog does: charter import writes them).'));
        }
        continue;
      }
      // Its owner holds EXECUTE implicitly.
      if (found?.owner !== undefined && key(found.owner) === key(p.grantee)) continue;
      // Covered by an all-functions / all-procedures grant of the same privilege.
      const all = allRoutinesWanted.get(privilegeKey(key, pk, { type: 'allRoutines', kind: t.kind, schema: t.schema }, p.privilege));
      if (all === true || (all === false && !p.grantOption)) continue;
      grantWithOption(g, t, id, p);
      continue;
    }
    if (t.type === 'column') {
      if (!tableExists(t.schema, t.table, p.path)) continue;
      const columns = schema?.columns?.get(t.table);
      if (columns && !columns.some((c) => key(c) === key(t.column))) {
        const id2 = `column\u0000${key(t.schema)}\u0000${key(t.table)}\u0000${key(t.column)}`;
        if (!missingTables.has(id2)) {
          missingTables.add(id2);
          diagnostics.push(diagnosticAt(doc, p.path, 'redshift/column-not-found', 'error', `Column ${t.column} of table ${t.schema}.${t.table} does not exist in the database`, 'Add the column first, or fix the name.'));
        }
        continue;
      }
      // The table's owner holds every privilege on its columns implicitly.
      if (ownsTable(p.grantee, t.schema, t.table)) continue;
      if (!liveKeys.has(id)) columnGrants.add(g, t, p.privilege, p.path);
      continue;
    }
    if (t.type === 'table') {
      const tables = schema?.tables ?? [];
      if (t.table === null) {
        const others = tables.filter((table) => !ownsTable(p.grantee, t.schema, table)).map((table) => privilegeKey(key, pk, { type: 'table', schema: t.schema, table }, p.privilege));
        if (others.some((k) => !liveKeys.has(k))) grants.add(g, t, p.privilege, p.path, p.grantOption === true);
        else if (p.grantOption && others.some((k) => !liveOption.has(k))) optionGrants.add(g, t, p.privilege, p.path, true);
        continue;
      }
      if (!tableExists(t.schema, t.table, p.path)) continue;
      // Covered by an all-tables grant of the same privilege (planned or already true), or by ownership.
      const all = allTablesWanted.get(privilegeKey(key, pk, { type: 'table', schema: t.schema, table: null }, p.privilege));
      if (all === true || (all === false && !p.grantOption)) continue;
      if (ownsTable(p.grantee, t.schema, t.table)) continue;
    }
    if (t.type === 'schema' && ownsSchema(p.grantee, t.schema)) continue;
    grantWithOption(g, t, id, p);
  }

  // Revokes: privileges held by principals Charter may change, in managed schemas, that the policy does not declare.
  const futureOwners = new Map<string, Set<string>>();
  for (const p of desired.privileges) {
    if (p.target.type !== 'future') continue;
    const id = `${gk(p.grantee, p.granteeKind)}\u0000${p.target.objects ?? 'tables'}\u0000${key(p.target.schema)}\u0000${p.privilege}`;
    futureOwners.set(id, (futureOwners.get(id) ?? new Set()).add(key(p.target.owner)));
  }
  const revokes = new Groups();
  const columnRevokes = new ColumnGroups();
  const tableRevokes = new Map<string, { g: Grantee; schema: string; privilege: string; tables: string[]; path: PathSegment[] }>();
  const sharedDatabases = new Set(desired.privileges.flatMap((p) => (p.target.type === 'sharedDatabase' ? [key(p.target.database)] : [])));
  // Undeclared principals whose privileges in managed schemas are revoked while they themselves are kept.
  const contractRevoked = new Map<string, string>();
  const revokePath = (p: { grantee: string; granteeKind: GranteeKind; target: PrivilegeTarget }): PathSegment[] => {
    if (p.granteeKind === 'public') return desired.publicPath;
    if (declared(p.grantee) || desired.allowDrops) return principalPath(p.grantee);
    return ['spec', 'manage', p.target.type === 'database' || p.target.type === 'sharedDatabase' ? 'database' : 'schemas'];
  };
  for (const p of live.privileges) {
    const t = p.target;
    if (t.type === 'system') {
      if (p.granteeKind === 'public' || !changeable(p.grantee)) continue;
    } else if (t.type === 'database' || t.type === 'sharedDatabase') {
      // A datashare database is Charter's only when the policy names it.
      if (t.type === 'sharedDatabase' && !sharedDatabases.has(key(t.database))) continue;
      // Declared principals' database privileges always; PUBLIC's and undeclared principals' under manage.database
      // (and those of principals about to be dropped).
      const mine =
        p.granteeKind === 'public'
          ? desired.manageDatabase
          : declared(p.grantee) || (manageable(p.grantee) && (desired.manageDatabase || (desired.allowDrops && livePrincipals.has(key(p.grantee)))));
      if (!mine) continue;
    } else {
      if (!managed(t.schema)) continue;
      // The schema contract: in a managed schema every grantee but ignored and system principals is Charter's.
      if (p.granteeKind !== 'public' && !declared(p.grantee) && !manageable(p.grantee)) continue;
    }
    const pk = gk(p.grantee, p.granteeKind);
    const own = privilegeKey(key, pk, t, p.privilege);
    const viaAll =
      t.type === 'table'
        ? privilegeKey(key, pk, { type: 'table', schema: t.schema, table: null }, p.privilege)
        : t.type === 'routine'
          ? privilegeKey(key, pk, { type: 'allRoutines', kind: t.kind, schema: t.schema }, p.privilege)
          : undefined;
    if (wanted.has(own) || (viaAll !== undefined && wanted.has(viaAll))) {
      // Held as declared: only its grant option may differ (column privileges' is not read).
      const optionWanted = wantedOption.get(own) === true || (viaAll !== undefined && wantedOption.get(viaAll) === true);
      if (p.grantOption && !optionWanted && t.type !== 'column' && p.granteeKind !== 'public') optionRevokes.add(grantee(p.grantee, p.granteeKind), t, p.privilege, principalPath(p.grantee), true);
      continue;
    }
    const g = grantee(p.grantee, p.granteeKind);
    if (p.granteeKind !== 'public' && !declared(p.grantee) && !desired.allowDrops) contractRevoked.set(key(p.grantee), p.grantee);
    if (t.type === 'column') {
      columnRevokes.add(g, t, p.privilege, revokePath(p));
      continue;
    }
    if (t.type === 'table') {
      if (wanted.has(privilegeKey(key, pk, { type: 'table', schema: t.schema, table: null }, p.privilege))) continue;
      // What a declared future-tables grant gave a table created since is the policy's intent, not drift.
      const owners = futureOwners.get(`${pk}\u0000tables\u0000${key(t.schema)}\u0000${p.privilege}`);
      const owner = live.schemas.get(key(t.schema))?.tableOwners.get(t.table!);
      if (owners && (owner === undefined || owners.has(key(owner)))) continue;
      const id = `${pk}\u0000${key(t.schema)}\u0000${p.privilege}`;
      let r = tableRevokes.get(id);
      if (!r) tableRevokes.set(id, (r = { g, schema: t.schema, privilege: p.privilege, tables: [], path: revokePath(p) }));
      r.tables.push(t.table!);
      continue;
    }
    if (t.type === 'routine') {
      // What declared future-functions (or, on Redshift, future-procedures) defaults gave a routine created since is intended.
      const objects = t.kind === 'procedure' && dialect === 'redshift' ? 'procedures' : 'functions';
      const owners = futureOwners.get(`${pk}\u0000${objects}\u0000${key(t.schema)}\u0000${p.privilege}`);
      const owner = live.schemas.get(key(t.schema))?.routines?.get(routineKey(key, t.name, t.args))?.owner;
      if (owners && (owner === undefined || owners.has(key(owner)))) continue;
    }
    revokes.add(g, t, p.privilege, revokePath(p));
  }
  if (contractRevoked.size) {
    const names = [...contractRevoked.entries()].sort(([a], [b]) => cmp(a, b)).map(([, n]) => n);
    const shown = names.slice(0, MAX_NAMES_LISTED).join(', ');
    const more = names.length > MAX_NAMES_LISTED ? ` and ${names.length - MAX_NAMES_LISTED} more` : '';
    diagnostics.push(
      diagnosticAt(doc, ['spec', 'manage', 'schemas'], 'redshift/undeclared-principal-privileges-revoked', 'warning', `${names.length} role(s) or user(s) not in the policy hold privileges in managed schemas; the plan revokes those privileges (the roles and users themselves are kept, manage.allowDrops is off): ${shown}${more}`, 'Declare the privileges on the role or user to keep them, or list it in manage.ignorePrincipals to leave everything it holds alone.'),
    );
  }
  const losers = publicLosers(desired, live);
  for (const r of tableRevokes.values()) {
    // Held on every table of the schema: one REVOKE ... ON ALL TABLES IN SCHEMA instead of one per table.
    const all = live.schemas.get(key(r.schema))?.tables ?? [];
    const held = new Set(r.tables.map(key));
    if (all.length > 1 && all.every((t) => held.has(key(t)))) revokes.add(r.g, { type: 'table', schema: r.schema, table: null }, r.privilege, r.path);
    else for (const table of r.tables) revokes.add(r.g, { type: 'table', schema: r.schema, table }, r.privilege, r.path);
  }

  for (const group of grants.list(gk)) {
    const desc = targetJson(group.target);
    make(group.path, {
      address: `${prefix}/${granteeAddress(key, group.grantee)}/${targetAddress(key, group.target)}/grant${group.grantOption ? '-with-grant-option' : ''}`,
      action: 'create',
      sql: [privilegeSql(dialect, 'grant', group.target, group.privileges, group.grantee, group.grantOption)],
      before: null,
      after: { grantee: group.grantee.name, on: desc, privileges: group.privileges, ...(group.grantOption ? { grantOption: true } : {}) },
      risk: 'safe',
      reason: grantReason(group.target, group.grantee.name, group.privileges) + (group.grantOption ? ' (with grant option)' : ''),
      phase: grantPhase(group.target),
    });
  }
  // The grant option alone: the privilege stays either way.
  for (const [list, op] of [[optionGrants, 'grant'], [optionRevokes, 'revoke']] as const) {
    for (const group of list.list(gk)) {
      const on = targetJson(group.target);
      const what = `${group.privileges.join(', ')} ${targetPhrase(group.target)}`;
      make(group.path, {
        address: `${prefix}/${granteeAddress(key, group.grantee)}/${targetAddress(key, group.target)}/grant-option/${op}`,
        action: 'update',
        sql: [privilegeSql(dialect, op, group.target, group.privileges, group.grantee, true)],
        before: { grantee: group.grantee.name, on, privileges: group.privileges, grantOption: op === 'revoke' },
        after: { grantee: group.grantee.name, on, privileges: group.privileges, grantOption: op === 'grant' },
        // Taking the option away stops the grantee passing the privilege on (and fails while it has: no CASCADE).
        risk: op === 'grant' ? 'safe' : 'destructive',
        reason:
          op === 'grant'
            ? `${group.grantee.name} should be able to grant ${what} to others (withGrantOption)`
            : `${group.grantee.name} holds ${what} with the grant option, which the policy does not give (no withGrantOption)`,
        phase: op === 'grant' ? grantPhase(group.target) : revokePhase(group.target),
      });
    }
  }
  for (const group of columnGrants.list(gk)) {
    make(group.path, {
      address: `${prefix}/${granteeAddress(key, group.grantee)}/columns/${key(group.schema)}/${key(group.table)}/grant`,
      action: 'create',
      sql: [columnPrivilegeSql(dialect, 'grant', group.schema, group.table, group.columns, group.grantee)],
      before: null,
      after: { grantee: group.grantee.name, on: { schema: group.schema, table: group.table }, columns: columnsJson(group.columns) },
      risk: 'safe',
      reason: `${group.grantee.name} lacks ${columnsPhrase(group.columns)} of table ${group.schema}.${group.table}`,
      phase: PHASE.grantColumn,
    });
  }
  for (const group of columnRevokes.list(gk)) {
    const before: Record<string, Json> = { grantee: group.grantee.name, on: { schema: group.schema, table: group.table }, columns: columnsJson(group.columns) };
    const what = `${columnsPhrase(group.columns)} of table ${group.schema}.${group.table}`;
    let reason: string;
    let risk: Risk = 'destructive';
    if (group.grantee.kind === 'public') {
      const names = new Set<string>();
      for (const [privilege, columns] of group.columns) {
        for (const column of columns) for (const n of losers({ type: 'column', schema: group.schema, table: group.table, column }, [privilege]).names) names.add(n);
      }
      const lost = [...names].sort((a, b) => cmp(key(a), key(b)));
      before.losesAccess = lost.slice(0, MAX_NAMES_LISTED);
      if (lost.length > MAX_NAMES_LISTED) before.losesAccessMore = lost.length - MAX_NAMES_LISTED;
      risk = 'disruptive';
      const shown = lost.slice(0, MAX_NAMES_LISTED).join(', ') + (lost.length > MAX_NAMES_LISTED ? ` and ${lost.length - MAX_NAMES_LISTED} more` : '');
      reason = `PUBLIC holds ${what}, which the policy does not declare; ${lost.length ? `${lost.length} user(s) lose access, holding it through no other grant: ${shown}` : 'no existing user loses access (each holds it through another grant or owns the table); users created later will not get it'}`;
    } else if (declared(group.grantee.name)) {
      reason = `The policy does not grant ${what} to ${group.grantee.name}`;
    } else if (desired.allowDrops) {
      reason = `${group.grantee.name} is dropped (not in the policy): its ${what} go first`;
    } else {
      reason = `${group.grantee.name} is not in the policy: its privileges in managed schemas are revoked (${what}); the ${group.grantee.kind} itself is kept (manage.allowDrops is off)`;
    }
    make(group.path, {
      address: `${prefix}/${granteeAddress(key, group.grantee)}/columns/${key(group.schema)}/${key(group.table)}/revoke`,
      action: 'delete',
      sql: [columnPrivilegeSql(dialect, 'revoke', group.schema, group.table, group.columns, group.grantee)],
      before,
      after: null,
      risk,
      reason,
      phase: PHASE.revokeColumn,
    });
  }
  for (const group of revokes.list(gk)) {
    const before: Record<string, Json> = { grantee: group.grantee.name, on: targetJson(group.target), privileges: group.privileges };
    let reason: string;
    let risk: Risk = 'destructive';
    if (group.grantee.kind === 'public') {
      // Revoking from PUBLIC takes the privilege from everyone who has no other grant of it: disruptive, and named.
      const lose = losers(group.target, group.privileges);
      before.losesAccess = lose.names.slice(0, MAX_NAMES_LISTED);
      if (lose.names.length > MAX_NAMES_LISTED) before.losesAccessMore = lose.names.length - MAX_NAMES_LISTED;
      risk = 'disruptive';
      reason = `PUBLIC holds ${group.privileges.join(', ')} ${targetPhrase(group.target)}, which the policy does not declare; ${lose.phrase}`;
    } else if (declared(group.grantee.name)) {
      reason = `The policy does not grant ${group.privileges.join(', ')} ${targetPhrase(group.target)} to ${group.grantee.name}`;
    } else if (desired.allowDrops || group.target.type === 'system') {
      reason = `${group.grantee.name} is dropped (not in the policy): its privileges ${targetPhrase(group.target)} go first`;
    } else {
      reason = `${group.grantee.name} is not in the policy: its privileges in managed schemas are revoked (${targetPhrase(group.target)}); the ${group.grantee.kind} itself is kept (manage.allowDrops is off)`;
    }
    make(group.path, {
      address: `${prefix}/${granteeAddress(key, group.grantee)}/${targetAddress(key, group.target)}/revoke`,
      action: 'delete',
      sql: [privilegeSql(dialect, 'revoke', group.target, group.privileges, group.grantee)],
      before,
      after: null,
      risk,
      reason,
      phase: revokePhase(group.target),
    });
  }
  return { changes, diagnostics };
}

function diffIdentityProviders(
  prefix: string,
  desired: Desired,
  live: LiveIdentityProvider[],
  make: (path: PathSegment[], c: { address: string; action: Change['action']; sql: string[]; before: Json; after: Json; risk: Risk; reason: string; phase: number; secretEnv?: string }) => void,
): string[] {
  const { key } = desired;
  const byKey = new Map(live.map((p) => [key(p.name), p]));
  for (const d of [...desired.identityProviders.values()].sort((a, b) => cmp(key(a.name), key(b.name)))) {
    const l = byKey.get(key(d.name));
    const address = `${prefix}/identity-provider/${key(d.name)}`;
    if (!l) {
      make(d.path, {
        address,
        action: 'create',
        sql: [createIdpSql(d.name, d.type, d.namespace, d.params), ...(d.enabled ? [] : [alterIdpEnabledSql(d.name, false)])],
        before: null,
        after: idpJson(d, `(from ${d.secretEnv}, write-only)`),
        risk: 'safe',
        reason: `Identity provider ${d.name} does not exist yet; secret: from ${d.secretEnv} (write-only)`,
        phase: PHASE.identityProvider,
        secretEnv: d.secretEnv,
      });
      continue;
    }
    const sql: string[] = [];
    const what: string[] = [];
    const namespaceChanges = l.namespace.toLowerCase() !== d.namespace.toLowerCase();
    if (namespaceChanges) {
      sql.push(alterIdpNamespaceSql(d.name, d.namespace));
      what.push(`namespace ${l.namespace} → ${d.namespace}`);
    }
    const sameAudience = l.audience.length === d.params.audience.length && [...l.audience].sort().every((a, i) => a === [...d.params.audience].sort()[i]);
    const paramsDiffer = l.issuer !== d.params.issuer || l.clientId !== d.params.clientId || !sameAudience;
    if (paramsDiffer) {
      sql.push(alterIdpParametersSql(d.name, d.params));
      what.push('parameters differ (ALTER replaces them all, so the secret is sent again)');
    }
    if (l.enabled !== d.enabled) {
      sql.push(alterIdpEnabledSql(d.name, d.enabled));
      what.push(d.enabled ? 'enable' : 'disable');
    }
    if (!sql.length) continue;
    const liveAsDesired: DesiredIdentityProvider = { ...d, namespace: l.namespace, enabled: l.enabled, params: { issuer: l.issuer, clientId: l.clientId, audience: l.audience } };
    make(d.path, {
      address,
      action: 'update',
      sql,
      before: idpJson(liveAsDesired, '(unchanged, write-only)'),
      after: idpJson(d, '(unchanged, write-only)'),
      // Disabling stops sign-ins; a new namespace renames who signs in (existing <namespace>:… users and
      // roles no longer match), so both are disruptive.
      risk: d.enabled && !namespaceChanges ? 'safe' : 'disruptive',
      reason: `${what.join('; ')}; secret: (unchanged, write-only)`,
      phase: PHASE.identityProvider,
      secretEnv: paramsDiffer ? d.secretEnv : undefined,
    });
  }
  const leftAlone: string[] = [];
  for (const l of [...live].sort((a, b) => cmp(key(a.name), key(b.name)))) {
    if (desired.identityProviders.has(key(l.name))) continue;
    if (!desired.allowDrops) {
      leftAlone.push(l.name);
      continue;
    }
    make(['spec', 'manage', 'allowDrops'], {
      address: `${prefix}/identity-provider/${key(l.name)}`,
      action: 'delete',
      sql: [dropIdpSql(l.name)],
      before: { name: l.name, type: l.type, namespace: l.namespace, issuer: l.issuer, clientId: l.clientId, audience: l.audience, enabled: l.enabled },
      after: null,
      risk: 'destructive',
      reason: `Identity provider ${l.name} is not in the policy and manage.allowDrops is true (no CASCADE: fails while its users and roles exist)`,
      phase: PHASE.dropIdentityProvider,
    });
  }
  return leftAlone;
}

/**
 * Principals Charter never touches: the database's own (rdsdb, sys:* and datasharing's ds:* on Redshift, pg_* on PostgreSQL),
 * the connecting user, and superusers.
 */
export function systemPrincipalTest(live: LiveState, key: (name: string) => string): (name: string) => boolean {
  const superusers = new Set(live.principals.filter((p) => p.superuser).map((p) => key(p.name)));
  const currentUser = key(live.currentUser);
  return (name) => {
    const k = key(name);
    if (k === currentUser || superusers.has(k)) return true;
    // ds:<share> roles and ds:<share>_consumer users are Redshift's own for datasharing: never modified or dropped.
    return live.dialect === 'redshift' ? k === 'rdsdb' || isSystemRoleName(name) || k.startsWith('ds:') : name.startsWith('pg_');
  };
}

/**
 * Who loses a privilege when PUBLIC's is revoked: the users (not superusers, who bypass privileges, nor
 * the object's owner) that hold it through no other grant, directly or through their roles, as the
 * database stands or as the plan grants it. Built on first use: most plans revoke nothing from PUBLIC.
 */
function publicLosers(desired: Desired, live: LiveState): (t: PrivilegeTarget, privileges: string[]) => { names: string[]; phrase: string } {
  const { key } = desired;
  let index: { holders: Map<string, Set<string>>; users: Array<{ name: string; key: string; reach: string[] }> } | undefined;
  const privId = (t: PrivilegeTarget, privilege: string) => `${targetKey(key, t)}\u0000${privilege.toLowerCase()}`;
  const build = () => {
    const holders = new Map<string, Set<string>>();
    const hold = (p: { grantee: string; granteeKind: GranteeKind; target: PrivilegeTarget; privilege: string }) => {
      if (p.granteeKind === 'public') return;
      const id = privId(p.target, p.privilege);
      let set = holders.get(id);
      if (!set) holders.set(id, (set = new Set()));
      set.add(key(p.grantee));
    };
    live.privileges.forEach(hold);
    desired.privileges.forEach(hold);
    const parents = new Map<string, string[]>();
    for (const m of [...live.memberships, ...desired.memberships]) {
      const list = parents.get(key(m.member)) ?? [];
      list.push(key(m.role));
      parents.set(key(m.member), list);
    }
    const users = live.principals
      .filter((p) => p.kind === 'user' && !p.superuser)
      .map((p) => {
        // The user and every role it reaches through the hierarchy.
        const reach = new Set([key(p.name)]);
        const stack = [key(p.name)];
        while (stack.length) {
          for (const r of parents.get(stack.pop()!) ?? []) {
            if (reach.has(r)) continue;
            reach.add(r);
            stack.push(r);
          }
        }
        return { name: p.name, key: key(p.name), reach: [...reach] };
      })
      .sort((a, b) => cmp(a.key, b.key));
    return { holders, users };
  };
  return (t, privileges) => {
    index ??= build();
    const { holders, users } = index;
    const held = (reach: string[], t: PrivilegeTarget, privilege: string) => {
      const direct = holders.get(privId(t, privilege));
      if (direct && reach.some((r) => direct.has(r))) return true;
      // A column privilege is also held through the same privilege on the whole table (PostgreSQL and Redshift).
      if (t.type === 'column') return held(reach, { type: 'table', schema: t.schema, table: t.table }, privilege);
      // A table privilege is also held through a declared all-tables grant.
      if (t.type !== 'table' || t.table === null) return false;
      const all = holders.get(privId({ type: 'table', schema: t.schema, table: null }, privilege));
      return all !== undefined && reach.some((r) => all.has(r));
    };
    const schema = t.type === 'system' || t.type === 'database' || t.type === 'sharedDatabase' ? undefined : live.schemas.get(key(t.schema));
    const owner = (table?: string) => {
      const o = table === undefined ? schema?.owner : schema?.tableOwners.get(table);
      return o === undefined ? undefined : key(o);
    };
    const loses = (u: { key: string; reach: string[] }) =>
      privileges.some((privilege) => {
        if (t.type === 'table') {
          const tables = t.table === null ? (schema?.tables ?? []) : [t.table];
          return tables.some((table) => owner(table) !== u.key && !held(u.reach, { type: 'table', schema: t.schema, table }, privilege));
        }
        if (t.type === 'column' && owner(t.table) === u.key) return false;
        if (t.type === 'routine') {
          const o = schema?.routines?.get(routineKey(key, t.name, t.args))?.owner;
          if (o !== undefined && key(o) === u.key) return false;
        }
        if (t.type === 'schema' && owner() === u.key) return false;
        if (t.type === 'database' && live.databaseOwner !== undefined && key(live.databaseOwner) === u.key) return false;
        if (t.type === 'future' && key(t.owner) === u.key) return false;
        return !held(u.reach, t, privilege);
      });
    const names = users.filter(loses).map((u) => u.name);
    const later = t.type === 'future' ? ` on the ${t.objects ?? 'tables'} ${t.owner} creates from now on` : '';
    if (!names.length) return { names, phrase: `no existing user loses access${later} (each holds it through another grant or owns the object); users created later will not get it` };
    const shown = names.slice(0, MAX_NAMES_LISTED).join(', ');
    const more = names.length > MAX_NAMES_LISTED ? ` and ${names.length - MAX_NAMES_LISTED} more` : '';
    return { names, phrase: `${names.length} user(s) lose access${later}, holding it through no other grant: ${shown}${more}` };
  };
}

function idpJson(d: DesiredIdentityProvider, secret: string): Json {
  return { name: d.name, type: d.type, namespace: d.namespace, issuer: d.params.issuer, clientId: d.params.clientId, audience: d.params.audience, enabled: d.enabled, secret };
}

function principalJson(name: string, kind: PrincipalKind, externalId?: string): Json {
  return externalId === undefined ? { name, type: kind } : { name, type: kind, externalId };
}

/** A routine target from its key in LiveSchema.routines (`name(argument types)`; names hold no parenthesis). */
function routineTarget(kind: RoutineKind, schema: string, signature: string): PrivilegeTarget {
  const open = signature.indexOf('(');
  return { type: 'routine', kind, schema, name: signature.slice(0, open), args: signature.slice(open + 1, -1) };
}

/** How routines are keyed: the name as the database compares it and the normalised argument types. */
export function routineKey(key: (n: string) => string, name: string, args: string): string {
  return `${key(name)}(${args})`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function targetKey(key: (n: string) => string, t: PrivilegeTarget): string {
  switch (t.type) {
    case 'system':
      return 'system';
    case 'database':
      // One database per policy: its name is not part of the key (desired targets learn it from the catalog).
      return 'database';
    case 'schema':
      return `schema\u0000${key(t.schema)}`;
    case 'table':
      return t.table === null ? `all\u0000${key(t.schema)}` : `table\u0000${key(t.schema)}\u0000${key(t.table)}`;
    case 'column':
      return `column\u0000${key(t.schema)}\u0000${key(t.table)}\u0000${key(t.column)}`;
    case 'routine':
      // Without the kind: a function and a procedure cannot share a signature.
      return `routine\u0000${key(t.schema)}\u0000${routineKey(key, t.name, t.args)}`;
    case 'allRoutines':
      return `all-${t.kind}s\u0000${key(t.schema)}`;
    case 'sharedDatabase':
      return `shared\u0000${key(t.database)}`;
    case 'future':
      return `future${t.objects ?? ''}\u0000${key(t.schema)}\u0000${key(t.owner)}`;
    case 'scoped':
      return `scoped${t.objects}\u0000${key(t.schema)}`;
  }
}

/** `granteeKey` is Desired.granteeKey of the grantee (PUBLIC's differs from every name's). */
function privilegeKey(key: (n: string) => string, granteeKey: string, t: PrivilegeTarget, privilege: string): string {
  return `${granteeKey}\u0000${targetKey(key, t)}\u0000${privilege.toLowerCase()}`;
}

function granteeAddress(key: (n: string) => string, g: Grantee): string {
  return g.kind === 'public' ? 'public' : `${g.kind}/${key(g.name)}`;
}

function grantPhase(t: PrivilegeTarget): number {
  // Functions and procedures are granted and revoked with tables (object privileges); the database with system privileges.
  return t.type === 'system' || t.type === 'database' || t.type === 'sharedDatabase' ? PHASE.grantSystem : t.type === 'schema' ? PHASE.grantSchema : t.type === 'table' || t.type === 'routine' || t.type === 'allRoutines' ? PHASE.grantTable : t.type === 'column' ? PHASE.grantColumn : PHASE.grantFuture;
}

/** Revokes run in the reverse order of grants. */
function revokePhase(t: PrivilegeTarget): number {
  return t.type === 'future' || t.type === 'scoped' ? PHASE.revokeFuture : t.type === 'column' ? PHASE.revokeColumn : t.type === 'table' || t.type === 'routine' || t.type === 'allRoutines' ? PHASE.revokeTable : t.type === 'schema' ? PHASE.revokeSchema : PHASE.revokeSystem;
}

/** Addresses use the names as the database compares them (lower-cased on Redshift): stable whatever the YAML spelling. */
function targetAddress(key: (n: string) => string, t: PrivilegeTarget): string {
  switch (t.type) {
    case 'system':
      return 'system';
    case 'database':
      return 'database';
    case 'schema':
      return `schema/${key(t.schema)}`;
    case 'table':
      return t.table === null ? `all-tables/${key(t.schema)}` : `table/${key(t.schema)}/${key(t.table)}`;
    case 'column':
      return `columns/${key(t.schema)}/${key(t.table)}`;
    case 'routine':
      return `${t.kind}/${key(t.schema)}/${routineKey(key, t.name, t.args)}`;
    case 'allRoutines':
      return `all-${t.kind}s/${key(t.schema)}`;
    case 'sharedDatabase':
      return `datashare-database/${key(t.database)}`;
    case 'future':
      return `future-${t.objects ?? 'tables'}/${key(t.schema)}/${key(t.owner)}`;
    case 'scoped':
      return `scoped-${t.objects}/${key(t.schema)}`;
  }
}

function targetJson(t: PrivilegeTarget): Json {
  switch (t.type) {
    case 'system':
      return 'system';
    case 'database':
      return { database: t.database };
    case 'schema':
      return { schema: t.schema };
    case 'table':
      return t.table === null ? { schema: t.schema, allTables: true } : { schema: t.schema, table: t.table };
    case 'column':
      return { schema: t.schema, table: t.table, column: t.column };
    case 'routine':
      return { schema: t.schema, [t.kind]: `${t.name}(${t.args})` };
    case 'allRoutines':
      return { schema: t.schema, [t.kind === 'function' ? 'allFunctions' : 'allProcedures']: true };
    case 'sharedDatabase':
      return { datashareDatabase: t.database };
    case 'scoped':
      return { schema: t.schema, scope: t.objects };
    case 'future':
      return t.objects === 'functions' ? { schema: t.schema, futureFunctionsOf: t.owner } : t.objects === 'procedures' ? { schema: t.schema, futureProceduresOf: t.owner } : { schema: t.schema, futureTablesOf: t.owner };
  }
}

function targetPhrase(t: PrivilegeTarget): string {
  switch (t.type) {
    case 'system':
      return 'as system privileges';
    case 'database':
      return `on database ${t.database}`;
    case 'schema':
      return `on schema ${t.schema}`;
    case 'table':
      return t.table === null ? `on all tables in schema ${t.schema}` : `on table ${t.schema}.${t.table}`;
    case 'column':
      return `on column ${t.schema}.${t.table}.${t.column}`;
    case 'routine':
      return `on ${t.kind} ${t.schema}.${t.name}(${t.args})`;
    case 'allRoutines':
      return `on all ${t.kind}s in schema ${t.schema}`;
    case 'sharedDatabase':
      return `on datashare database ${t.database}`;
    case 'future':
      return `on future ${t.objects ?? 'tables'} of ${t.owner} in schema ${t.schema}`;
    case 'scoped':
      return `for ${t.objects} in schema ${t.schema}`;
  }
}

/** `{select: [a, b], update: [b]}`: privileges in canonical order, columns sorted. */
function columnsJson(columns: ReadonlyMap<string, readonly string[]>): Json {
  return Object.fromEntries(sortPrivileges(columns.keys()).map((p) => [p, [...columns.get(p)!]]));
}

function columnsPhrase(columns: ReadonlyMap<string, readonly string[]>): string {
  return sortPrivileges(columns.keys())
    .map((p) => `${p.toUpperCase()} (${columns.get(p)!.join(', ')})`)
    .join(', ');
}

function grantReason(t: PrivilegeTarget, grantee: string, privileges: string[]): string {
  if (t.type === 'table' && t.table === null) return `Not every table in schema ${t.schema} grants ${privileges.join(', ')} to ${grantee}`;
  if (t.type === 'allRoutines') return `Not every ${t.kind} in schema ${t.schema} grants ${privileges.join(', ')} to ${grantee}`;
  return `${grantee} lacks ${privileges.join(', ')} ${targetPhrase(t)}`;
}

/**
 * Privileges grouped per (grantee, target): one statement each, privileges in canonical order. Keys join
 * names with NUL, which no PostgreSQL or Redshift identifier can contain.
 */
class Groups {
  private readonly groups = new Map<string, { grantee: Grantee; target: PrivilegeTarget; privileges: Set<string>; path: PathSegment[]; grantOption: boolean }>();

  /** `grantOption`: privileges granted WITH GRANT OPTION (or whose option alone is granted or revoked) group apart. */
  add(grantee: Grantee, target: PrivilegeTarget, privilege: string, path: PathSegment[], grantOption = false): void {
    const id = `${grantee.kind}\u0000${grantee.name}\u0000${targetKey((n) => n, target)}\u0000${grantOption ? 'option' : ''}`;
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { grantee, target, privileges: new Set(), path, grantOption }));
    g.privileges.add(target.type === 'system' ? privilege.toUpperCase() : privilege.toLowerCase());
  }

  /** `gk` is Desired.granteeKey: it also sorts the groups, so PUBLIC's come first. */
  list(gk: (n: string, kind: GranteeKind) => string): Array<{ grantee: Grantee; target: PrivilegeTarget; privileges: string[]; path: PathSegment[]; grantOption: boolean }> {
    const key = (n: string) => gk(n, 'role');
    const sortKey = (g: { grantee: Grantee; target: PrivilegeTarget; grantOption: boolean }) => `${gk(g.grantee.name, g.grantee.kind)}\u0000${targetKey(key, g.target)}\u0000${g.grantOption ? 1 : 0}`;
    return [...this.groups.values()]
      .sort((a, b) => cmp(sortKey(a), sortKey(b)))
      .map((g) => ({ grantee: g.grantee, target: g.target, privileges: g.target.type === 'system' ? [...g.privileges].sort() : sortPrivileges(g.privileges), path: g.path, grantOption: g.grantOption }));
  }
}

/**
 * Column privileges grouped per (grantee, table): one statement each, every privilege with its own column
 * list. Columns keep the first spelling seen and are sorted by key.
 */
class ColumnGroups {
  private readonly groups = new Map<string, { grantee: Grantee; schema: string; table: string; columns: Map<string, Map<string, string>>; path: PathSegment[] }>();

  add(grantee: Grantee, t: { schema: string; table: string; column: string }, privilege: string, path: PathSegment[]): void {
    const id = `${grantee.kind}\u0000${grantee.name}\u0000${t.schema}\u0000${t.table}`;
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { grantee, schema: t.schema, table: t.table, columns: new Map(), path }));
    const p = privilege.toLowerCase();
    let cols = g.columns.get(p);
    if (!cols) g.columns.set(p, (cols = new Map()));
    if (!cols.has(t.column)) cols.set(t.column, t.column);
  }

  list(gk: (n: string, kind: GranteeKind) => string): Array<{ grantee: Grantee; schema: string; table: string; columns: Map<string, string[]>; path: PathSegment[] }> {
    const key = (n: string) => gk(n, 'role');
    const sortKey = (g: { grantee: Grantee; schema: string; table: string }) => `${gk(g.grantee.name, g.grantee.kind)}\u0000${key(g.schema)}\u0000${key(g.table)}`;
    return [...this.groups.values()]
      .sort((a, b) => cmp(sortKey(a), sortKey(b)))
      .map((g) => ({
        grantee: g.grantee,
        schema: g.schema,
        table: g.table,
        columns: new Map(sortPrivileges(g.columns.keys()).map((p) => [p, [...g.columns.get(p)!.keys()].sort((a, b) => cmp(key(a), key(b)) || cmp(a, b))])),
        path: g.path,
      }));
  }
}

/**
 * What a policy owns in the live database (the safety threshold's base): its declared principals that
 * exist, their live role memberships and directly held privileges, and its declared identity providers
 * that exist.
 */
export function ownedCount(desired: Desired, live: LiveState): number {
  const declared = (name: string) => desired.principals.has(desired.key(name));
  return (
    live.principals.filter((p) => declared(p.name)).length +
    live.memberships.filter((m) => declared(m.member)).length +
    live.privileges.filter((p) => p.granteeKind !== 'public' && declared(p.grantee)).length +
    live.identityProviders.filter((p) => desired.identityProviders.has(desired.key(p.name))).length
  );
}
