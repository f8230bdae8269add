import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isScalar, parseAllDocuments } from 'yaml';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { policyId, type PolicyDocument } from './document.js';
import { canonicalJson, type Json } from './json.js';
import { discoverPolicyFiles, loadPolicyFiles } from './load.js';
import { buildPlan, isRisky, type ApplyReport, type Change, type ChangeResult, type Plan, type PlanSalt } from './plan.js';
import type { LintContext, Provider, RuntimeContext } from './provider.js';
import { SchemaValidator } from './validate.js';

export interface ValidateOptions {
  cwd: string;
  /** Files, directories or globs; empty means the default `policies/**\/*.{yml,yaml}`. */
  paths: readonly string[];
  providers: readonly Provider[];
  now?: Date;
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
};

export type ApplyOptions = PlanOptions & {
  allowDestructive: boolean;
  /** When set, apply only if the recomputed plan has this fingerprint (the reviewed one). */
  expectedFingerprint?: string;
};

const validators = new WeakMap<readonly Provider[], SchemaValidator>();

export function lintContext(now: Date = new Date()): LintContext {
  return {
    now,
    async readLocalFile(doc, relativePath) {
      const target = resolve(dirname(doc.absoluteFile), relativePath);
      return readFile(target).catch(() => undefined);
    },
  };
}

/** Load → schema → lint. Touches no network; reports every problem at once. */
export async function validate(options: ValidateOptions): Promise<ValidationResult> {
  const files = await discoverPolicyFiles(options.cwd, options.paths);
  const loaded = await loadPolicyFiles(options.cwd, files);
  let validator = validators.get(options.providers);
  if (!validator) validators.set(options.providers, (validator = new SchemaValidator(options.providers)));
  const { documents, diagnostics } = validator.validate(loaded.documents);
  const all = [...loaded.diagnostics, ...diagnostics];
  if (files.length === 0) {
    all.push({
      code: 'policy/no-files',
      severity: 'warning',
      message: `No policy files found in ${options.paths.length ? options.paths.join(', ') : 'policies/'}`,
      hint: 'Pass the paths of your policy files or directories.',
      file: options.paths[0] ?? 'policies',
      line: 1,
      column: 1,
    });
  }
  const ctx = lintContext(options.now);
  for (const provider of options.providers) {
    const docs = documents.filter((d) => d.kind === provider.kind);
    if (docs.length) all.push(...(await provider.lint(docs, ctx)));
  }
  // A document with lint errors is still returned: plan refuses to run while any error exists.
  return { files: loaded.files, documents, diagnostics: sortDiagnostics(all), ok: !hasErrors(all) };
}

function kindOrder(providers: readonly Provider[]) {
  return (kind: string) => providers.find((p) => p.kind === kind)?.order ?? Number.MAX_SAFE_INTEGER;
}

function runtimeContext(options: PlanOptions): RuntimeContext {
  return { ...lintContext(options.now), ...options.runtime };
}

/** Validates, reads live state for every kind in bulk and returns the plan. Invalid policies: no AWS call at all. */
export async function plan(options: PlanOptions): Promise<{ plan: Plan; validation: ValidationResult }> {
  const validation = await validate(options);
  const planned = (kind: string) => !options.kinds || options.kinds.includes(kind);
  const policies = validation.documents.filter((d) => planned(d.kind)).map(policyId);
  if (!validation.ok) {
    return {
      validation,
      plan: buildPlan({ changes: [], diagnostics: validation.diagnostics, inputs: {}, policies, salt: options.salt, kindOrder: kindOrder(options.providers) }),
    };
  }
  const ctx = runtimeContext(options);
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [...validation.diagnostics];
  const inputs: Record<string, Json> = {};
  for (const provider of [...options.providers].sort((a, b) => a.order - b.order)) {
    const docs = validation.documents.filter((d) => d.kind === provider.kind);
    if (!docs.length || !planned(provider.kind)) continue;
    const runtime = await provider.loadRuntime();
    const result = await runtime.plan(docs, ctx);
    changes.push(...result.changes);
    diagnostics.push(...result.diagnostics);
    Object.assign(inputs, result.inputs);
  }
  return {
    validation,
    plan: buildPlan({ changes, diagnostics: sortDiagnostics(diagnostics), inputs, policies, salt: options.salt, kindOrder: kindOrder(options.providers) }),
  };
}

