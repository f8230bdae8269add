/**
 * Safety thresholds, as octoDNS has them: a plan that updates or deletes more than a share (default 30 %)
 * of what a policy owns is refused unless the run is forced (`--force`, the Action's `force` input, the
 * pull request label `charter:force`). A mass change is far more often a mistake (a wrong path, a bad
 * merge, an account mix-up) than an intent, and it should take a second, explicit decision.
 *
 * "What a policy owns" is the number of live things the policy manages that its provider read (record
 * sets, hosted files and certificates; protection groups; principals, memberships, privileges and identity
 * providers; domains, repositories, projects and pipelines; branch pipelines and approval topics), reported
 * by each provider as `DiffResult.owned`. Like octoDNS (MIN_EXISTING_RECORDS), small policies are exempt:
 * the threshold applies only from MIN_OWNED_FOR_THRESHOLD owned things on, since changing 2 of 3 records
 * is ordinary work. Creates never count: they change nothing that exists; nor does adopting something no
 * policy owned (`Change.adopts`). Pure.
 */
import type { Change } from './plan.js';

/** Default share of a policy's owned things a plan may update, or delete, without being forced (percent). */
export const DEFAULT_CHANGE_THRESHOLD_PERCENT = 30;
/** Policies owning fewer live things than this are not checked (octoDNS: MIN_EXISTING_RECORDS = 10). */
export const MIN_OWNED_FOR_THRESHOLD = 10;
/** The pull request label that forces a plan past the threshold, read from GitHub (never from text). */
export const FORCE_LABEL = 'charter:force';

export interface SafetySettings {
  /** Percent of a policy's owned things, 0–100; default DEFAULT_CHANGE_THRESHOLD_PERCENT. */
  thresholdPercent?: number;
  /** Apply even when a policy exceeds the threshold (the run says so explicitly). */
  force?: boolean;
}

/** One policy's numbers: what it owns live and how many of those the plan updates (or replaces) and deletes. */
export interface PolicyShare {
  /** `<kind>/<name>` */
  policy: string;
  owned: number;
  updates: number;
  deletes: number;
  /** Updates or deletes exceed the threshold (and the policy owns at least MIN_OWNED_FOR_THRESHOLD). */
  exceeded: boolean;
}

/** The threshold check of a plan: its settings and every policy whose provider reported what it owns. */
export interface SafetyCheck {
  thresholdPercent: number;
  minOwned: number;
  forced: boolean;
  policies: PolicyShare[];
}

/** Checks the threshold validity of a configured value; throws a message naming `label`. */
export function parseThresholdPercent(value: string, label: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (!value.trim() || !Number.isFinite(n) || n < 0 || n > 100) throw new Error(`${label} must be a percentage from 0 to 100, got "${value}"`);
  return n;
}

export function checkSafety(changes: readonly Change[], owned: Readonly<Record<string, number>>, settings: SafetySettings = {}): SafetyCheck {
  const thresholdPercent = settings.thresholdPercent ?? DEFAULT_CHANGE_THRESHOLD_PERCENT;
  const counts = new Map<string, { updates: number; deletes: number }>();
  for (const c of changes) {
    // Taking over what no policy owned yet (after charter import) changes nothing it does: not counted.
    if (c.adopts) continue;
    const id = `${c.kind}/${c.policy}`;
    const n = counts.get(id) ?? { updates: 0, deletes: 0 };
    if (c.action === 'update' || c.action === 'replace') n.updates++;
    else if (c.action === 'delete') n.deletes++;
    counts.set(id, n);
  }
  // Strictly above the share, as octoDNS: 3 of 10 at 30 % is allowed, 4 of 10 is not.
  const over = (n: number, of: number) => n * 100 > thresholdPercent * of;
  const policies = Object.keys(owned)
    .sort()
    .map((policy): PolicyShare => {
      const { updates, deletes } = counts.get(policy) ?? { updates: 0, deletes: 0 };
      const of = owned[policy];
      return { policy, owned: of, updates, deletes, exceeded: of >= MIN_OWNED_FOR_THRESHOLD && (over(updates, of) || over(deletes, of)) };
    });
  return { thresholdPercent, minOwned: MIN_OWNED_FOR_THRESHOLD, forced: Boolean(settings.force), policies };
}

/** The policies over the threshold. */
export function exceededPolicies(check: SafetyCheck | undefined): PolicyShare[] {
  return check?.policies.filter((p) => p.exceeded) ?? [];
}

const percent = (n: number, of: number) => `${Math.round((n * 100) / of)} %`;

/** The numbers in words: "updates 5 (42 %) and deletes 1 (8 %) of the 12 things it owns; the threshold is 30 %". */
export function describeShare(share: PolicyShare, thresholdPercent: number): string {
  return `${share.policy} updates ${share.updates} (${percent(share.updates, share.owned)}) and deletes ${share.deletes} (${percent(share.deletes, share.owned)}) of the ${share.owned} live things it owns; the threshold is ${thresholdPercent} %`;
}
