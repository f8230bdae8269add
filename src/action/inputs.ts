import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { parse } from 'yaml';
import { secretDigestKey } from '../core/plan-meta.js';
import { parseReachConfig, type ReachConfig } from '../core/reach.js';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../core/engine.js';
import { parseThresholdPercent } from '../core/safety.js';
import type { PolicyScope } from '../core/scope.js';
import { parseBoolean, parseConcurrency, parseList } from '../core/settings.js';
import { parseWebhookUrl } from '../notify/webhook.js';

export type Mode = 'validate' | 'plan' | 'apply' | 'drift' | 'branch';

/** Everything the Action reads from its environment, read in this one place. */
export interface ActionInputs {
  mode: Mode | 'auto';
  policies: string[];
  /** Reading no policy file is fine (input allow-no-policies); else it is an error. */
  allowNoPolicies: boolean;
  githubToken: string;
  allowDestructive: boolean;
  /** Input scope; undefined: `changed` for a pull request's plan (src/core/scope.ts). */
  scope?: PolicyScope;
  /** Plans go past the change threshold (input force); the label charter:force does it per pull request. */
  force: boolean;
  /** Input change-threshold, percent. */
  changeThresholdPercent: number;
  comment: boolean;
  /** Login that writes the plan comment: only its comments are trusted to carry a reviewed fingerprint. */
  commentAuthor: string;
  /** HMAC key of the plan meta (from a secret); without it only the comment's author and edit history protect it. */
  planSigningKey?: string;
  failOnDrift: boolean;
  planFile: string;
  cwd: string;
  eventName: string;
  event: GitHubEvent;
  repository: string;
  sha: string;
  ref: string;
  apiUrl: string;
  /** `https://github.com` or the GHES host: pull request and artifact pages are below it. */
  serverUrl: string;
  runUrl?: string;
  /** Endpoint override for every AWS service (the sandbox); real runs leave it unset. */
  awsEndpoint?: string;
  /** What policies may reach (input `allow`); empty: nothing. */
  reach: ReachConfig;
  /** The pull request comes from another repository (a fork). */
  fork: boolean;
  /** Key of the HMAC that puts secrets into the plan fingerprint, derived from planSigningKey. */
  secretHashKey?: string;
  /** Name of the plan's workflow artifact; undefined: no upload (input plan-artifact: none). */
  planArtifact?: string;
  /** The runner's results service (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL) that stores artifacts is there. */
  artifactService: boolean;
  /** The runner's temporary directory (files staged for the artifact). */
  tempDir: string;
  /** Chat webhook for apply results and drift (from a secret; never logged). */
  notifyWebhook?: string;
  /** Groups of changes apply runs at once (input `concurrency`, 1 to MAX_CONCURRENCY). */
  concurrency: number;
}

/** The fields of webhook payloads Charter reads. */
export interface GitHubEvent {
  pull_request?: { number: number; labels?: Array<{ name: string }>; head?: { sha: string; repo?: { full_name?: string } }; base?: { repo?: { full_name?: string } } };
  repository?: { default_branch?: string; full_name?: string };
  /** create/delete: the branch or tag name (untrusted: whoever pushed chose it) and which of the two it is. */
  ref?: unknown;
  ref_type?: unknown;
  after?: string;
}

function reachInput(): ReachConfig {
  const text = input('allow');
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: true, maxAliasCount: 0 });
  } catch (error) {
    throw new Error(`Input allow is not valid YAML: ${(error as Error).message}`);
  }
  // The repository's role is the workflow's own credentials: the input cannot name one.
  return parseReachConfig(raw, 'Input allow', { allowRole: false, accountRoles: true });
}

function scopeInput(): { scope?: PolicyScope } {
  const scope = input('scope');
  if (!scope) return {};
  if (scope !== 'changed' && scope !== 'all') throw new Error(`Input scope must be changed or all, got "${scope}"`);
  return { scope };
}

const modes = ['auto', 'validate', 'plan', 'apply', 'drift', 'branch'] as const;

/**
 * Every input action.yml declares, with the default it declares there. The runner sets `INPUT_*` for each
 * from action.yml; these defaults apply when the Action runs without a runner (a test holds the two equal,
 * and holds that nothing else in src reads an input). A `${{ … }}` default is the runner's to evaluate:
 * outside a runner it reads as empty.
 */
