import { dirname, isAbsolute, resolve } from 'node:path';
import { isScalar, parseAllDocuments } from 'yaml';
import { boundDiagnostics, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { diagnosticAt, policyId, type PolicyDocument } from './document.js';
import { FileRefusedError, MAX_ASSET_FILE_BYTES, readConfinedFile } from './files.js';
import { canonicalJson, type Json } from './json.js';
import { discoverPolicyFiles, loadPolicyFiles, MAX_POLICY_FILE_BYTES } from './load.js';
import { buildPlan, isRisky, type ApplyReport, type Change, type ChangeResult, type Plan, type PlanSalt } from './plan.js';
import type { ApplyEvent, ImportOptions, LintContext, Provider, ProviderRuntime, RuntimeContext } from './provider.js';
import { selectChanged, type ScopeReport } from './scope.js';
import { checkSafety, describeShare, exceededPolicies, FORCE_LABEL, type SafetySettings } from './safety.js';
import { checkReach, envReferences, isMaskable, scopedEnvironment, secretDigest, type Reach } from './reach.js';
import { SchemaValidator } from './validate.js';

export interface ValidateOptions {
  cwd: string;
  /** Files, directories or globs; empty means the default `policies/**\/*.{yml,yaml}`. */
  paths: readonly string[];
  providers: readonly Provider[];
  now?: Date;
  /**
   * Whether a non-empty `paths` was named by the user (CLI arguments, the Action's input,
   * `.github/charter.yml`), so each path must match a policy file; false for the app's default paths.
   * Default: true.
   */
  pathsNamed?: boolean;
  /** Reading no policy at all is fine: the user said so (`--allow-no-policies`), or the app's defaults. */
  allowNoPolicies?: boolean;
}

export interface ValidationResult {
  files: string[];
  documents: PolicyDocument[];
  diagnostics: Diagnostic[];
  ok: boolean;
}

export type PlanOptions = ValidateOptions & {
  salt: PlanSalt;
  runtime: Omit<RuntimeContext, keyof LintContext>;
  /**
   * Plan only policies of these kinds (a branch event reconciles BranchPipelines alone); every policy is
   * still validated. Undefined: every kind.
   */
  kinds?: readonly string[];
  /**
   * Scope `changed` (src/core/scope.ts): plan only the policies these repository paths touch (a pull
   * request's files). Undefined: scope `all`, every policy.
   */
  changedFiles?: readonly string[];
  /** How apply runs and reports as it goes; unset: defaults, no progress. */
  execution?: ExecutionSettings;
  /**
   * The change threshold and whether this run is forced past it (src/core/safety.ts); default: 30 %, not
   * forced. `false`: no check (drift reports differences and applies nothing).
   */
  safety?: SafetySettings | false;
};

/** How apply runs its changes (issue 14): concurrency and live progress. */
export interface ExecutionSettings {
  /** Groups of changes applied at the same time, at most; default DEFAULT_CONCURRENCY. 1: one after another. */
  concurrency?: number;
  /** Called as each change starts and ends, and while one runs long. */
  onEvent?(event: ApplyEvent): void;
  /** A change running this long gets a `waiting` event, and again every as long; default 10 s. */
  stillWaitingMs?: number;
}

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 64;

export type ApplyOptions = PlanOptions & {
  allowDestructive: boolean;
  /** When set, apply only if the recomputed plan has this fingerprint (the reviewed one). */
  expectedFingerprint?: string;
};

const validators = new WeakMap<readonly Provider[], SchemaValidator>();

/**
 * The context lint and plan read local files through: every `file:` of a policy goes through the file gate,
 * confined to `root` (the checkout, or the app's download directory) and capped at MAX_ASSET_FILE_BYTES.
 */
export function lintContext(now: Date = new Date(), root: string): LintContext {
  return {
    now,
    async readLocalFile(doc, relativePath) {
      // An absolute path is refused even when it happens to point into the root: policies are relative.
      if (isAbsolute(relativePath)) throw new FileRefusedError('outside-root', `${relativePath} is an absolute path; files must be relative to the policy file, inside the repository`);
      const path = resolve(dirname(doc.absoluteFile), relativePath);
      return readConfinedFile({ root, path, maxBytes: MAX_ASSET_FILE_BYTES, label: relativePath });
    },
  };
}

/** Load → schema → lint. Touches no network; reports every problem at once. */
export async function validate(options: ValidateOptions): Promise<ValidationResult> {
  const { files, unmatched } = await discover(options);
  const loaded = await loadPolicyFiles(options.cwd, files);
  let validator = validators.get(options.providers);
  if (!validator) validators.set(options.providers, (validator = new SchemaValidator(options.providers)));
  const { documents, diagnostics } = validator.validate(loaded.documents);
  const all = [...loaded.diagnostics, ...diagnostics];
  // A mistyped path must not pass as "no changes": a drift run would then close the drift issue as fixed.
  for (const path of unmatched) {
    all.push({
      code: 'policy/path-matches-nothing',
      severity: 'error',
      message: `${path} matches no policy file`,
      hint: 'Check the path for typos: name existing files, directories or globs of .yml/.yaml files.',
      file: path,
      line: 1,
      column: 1,
    });
  }
  if (files.length === 0 && !unmatched.length && !options.allowNoPolicies) {
    all.push({
      code: 'policy/no-files',
      severity: 'error',
      message: `No policy files found in ${options.paths.length ? options.paths.join(', ') : 'policies/'}`,
      hint: 'Pass the paths of your policy files or directories, or --allow-no-policies when none is expected.',
      file: options.paths[0] ?? 'policies',
      line: 1,
      column: 1,
    });
  }
  const ctx = lintContext(options.now, options.cwd);
  for (const provider of options.providers) {
    const docs = documents.filter((d) => d.kind === provider.kind);
    if (docs.length) all.push(...(await provider.lint(docs, ctx)));
  }
  // A document with lint errors is still returned: plan refuses to run while any error exists.
  return { files: loaded.files, documents, diagnostics: sortDiagnostics(boundDiagnostics(all)), ok: !hasErrors(all) };
}

/** The policy files of `paths`, and the named paths that match none (each path on its own). */
async function discover(options: ValidateOptions): Promise<{ files: string[]; unmatched: string[] }> {
  if (!options.paths.length || options.pathsNamed === false) return { files: await discoverPolicyFiles(options.cwd, options.paths), unmatched: [] };
  const perPath = await Promise.all(options.paths.map((p) => discoverPolicyFiles(options.cwd, [p])));
  return { files: [...new Set(perPath.flat())].sort(), unmatched: options.paths.filter((_, i) => !perPath[i].length) };
}

function kindOrder(providers: readonly Provider[]) {
  return (kind: string) => providers.find((p) => p.kind === kind)?.order ?? Number.MAX_SAFE_INTEGER;
}

/**
 * The providers' context: with an allowlist, the environment holds only the allowlisted variables, and only
 * values worth masking are masked (a short or common value would blank out the log, protecting nothing).
 */
function runtimeContext(options: PlanOptions): RuntimeContext {
  const runtime = options.runtime;
  const mask = runtime.maskSecret;
  return {
    ...lintContext(options.now, options.cwd),
    ...runtime,
    ...(runtime.reach ? { env: scopedEnvironment(runtime.env ?? {}, runtime.reach) } : {}),
    ...(mask ? { maskSecret: (value: string) => (isMaskable(value) ? mask(value) : undefined) } : {}),
  };
}

/** The context for one policy's account: its assumed role's AWS settings, or the run's own. */
function accountContext(ctx: RuntimeContext, account: string | undefined): RuntimeContext {
  if (account === undefined) return ctx;
  const roleArn = ctx.reach?.accounts[account];
  if (!roleArn || !ctx.accountAws) throw new Error(`account ${account} has no role configured`);
  return { ...ctx, aws: ctx.accountAws(account, roleArn) };
}

/** Without an allowlist (the CLI) everything is reachable except account roles, which need a configured ARN. */
function reachDiagnostics(options: PlanOptions, documents: PolicyDocument[]): Diagnostic[] {
  const runtime = options.runtime;
  const everything: Reach = { env: [], aws: true, redshift: { clusters: ['*'], workgroups: ['*'], secretArns: ['*'], dbUsers: ['*'] }, accounts: {}, live: true };
  const reach = runtime.reach ?? everything;
  const references = (doc: PolicyDocument) => options.providers.find((p) => p.kind === doc.kind)?.references?.(doc) ?? [];
  const diagnostics = checkReach(documents, references, runtime.reach ? reach : { ...everything, env: documents.flatMap((d) => envReferences(d.spec).map((r) => r.value)) });
  return diagnostics;
}

/**
 * A positioned error for every `*FromEnv` / `fromEnv` field whose variable is unset or empty in the run's
 * (allowlisted) environment. Only the name is quoted, never a value.
 */
function unsetVariables(documents: readonly PolicyDocument[], env: Readonly<Record<string, string | undefined>>): Diagnostic[] {
  return documents.flatMap((doc) =>
    envReferences(doc.spec)
      .filter((ref) => !env[ref.value])
      .map((ref) =>
        diagnosticAt(doc, ref.path, 'reach/env-unset', 'error', `Environment variable ${JSON.stringify(ref.value)} (${String(ref.path[ref.path.length - 1])} of ${policyId(doc)}) is not set; nothing was read`, `Set ${ref.value} where Charter plans and applies (a workflow secret, or the app's environment); its value is never printed.`),
      ),
  );
}

/** The keyed hash of every secret a policy reads, so a secret changed after review changes the fingerprint. */
function secretInputs(doc: PolicyDocument, ctx: RuntimeContext, salt: PlanSalt): Json | undefined {
  const refs = envReferences(doc.spec);
  if (!refs.length) return undefined;
  const env = ctx.env ?? {};
  // Without a configured key the repository name keys the HMAC: equal secrets still compare equal, but
  // anyone holding the fingerprint could test guesses of a weak secret (see README, Security model).
  const key = ctx.secretHashKey ?? `charter:${salt.repository ?? ''}`;
  return Object.fromEntries(refs.map((r) => [r.value, env[r.value] !== undefined ? secretDigest(key, env[r.value]!) : null]));
}

/** Validates, reads live state for every kind in bulk and returns the plan. Invalid policies: no AWS call at all. */
export async function plan(options: PlanOptions): Promise<{ plan: Plan; validation: ValidationResult }> {
  const validation = await validate(options);
  const ofKind = (kind: string) => !options.kinds || options.kinds.includes(kind);
  const selected = options.changedFiles ? selectChanged(validation.documents, options.changedFiles) : undefined;
  const inScope = new Set(selected?.planned ?? validation.documents);
  const scope: ScopeReport | undefined = selected ? { mode: 'changed', skipped: selected.skipped } : undefined;
  const planned = (doc: PolicyDocument) => ofKind(doc.kind) && inScope.has(doc);
  const policies = validation.documents.filter(planned).map(policyId);
  if (!validation.ok) {
    return {
      validation,
      plan: buildPlan({ changes: [], diagnostics: validation.diagnostics, inputs: {}, policies, salt: options.salt, kindOrder: kindOrder(options.providers), scope }),
    };
  }
  // Everything a policy names is checked before anything is read: one refusal and nothing is read at all.
  const refused = reachDiagnostics(options, validation.documents);
  if (refused.length) {
    const diagnostics = sortDiagnostics([...validation.diagnostics, ...boundDiagnostics(refused)]);
    return { validation: { ...validation, diagnostics, ok: false }, plan: buildPlan({ changes: [], diagnostics, inputs: {}, policies, salt: options.salt, kindOrder: kindOrder(options.providers), scope }) };
  }
  const reach = options.runtime.reach;
  if (reach && !reach.live) {
    const reason = reach.offlineReason ?? 'live reads are off for this run';
    const notRead = validation.documents.filter((d) => inScope.has(d)).map((doc) =>
      diagnosticAt(doc, ['metadata', 'name'], 'reach/live-state-not-read', 'warning', `Live state of ${policyId(doc)} was not read: ${reason}. The policy was validated offline; this plan lists no changes and cannot be applied.`, 'A maintainer can plan this change from a branch of the repository itself, or the repository can allow live reads for forks (forks.live).'),
    );
    const diagnostics = sortDiagnostics([...validation.diagnostics, ...notRead]);
    return { validation, plan: buildPlan({ changes: [], diagnostics, inputs: {}, policies, salt: options.salt, kindOrder: kindOrder(options.providers), offline: reason, scope }) };
  }
  // Every policy of the run, planned or left out by scope: a provider that prunes what a removed policy owned
  // must not take a policy left out of this plan for a removed one.
  const ctx: RuntimeContext = { ...runtimeContext(options), policiesOfRun: new Set(validation.documents.map(policyId)) };
  // A secret a policy reads must be set when the plan runs, not found missing halfway through apply.
  // (RuntimeContext.env: when an adapter gives none, providers read process.env, so the check does too.)
  const unset = unsetVariables(validation.documents.filter(planned), ctx.env ?? process.env);
  if (unset.length) {
    const diagnostics = sortDiagnostics([...validation.diagnostics, ...boundDiagnostics(unset)]);
    return { validation: { ...validation, diagnostics, ok: false }, plan: buildPlan({ changes: [], diagnostics, inputs: {}, policies, salt: options.salt, kindOrder: kindOrder(options.providers), scope }) };
  }
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [...validation.diagnostics];
  const inputs: Record<string, Json> = {};
  const owned: Record<string, number> = {};
  for (const provider of [...options.providers].sort((a, b) => a.order - b.order)) {
    const docs = validation.documents.filter((d) => d.kind === provider.kind && planned(d));
    if (!docs.length) continue;
    const runtime = await provider.loadRuntime();
    // Policies of one account are read together, with that account's assumed role.
    for (const account of new Set(docs.map((d) => d.account))) {
      const result = await runtime.plan(docs.filter((d) => d.account === account), accountContext(ctx, account));
      changes.push(...(account === undefined ? result.changes : result.changes.map((c) => ({ ...c, account }))));
      diagnostics.push(...result.diagnostics);
      Object.assign(inputs, result.inputs);
      Object.assign(owned, result.owned);
    }
  }
  const safety = options.safety === false ? undefined : checkSafety(changes, owned, options.safety);
  if (safety) diagnostics.push(...thresholdDiagnostics(safety, validation.documents));
  for (const doc of validation.documents.filter((d) => inScope.has(d))) {
    const secrets = secretInputs(doc, ctx, options.salt);
    if (secrets) inputs[`secrets:${policyId(doc)}`] = secrets;
  }
  return {
    validation,
    plan: buildPlan({ changes, diagnostics: sortDiagnostics(boundDiagnostics(diagnostics)), inputs, policies, salt: options.salt, kindOrder: kindOrder(options.providers), safety, scope }),
  };
}

/** One diagnostic per policy over the change threshold, at its name: an error unless the run is forced. */
function thresholdDiagnostics(safety: ReturnType<typeof checkSafety>, documents: PolicyDocument[]): Diagnostic[] {
  return exceededPolicies(safety).flatMap((share) => {
    const doc = documents.find((d) => policyId(d) === share.policy);
    if (!doc) return [];
    const numbers = describeShare(share, safety.thresholdPercent);
    return safety.forced
      ? [diagnosticAt(doc, ['metadata', 'name'], 'plan/change-threshold-exceeded', 'warning', `${numbers}: forced past the threshold by this run`, 'Check that so large a change is intended.')]
      : [
          diagnosticAt(
            doc,
            ['metadata', 'name'],
            'plan/change-threshold-exceeded',
            'error',
            `${numbers}: the plan is refused`,
            `If the change is intended, force it: --force, the Action input force: true, or the pull request label ${FORCE_LABEL}. A change this large is more often a wrong path, account or merge than an intent.`,
          ),
        ];
  });
}

/** Why a plan may not be applied as it stands, or undefined when it may. */
export function applyRefusal(p: Plan, options: { allowDestructive: boolean; expectedFingerprint?: string }): string | undefined {
  const unsafe = p.safety && !p.safety.forced ? exceededPolicies(p.safety) : [];
  if (unsafe.length) {
    return `Over the change threshold: ${unsafe.map((s) => describeShare(s, p.safety!.thresholdPercent)).join('; ')}. Nothing was applied; force it with --force, input force: true or the PR label ${FORCE_LABEL}.`;
  }
  if (p.summary.errors > 0) return `The policies have ${p.summary.errors} error(s); nothing was applied.`;
  if (p.offline) return `Live state was not read (${p.offline}); nothing was applied.`;
  if (options.expectedFingerprint !== undefined && options.expectedFingerprint !== p.fingerprint) {
    return `The plan changed since it was reviewed (reviewed ${options.expectedFingerprint.slice(0, 12)}, now ${p.fingerprint.slice(0, 12)}); nothing was applied.`;
  }
  const risky = p.changes.filter(isRisky);
  if (risky.length && !options.allowDestructive) {
    return `${risky.length} destructive or disruptive change(s) need explicit approval (--allow-destructive, input allow-destructive or the PR label charter:allow-destructive); nothing was applied.`;
  }
  return undefined;
}

/** Apply is plan + execute: the same code computes the changes, then each policy's changes run in plan order. */
export async function apply(options: ApplyOptions): Promise<ApplyReport> {
  const { plan: p, validation } = await plan(options);
  const refused = applyRefusal(p, options);
  if (refused) {
    return { plan: p, results: p.changes.map((c) => ({ address: c.address, status: 'not-attempted' })), ok: false, refused };
  }
  return execute(p, validation.documents, options);
}

/**
 * `plan --dry-apply`: plan, then execute every change inside a transaction that is rolled back, proving
 * the plan would apply without changing anything. Refused when some kind with changes cannot roll back.
 */
export async function dryApply(options: PlanOptions): Promise<ApplyReport> {
  const { plan: p, validation } = await plan(options);
  const notAttempted = () => p.changes.map((c) => ({ address: c.address, status: 'not-attempted' as const }));
  if (p.summary.errors > 0) return { plan: p, results: notAttempted(), ok: false, refused: `The policies have ${p.summary.errors} error(s); nothing was executed.` };
  for (const kind of new Set(p.changes.map((c) => c.kind))) {
    const provider = options.providers.find((pr) => pr.kind === kind);
    if (provider && !(await provider.loadRuntime()).dryApply) {
      return { plan: p, results: notAttempted(), ok: false, refused: `${kind} cannot dry-apply (only database policies run in a transaction that can be rolled back); nothing was executed.` };
    }
  }
  return execute(p, validation.documents, options, 'dry-apply');
}

/**
 * Which change waits for which, and each change's dependency level (the longest chain of dependencies
 * below it), as the providers state them. Kinds without a graph have no edges here: their policies run
 * one after another, each in plan order.
 */
export async function dependencyGraph(changes: readonly Change[], providers: readonly Provider[]): Promise<{ dependsOn: Map<string, string[]>; levels: Map<string, number> }> {
  const dependsOn = new Map<string, string[]>();
  for (const [kind, list] of groupBy(changes, (c) => c.kind)) {
    const provider = providers.find((pr) => pr.kind === kind);
    const graph = provider ? (await provider.loadRuntime()).graph : undefined;
    const known = new Set(list.map((c) => c.address));
    for (const c of list) dependsOn.set(c.address, graph ? [...new Set(graph.dependsOn(c, list))].filter((a) => a !== c.address && known.has(a)) : []);
  }
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const level = (address: string): number => {
    const known = levels.get(address);
    if (known !== undefined) return known;
    if (visiting.has(address)) throw new Error(`dependency cycle through ${address}`);
    visiting.add(address);
    const l = Math.max(-1, ...(dependsOn.get(address) ?? []).map(level)) + 1;
    visiting.delete(address);
    levels.set(address, l);
    return l;
  };
  for (const c of changes) level(c.address);
  return { dependsOn, levels };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Changes applied by one provider call: one policy's (sequential kinds), or ready changes sharing a group key. */
interface Unit {
  changes: Change[];
  /** Units that must have ended first, whatever their outcome (the previous policy of a sequential kind). */
  after: Unit[];
  run(changes: Change[]): Promise<ChangeResult[]>;
  /** A sequential kind's policy: a throw fails its first change only (the provider stops there). */
  sequential: boolean;
  state: 'waiting' | 'running' | 'done';
}

/**
 * Runs the changes of an already computed plan. A change starts once every change it depends on is
 * applied; one whose dependency failed is not attempted, and unrelated changes still apply. Policies of
 * kinds without a dependency graph (and every dry-apply) run one after another within their kind, each in
 * plan order; kinds run concurrently, at most `execution.concurrency` units at a time.
 */
export async function execute(p: Plan, documents: PolicyDocument[], options: PlanOptions, mode: 'apply' | 'dry-apply' = 'apply'): Promise<ApplyReport> {
  const ctx = runtimeContext(options);
  const settings = options.execution ?? {};
  const concurrency = Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(settings.concurrency ?? DEFAULT_CONCURRENCY)));
  const stillWaitingMs = settings.stillWaitingMs ?? 10_000;
  const emit = (event: ApplyEvent) => settings.onEvent?.(event);
  const results = new Map<string, ChangeResult>();
  const docsByPolicy = groupBy(documents, policyId);
  const runtimes = new Map<string, ProviderRuntime>();
  for (const kind of new Set(p.changes.map((c) => c.kind))) {
    const provider = options.providers.find((pr) => pr.kind === kind);
    if (provider) runtimes.set(kind, await provider.loadRuntime());
  }
  const graphed = (kind: string) => mode === 'apply' && Boolean(runtimes.get(kind)?.graph && runtimes.get(kind)?.applyGroup);
  const { dependsOn, levels } = await dependencyGraph(p.changes.filter((c) => graphed(c.kind)), options.providers);
  const docsOf = (changes: Change[]) => [...new Set(changes.map((c) => `${c.kind}/${c.policy}`))].flatMap((k) => docsByPolicy.get(k) ?? []);
  const contextOf = (changes: Change[]) => accountContext(ctx, docsOf(changes)[0]?.account);

  const units: Unit[] = [];
  for (const [kind, changes] of groupBy(p.changes, (c) => c.kind)) {
    const runtime = runtimes.get(kind);
    if (!runtime) continue; // no provider: its changes stay not attempted
    if (graphed(kind)) {
      const key = (c: Change) => {
        const g = runtime.graph!.groupKey?.(c);
        return g === undefined ? `change|${c.address}` : `group|${docsOf([c])[0]?.account ?? ''}|${levels.get(c.address)}|${g}`;
      };
      for (const group of groupBy(changes, key).values()) {
        units.push({ changes: group, after: [], sequential: false, state: 'waiting', run: (ready) => runtime.applyGroup!(ready, docsOf(ready), contextOf(ready)) });
      }
      continue;
    }
    let previous: Unit | undefined;
    for (const policyChanges of groupBy(changes, (c) => `${c.kind}/${c.policy}`).values()) {
      const unit: Unit = {
        changes: policyChanges,
        after: previous ? [previous] : [],
        sequential: true,
        state: 'waiting',
        run: (ready) => (mode === 'apply' ? runtime.apply(ready, docsOf(ready), contextOf(ready)) : runtime.dryApply!(ready, docsOf(ready), contextOf(ready))),
      };
      units.push(unit);
      previous = unit;
    }
  }

  // Longest chain first: ready units start in the order of the longest chain of weights from them onwards.
  // A sequential kind's policy has no estimate and counts as longest (it may hold any number of statements).
  const tails = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const [address, deps] of dependsOn) for (const d of deps) dependants.set(d, [...(dependants.get(d) ?? []), address]);
  const byAddress = new Map(p.changes.map((c) => [c.address, c]));
  const tail = (address: string): number => {
    const known = tails.get(address);
    if (known !== undefined) return known;
    const change = byAddress.get(address)!;
    const own = runtimes.get(change.kind)?.graph?.weight?.(change) ?? 1;
    const value = own + Math.max(0, ...(dependants.get(address) ?? []).map(tail));
    tails.set(address, value);
    return value;
  };
  const priority = (u: Unit) => (u.sequential ? Number.POSITIVE_INFINITY : Math.max(...u.changes.map((c) => tail(c.address))));
  const order = new Map(units.map((u) => [u, priority(u)]));
  units.sort((a, b) => order.get(b)! - order.get(a)!);

  const settle = (change: Change, result: ChangeResult) => {
    results.set(change.address, result);
    emit({ type: 'end', change, result });
  };
  const resolved = (address: string) => results.has(address);
  const ready = (u: Unit) => u.after.every((a) => a.state === 'done') && u.changes.every((c) => (dependsOn.get(c.address) ?? []).every(resolved));

  const runUnit = async (unit: Unit): Promise<void> => {
    // A change whose dependency did not apply is not attempted; the rest of its group still is.
    const live: Change[] = [];
    for (const c of unit.changes) {
      if ((dependsOn.get(c.address) ?? []).every((a) => results.get(a)?.status === 'applied')) live.push(c);
      else settle(c, { address: c.address, status: 'not-attempted' });
    }
    if (!live.length) return;
    for (const c of live) emit({ type: 'start', change: c });
    const started = Date.now();
    const timer = setInterval(() => {
      for (const c of live) if (!resolved(c.address)) emit({ type: 'waiting', change: c, elapsedMs: Date.now() - started });
    }, stillWaitingMs);
    timer.unref?.();
    let unitResults: ChangeResult[];
    try {
      unitResults = await unit.run(live);
    } catch (error) {
      // A provider that throws instead of reporting: a sequential policy's first change failed, the rest not
      // attempted; a group (one batch) failed as a whole, reported per change.
      const message = String((error as Error).message ?? error);
      unitResults = unit.sequential ? [{ address: live[0].address, status: 'failed', error: message }] : live.map((c) => ({ address: c.address, status: 'failed' as const, error: message }));
    } finally {
      clearInterval(timer);
    }
    // Changes the provider reports no result for were not attempted. Providers stop at their first failure,
    // except where their changes fall into independent parts (PackagePublishing's regions go on).
    const byAddress = new Map(unitResults.map((r) => [r.address, r]));
    for (const c of live) settle(c, byAddress.get(c.address) ?? { address: c.address, status: 'not-attempted' });
  };

  // The scheduler: start every ready unit while fewer than `concurrency` run; each end may ready others.
  await new Promise<void>((done, fail) => {
    let running = 0;
    const pump = () => {
      for (const unit of units) {
        if (running >= concurrency) break;
        if (unit.state !== 'waiting' || !ready(unit)) continue;
        unit.state = 'running';
        running++;
        runUnit(unit).then(() => {
          unit.state = 'done';
          running--;
          pump();
        }, fail);
      }
      if (running === 0) done();
    };
    pump();
  });
  const ordered = p.changes.map((c) => results.get(c.address) ?? { address: c.address, status: 'not-attempted' as const });
  return { plan: p, results: ordered, ok: ordered.every((r) => r.status === 'applied') };
}