/** Why a plan may not be applied as it stands, or undefined when it may. */
export function applyRefusal(p: Plan, options: { allowDestructive: boolean; expectedFingerprint?: string }): string | undefined {
  if (p.summary.errors > 0) return `The policies have ${p.summary.errors} error(s); nothing was applied.`;
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

/** Runs the changes of an already computed plan. Policies are independent: one failing does not stop the others. */
export async function execute(p: Plan, documents: PolicyDocument[], options: PlanOptions, mode: 'apply' | 'dry-apply' = 'apply'): Promise<ApplyReport> {
  const ctx = runtimeContext(options);
  const results = new Map<string, ChangeResult>();
  const byPolicy = new Map<string, Change[]>();
  for (const change of p.changes) {
    const key = `${change.kind}/${change.policy}`;
    byPolicy.set(key, [...(byPolicy.get(key) ?? []), change]);
  }
  for (const [key, changes] of byPolicy) {
    const provider = options.providers.find((pr) => pr.kind === changes[0].kind);
    if (!provider) continue;
    const runtime = await provider.loadRuntime();
    const docs = documents.filter((d) => policyId(d) === key);
    let policyResults: ChangeResult[];
    try {
      policyResults = mode === 'apply' ? await runtime.apply(changes, docs, ctx) : await runtime.dryApply!(changes, docs, ctx);
    } catch (error) {
      // A provider that throws instead of reporting: its first change is marked failed, the rest not attempted.
      policyResults = [{ address: changes[0].address, status: 'failed', error: String((error as Error).message ?? error) }];
    }
    let failed = false;
    const byAddress = new Map(policyResults.map((r) => [r.address, r]));
    for (const change of changes) {
      const result = byAddress.get(change.address);
      if (result && !failed) {
        results.set(change.address, result);
        if (result.status === 'failed') failed = true;
      } else {
        results.set(change.address, { address: change.address, status: 'not-attempted' });
      }
    }
  }
  const ordered = p.changes.map((c) => results.get(c.address) ?? { address: c.address, status: 'not-attempted' as const });
  return { plan: p, results: ordered, ok: ordered.every((r) => r.status === 'applied') };
}

export interface ImportResult {
  /** The policy file with the imported sections filled in; undefined when validation failed. */
  text?: string;
  diagnostics: Diagnostic[];
  /** What the user must do before planning (e.g. set placeholder secret variables). */
  notices: string[];
}

/**
 * `charter import FILE`: reads live state for each policy in the file whose kind can import, and returns
 * the file with the imported sections of each spec replaced; other keys, comments and documents are kept.
 */
export async function importPolicies(options: Omit<PlanOptions, 'salt' | 'paths'> & { file: string }): Promise<ImportResult> {
  const validation = await validate({ ...options, paths: [options.file] });
  if (!validation.ok) return { diagnostics: validation.diagnostics, notices: [] };
  const ctx = runtimeContext({ ...options, paths: [options.file], salt: {} });
  const text = await readFile(resolve(options.cwd, options.file), 'utf8');
  const yamlDocs = parseAllDocuments(text);
  if (!Array.isArray(yamlDocs)) return { diagnostics: validation.diagnostics, notices: [] };
  const notices: string[] = [];
  let imported = 0;
  for (const doc of validation.documents) {
    const provider = options.providers.find((p) => p.kind === doc.kind);
    const runtime = provider ? await provider.loadRuntime() : undefined;
    if (!runtime?.importPolicy) continue;
    const result = await runtime.importPolicy(doc, ctx);
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
    imported++;
  }
  if (!imported) notices.push(`${options.file} holds no policy of a kind that can import`);
  return { text: yamlDocs.map((d) => d.toString({ lineWidth: 0 })).join(''), diagnostics: validation.diagnostics, notices };
}