export const ACTION_INPUT_DEFAULTS = {
  mode: 'auto',
  policies: '',
  'allow-no-policies': 'false',
  'github-token': '${{ github.token }}',
  'allow-destructive': 'false',
  scope: '',
  force: 'false',
  'change-threshold': '30',
  comment: 'true',
  'comment-author': 'github-actions[bot]',
  'fail-on-drift': 'true',
  'plan-file': '',
  'plan-signing-key': '',
  allow: '',
  'plan-artifact': 'charter-plan',
  'notify-webhook': '',
  concurrency: '',
} as const;

export type ActionInputName = keyof typeof ACTION_INPUT_DEFAULTS;

/** The one place an input is read. */
function input(name: ActionInputName): string {
  const fallback: string = ACTION_INPUT_DEFAULTS[name];
  return core.getInput(name).trim() || (fallback.startsWith('${{') ? '' : fallback);
}

function boolInput(name: ActionInputName): boolean {
  return parseBoolean(input(name), false, `Input ${name}`);
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const mode = input('mode') as ActionInputs['mode'];
  if (!modes.includes(mode)) throw new Error(`Input mode must be one of ${modes.join(', ')}, got "${mode}"`);
  const eventPath = env.GITHUB_EVENT_PATH;
  const event = eventPath ? (JSON.parse(readFileSync(eventPath, 'utf8')) as GitHubEvent) : {};
  const githubToken = input('github-token');
  if (githubToken) core.setSecret(githubToken);
  const planSigningKey = input('plan-signing-key') || undefined;
  if (planSigningKey) {
    core.setSecret(planSigningKey);
    if (planSigningKey.length < 32) throw new Error('Input plan-signing-key must be at least 32 characters long (use a random secret)');
  }
  const notifyWebhook = input('notify-webhook') || undefined;
  if (notifyWebhook) core.setSecret(notifyWebhook);
  const planArtifact = input('plan-artifact');
  const head = event.pull_request?.head?.repo?.full_name;
  const base = event.pull_request?.base?.repo?.full_name;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  return {
    mode,
    policies: parseList(input('policies')),
    allowNoPolicies: boolInput('allow-no-policies'),
    githubToken,
    allowDestructive: boolInput('allow-destructive'),
    ...scopeInput(),
    force: boolInput('force'),
    changeThresholdPercent: parseThresholdPercent(input('change-threshold'), 'Input change-threshold'),
    comment: boolInput('comment'),
    commentAuthor: input('comment-author'),
    ...(planSigningKey ? { planSigningKey, secretHashKey: secretDigestKey(planSigningKey) } : {}),
    failOnDrift: boolInput('fail-on-drift'),
    planFile: input('plan-file') || `${env.RUNNER_TEMP ?? workspace}/charter-plan.json`,
    cwd: workspace,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
    repository: env.GITHUB_REPOSITORY ?? event.repository?.full_name ?? '',
    sha: env.GITHUB_SHA ?? event.after ?? '',
    ref: env.GITHUB_REF ?? (typeof event.ref === 'string' ? event.ref : ''),
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    serverUrl: server,
    runUrl: env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    awsEndpoint: env.CHARTER_AWS_ENDPOINT || undefined,
    reach: reachInput(),
    concurrency: parseConcurrency(input('concurrency'), DEFAULT_CONCURRENCY, MAX_CONCURRENCY, 'Input concurrency'),
    fork: Boolean(head && base && head.toLowerCase() !== base.toLowerCase()),
    ...(planArtifact.toLowerCase() === 'none' ? {} : { planArtifact }),
    artifactService: Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL),
    tempDir: env.RUNNER_TEMP || tmpdir(),
    ...(notifyWebhook ? { notifyWebhook: parseWebhookUrl(notifyWebhook, 'Input notify-webhook') } : {}),
  };
}

/**
 * `auto` picks by event: pull_request → plan, push to the default branch → apply, schedule/dispatch → drift,
 * create/delete (of a branch) → branch (BranchPipelines creates or deletes that branch's pipeline).
 */
export function resolveMode(inputs: Pick<ActionInputs, 'mode' | 'eventName' | 'event' | 'ref'>): Mode {
  if (inputs.mode !== 'auto') return inputs.mode;
  switch (inputs.eventName) {
    case 'pull_request':
    case 'pull_request_target':
      return 'plan';
    case 'push': {
      const defaultBranch = inputs.event.repository?.default_branch;
      return defaultBranch && inputs.ref === `refs/heads/${defaultBranch}` ? 'apply' : 'validate';
    }
    case 'schedule':
    case 'workflow_dispatch':
      return 'drift';
    case 'create':
    case 'delete':
      return 'branch';
    default:
      return 'validate';
  }
}