export interface ImportResult {
  /** The policy file with the imported sections filled in; undefined when validation failed. */
  text?: string;
  diagnostics: Diagnostic[];
  /** What the user must do before planning (e.g. set placeholder secret variables). */
  notices: string[];
  /** Live values the imported policies cannot hold as they are; the first plan changes them. */
  warnings: string[];
}

/**
 * `charter import FILE`: reads live state for each policy in the file whose kind can import, and returns
 * the file with the imported sections of each spec replaced; other keys, comments and documents are kept.
 */
export async function importPolicies(options: Omit<PlanOptions, 'salt' | 'paths'> & { file: string; importOptions?: ImportOptions }): Promise<ImportResult> {
  const validation = await validate({ ...options, paths: [options.file] });
  // Errors about what import fills in (a PackagePublishing pipeline named only) do not block it; others do.
  const fills = new Set(options.providers.flatMap((p) => p.importFills ?? []));
  if (validation.diagnostics.some((d) => d.severity === 'error' && !fills.has(d.code))) return { diagnostics: validation.diagnostics, notices: [], warnings: [] };
  const ctx = runtimeContext({ ...options, paths: [options.file], salt: {} });
  const text = new TextDecoder().decode(await readConfinedFile({ root: options.cwd, path: resolve(options.cwd, options.file), maxBytes: MAX_POLICY_FILE_BYTES, label: options.file }));
  const yamlDocs = parseAllDocuments(text);
  if (!Array.isArray(yamlDocs)) return { diagnostics: validation.diagnostics, notices: [], warnings: [] };
  const notices: string[] = [];
  const warnings: string[] = [];
  // Groups named or adopted on the command line are for one policy: with several of a kind, each would take them.
  const choosing = Boolean(options.importOptions?.groups?.length || options.importOptions?.adoptUnowned);
  const perKind = new Map<string, number>();
  for (const doc of validation.documents) perKind.set(doc.kind, (perKind.get(doc.kind) ?? 0) + 1);
  const crowded = [...perKind].find(([, n]) => n > 1);
  if (choosing && crowded) throw new Error(`--group and --adopt choose groups for one policy, and ${options.file} holds ${crowded[1]} ${crowded[0]} policies: import a file with one, or use import ProtectionGroups --name`);
  let imported = 0;
  for (const doc of validation.documents) {
    const provider = options.providers.find((p) => p.kind === doc.kind);
    const runtime = provider ? await provider.loadRuntime() : undefined;
    if (!runtime?.importPolicy) continue;
    const result = await runtime.importPolicy(doc, ctx, options.importOptions ?? {});
    const target = yamlDocs[doc.index];
    const original = doc.spec as Record<string, unknown>;
    const spec = result.spec as Record<string, Json>;
    // Replace only what import produces; keys it keeps as they were (connection, manage) stay untouched.
    for (const key of new Set([...Object.keys(original), ...Object.keys(spec)])) {
      if (!(key in spec)) target.deleteIn(['spec', key]);
      else if (canonicalJson(spec[key]) !== canonicalJson(original[key])) target.setIn(['spec', key], target.createNode(spec[key]));
    }
    for (const c of result.comments) {
      const node = target.getIn(['spec', ...c.path], true);
      if (isScalar(node)) node.comment = c.text;
    }
    notices.push(...result.notices.map((n) => `${policyId(doc)}: ${n}`));
    warnings.push(...(result.warnings ?? []).map((w) => `${policyId(doc)}: ${w}`));
    imported++;
  }
  if (!imported) notices.push(`${options.file} holds no policy of a kind that can import`);
  return { text: yamlDocs.map((d) => d.toString({ lineWidth: 0 })).join(''), diagnostics: validation.diagnostics, notices, warnings };
}
