/**
 * Flow 4, shared by the Action and the app: a branch was created or deleted, so BranchPipelines creates or
 * destroys that branch's pipeline through the normal plan/apply path.
 *
 * Trust: the policies are the default branch's (the adapters fetch them from it, never from the new
 * branch, which anyone who can push may fill with anything); the event itself is authenticated (the runner
 * writes it, the app checks the webhook signature) but the branch name in it is chosen by whoever pushed:
 * it is checked against git's own rules and a length cap before it is used at all, and it only ever selects
 * which of the planned changes run. Only BranchPipelines policies are planned, and only the changes to the
 * event branch's pipeline are applied; anything else the plan shows is left for the reviewed flows and the
 * drift check. The risk gate applies as on merge.
 */
import { applyRefusal, execute, plan } from '../core/engine.js';
import { buildPlan, type ApplyReport, type Change, type Plan } from '../core/plan.js';
import type { Logger } from '../core/provider.js';
import { githubBranchSource } from './branches.js';
import type { GitHub, OctokitClient } from './client.js';
import type { EngineOptions } from './flows.js';
import { repositoryName, type RepoRef } from './repo.js';

export const BRANCH_KIND = 'BranchPipelines';

/** Longest branch name Charter accepts from an event (git has no limit; a tag value holds 256 characters). */
export const MAX_BRANCH_NAME = 1024;

export interface BranchEvent {
  action: 'created' | 'deleted';
  branch: string;
}

/**
 * Why `name` is not a branch name git would create (`git check-ref-format refs/heads/<name>`, plus git
 * branch's refusal of a leading `-`), or undefined when it is one. One pass over the name: linear.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_BRANCH_NAME) return `it is longer than ${MAX_BRANCH_NAME} characters`;
  if (name === '@') return 'it is "@"';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name.startsWith('/') || name.endsWith('/')) return 'it starts or ends with "/"';
  if (name.endsWith('.')) return 'it ends with "."';
  let previous = '';
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) return 'it holds a control character';
    if (' ~^:?*[\\'.includes(ch)) return `it holds ${JSON.stringify(ch)}`;
    if (previous === '.' && ch === '.') return 'it holds ".."';
    if (previous === '@' && ch === '{') return 'it holds "@{"';
    if (previous === '/' && ch === '/') return 'it holds "//"';
    previous = ch;
  }
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return 'a path component starts with "."';
    if (component.endsWith('.lock')) return 'a path component ends with ".lock"';
  }
  return undefined;
}

/** A short, printable form of an untrusted name for messages (the name is never echoed whole when refused). */
function preview(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

export type ParsedBranchEvent = { event: BranchEvent } | { ignored: string };

/** The branch event in a `create` or `delete` payload, or why it is ignored (a tag, a malformed name). */
export function parseBranchEvent(eventName: string, payload: { ref?: unknown; ref_type?: unknown }): ParsedBranchEvent {
  if (eventName !== 'create' && eventName !== 'delete') return { ignored: `${eventName} is not a branch event` };
  if (payload.ref_type !== 'branch') return { ignored: `a ${typeof payload.ref_type === 'string' ? payload.ref_type.slice(0, 20) : 'ref'} was ${eventName}d, not a branch` };
  if (typeof payload.ref !== 'string') return { ignored: 'the event names no branch' };
  const problem = branchNameProblem(payload.ref);
  if (problem) return { ignored: `the branch name ${preview(payload.ref)} is not one git accepts (${problem})` };
  return { event: { action: eventName === 'create' ? 'created' : 'deleted', branch: payload.ref } };
}

export interface BranchFlowEnv {
  gh: GitHub;
  repo: RepoRef;
  /** Engine options over the default branch's policies. */
  engine: EngineOptions;
  allowDestructive: boolean;
  log: Logger;
  hooks?: {
    /** The plan of every BranchPipelines policy, before anything is applied. */
    planned?(plan: Plan, selected: Plan): void | Promise<void>;
  };
}

export type BranchStatus = 'no-change' | 'applied' | 'apply-failed' | 'blocked' | 'invalid';

export interface BranchOutcome {
  status: BranchStatus;
  ok: boolean;
  reason?: string;
  /** The plan of every BranchPipelines policy of the repository. */
  plan: Plan;
  /** The part of it about the event's branch: what is applied. */
  selected: Plan;
  report?: ApplyReport;
  /** Changes the plan shows for other branches (left for the drift check). */
  leftForDrift: number;
}

/**
 * The changes about `event.branch`'s pipeline: its create or update when created, its delete when deleted.
 * A created branch also brings the policy's approval topics to life (create or update, never delete):
 * its new pipeline's approvals notify them. Both events bring Charter's CodeBuild projects (from buildspec
 * templates) to life or up to date, never delete one: the new pipeline runs them, the cleanup build of a
 * deleted branch too.
 */
export function changesForBranch(changes: readonly Change[], event: BranchEvent): Change[] {
  return changes.filter((c) => {
    if (c.kind !== BRANCH_KIND) return false;
    const data = c.data as { branch?: unknown; op?: unknown } | undefined;
    if (data?.op === 'topic-create' || data?.op === 'topic-update') return event.action === 'created';
    if (data?.op === 'project-create' || data?.op === 'project-update') return true;
    if (data?.branch !== event.branch) return false;
    return event.action === 'deleted' ? c.action === 'delete' : c.action === 'create' || c.action === 'update';
  });
}

/** Plans the repository's BranchPipelines policies with the event applied to the branch listing and applies the event branch's changes. */
export async function reconcileBranch(env: BranchFlowEnv, event: BranchEvent): Promise<BranchOutcome> {
  const repository = repositoryName(env.repo);
  const branches = githubBranchSource(env.gh as OctokitClient, {
    allowed: [repository],
    event: { repository, ...(event.action === 'created' ? { created: event.branch } : { deleted: event.branch }) },
  });
  const options = { ...env.engine, kinds: [BRANCH_KIND], salt: { repository }, runtime: { ...env.engine.runtime, branches } };
  const { plan: full, validation } = await plan(options);
  const chosen = changesForBranch(full.changes, event);
  const selected = buildPlan({ changes: chosen, diagnostics: full.diagnostics, inputs: full.inputs, policies: full.policies, salt: full.salt, kindOrder: () => 0 });
  await env.hooks?.planned?.(full, selected);
  const base = { plan: full, selected, leftForDrift: full.changes.length - chosen.length };
  const what = `branch ${preview(event.branch)} ${event.action}`;
  if (full.summary.errors) return { ...base, status: 'invalid', ok: false, reason: `The policies on the default branch have ${full.summary.errors} error(s); nothing was applied for ${what}.` };
  if (!chosen.length) {
    env.log.info(`${what}: no pipeline to ${event.action === 'created' ? 'create or update' : 'delete'}`);
    return { ...base, status: 'no-change', ok: true };
  }
  const refused = applyRefusal(selected, { allowDestructive: env.allowDestructive });
  if (refused) return { ...base, status: 'blocked', ok: false, reason: refused };
  const report = await execute(selected, validation.documents, options);
  const failed = report.results.filter((r) => r.status === 'failed');
  env.log.info(`${what}: applied ${report.results.filter((r) => r.status === 'applied').length} of ${chosen.length} change(s)`);
  if (!report.ok) {
    return { ...base, report, status: 'apply-failed', ok: false, reason: `Apply failed for ${what}: ${failed.map((r) => `${r.address}: ${r.error}`).join('; ') || 'changes were not attempted'}` };
  }
  return { ...base, report, status: 'applied', ok: true };
}
