import type { Diagnostic } from './diagnostics.js';
import { canonicalJson, compareStrings, sha256, type Json } from './json.js';
import type { SafetyCheck } from './safety.js';
import type { ScopeReport } from './scope.js';
import { CHARTER_VERSION } from './version.js';

export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'run';
export type Risk = 'safe' | 'disruptive' | 'destructive';

/** One step of a plan: what Charter will do to one thing it owns. */
export interface Change {
  /** Stable address, e.g. `email/example-com/route53/TXT/_mta-sts.example.com.` */
  address: string;
  kind: string;
  /** metadata.name of the policy the change comes from. */
  policy: string;
  file: string;
  line: number;
  column: number;
  action: ChangeAction;
  /** Short human title, e.g. `TXT _mta-sts.example.com.` */
  title: string;
  /** Canonical JSON of the live value (null when absent), secrets redacted. */
  before: Json;
  /** Canonical JSON of the desired value (null when deleted), secrets redacted. */
  after: Json;
  risk: Risk;
  reason: string;
  /** Order inside a policy: lower phases are applied first (dependencies before dependents). */
  phase: number;
  /** What the provider needs to execute the change; covered by the fingerprint. */
  data?: Json;
  /** The account role (`metadata.account`) the change is made with; unset: the run's own credentials. */
  account?: string;
  /**
   * The change only marks something that exists, and no policy owns, as this policy's (the `charter:policy`
   * tag after `charter import`): it changes nothing the resource does, and the change threshold skips it.
   */
  adopts?: true;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  run: number;
  total: number;
  destructive: number;
  disruptive: number;
  errors: number;
  warnings: number;
}

export interface PlanSalt {
  repository?: string;
  pullRequest?: number;
}

export interface Plan {
  formatVersion: 1;
  /** The Charter version that made the plan (not part of the fingerprint: an upgrade alone changes nothing). */
  charterVersion?: string;
  fingerprint: string;
  salt: PlanSalt;
  summary: PlanSummary;
  changes: Change[];
  diagnostics: Diagnostic[];
  /** Live values the changes were computed from (e.g. a zone's MX records), per policy; covered by the fingerprint. */
  inputs: Record<string, Json>;
  /** Policies that were read and compared, `<kind>/<name>`. */
  policies: string[];
  /** Set when live state was not read (a fork's pull request): why. Such a plan is never applied. */
  offline?: string;
  /**
   * The change threshold check (src/core/safety.ts): each policy's owned count, updates and deletes. Not
   * part of the fingerprint (it is computed from the changes and the live counts).
   */
  safety?: SafetyCheck;
  /** Set under scope `changed`: the policies left out of this plan (a pull request did not touch them). */
  scope?: ScopeReport;
}

export type ChangeStatus = 'applied' | 'failed' | 'not-attempted';

export interface ChangeResult {
  address: string;
  status: ChangeStatus;
  /** The AWS (or database) error for a failed change, secrets redacted. */
  error?: string;
  detail?: string;
}

export interface ApplyReport {
  plan: Plan;
  results: ChangeResult[];
  /** True when every change was applied (or there was nothing to apply). */
  ok: boolean;
  /** Set when apply refused to start: the risk gate, a fingerprint mismatch, invalid policies. */
  refused?: string;
}

const actionRank: Record<ChangeAction, number> = { create: 0, replace: 1, update: 2, run: 3, delete: 4 };

/** Deterministic plan order: kind order, then policy, then dependency phase, then address. */
export function sortChanges(changes: Change[], kindOrder: (kind: string) => number): Change[] {
  return [...changes].sort(
    (a, b) =>
      kindOrder(a.kind) - kindOrder(b.kind) ||
      compareStrings(a.policy, b.policy) ||
      a.phase - b.phase ||
      actionRank[a.action] - actionRank[b.action] ||
      compareStrings(a.address, b.address),
  );
}

export function summarize(changes: Change[], diagnostics: Diagnostic[]): PlanSummary {
  const count = (action: ChangeAction) => changes.filter((c) => c.action === action).length;
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    replace: count('replace'),
    run: count('run'),
    total: changes.length,
    destructive: changes.filter((c) => c.risk === 'destructive').length,
    disruptive: changes.filter((c) => c.risk === 'disruptive').length,
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

/** The part of a change the fingerprint covers: everything but presentation (file positions, wording). */
export function fingerprintedChange(change: Change): Json {
  return {
    address: change.address,
    action: change.action,
    before: change.before,
    after: change.after,
    risk: change.risk,
    data: change.data ?? null,
    // Only when set, so plans without accounts keep their fingerprints.
    ...(change.account !== undefined ? { account: change.account } : {}),
  };
}

/**
 * SHA-256 over the canonical change list and the live inputs, salted with repository and pull request,
 * so a plan reviewed on one PR cannot be replayed on another and a zone edited after review changes it.
 */
export function fingerprint(changes: Change[], inputs: Record<string, Json>, salt: PlanSalt): string {
  return sha256(
    canonicalJson({
      formatVersion: 1,
      salt: { repository: salt.repository ?? null, pullRequest: salt.pullRequest ?? null },
      changes: changes.map(fingerprintedChange),
      inputs,
    }),
  );
}

/** A short digest of one change, used to show which changes differ between two plans. */
export function changeDigest(change: Change): string {
  return sha256(canonicalJson(fingerprintedChange(change))).slice(0, 12);
}

export function buildPlan(args: {
  changes: Change[];
  diagnostics: Diagnostic[];
  inputs: Record<string, Json>;
  policies: string[];
  salt: PlanSalt;
  kindOrder: (kind: string) => number;
  offline?: string;
  safety?: SafetyCheck;
  scope?: ScopeReport;
}): Plan {
  const changes = sortChanges(args.changes, args.kindOrder);
  return {
    formatVersion: 1,
    charterVersion: CHARTER_VERSION,
    fingerprint: fingerprint(changes, args.inputs, args.salt),
    salt: args.salt,
    summary: summarize(changes, args.diagnostics),
    changes,
    diagnostics: args.diagnostics,
    inputs: args.inputs,
    policies: [...args.policies].sort(),
    ...(args.offline ? { offline: args.offline } : {}),
    ...(args.safety ? { safety: args.safety } : {}),
    ...(args.scope ? { scope: args.scope } : {}),
  };
}

export function isRisky(change: Change): boolean {
  return change.risk !== 'safe';
}
