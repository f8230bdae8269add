import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { parseBoolean, parseList } from '../core/settings.js';

export type Mode = 'validate' | 'plan' | 'apply' | 'drift' | 'branch';

/** Everything the Action reads from its environment, read in this one place. */
export interface ActionInputs {
  mode: Mode | 'auto';
  policies: string[];
  githubToken: string;
  allowDestructive: boolean;
  comment: boolean;
  /** Login that writes the plan comment: only its comments are trusted to carry a reviewed fingerprint. */
  commentAuthor: string;
  failOnDrift: boolean;
  planFile: string;
  cwd: string;
  eventName: string;
  event: GitHubEvent;
  repository: string;
  sha: string;
  ref: string;
  apiUrl: string;
  runUrl?: string;
  /** Endpoint override for every AWS service (the sandbox); real runs leave it unset. */
  awsEndpoint?: string;
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

const modes = ['auto', 'validate', 'plan', 'apply', 'drift', 'branch'] as const;

function boolInput(name: string, fallback: boolean): boolean {
  return parseBoolean(core.getInput(name), fallback, `Input ${name}`);
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const mode = (core.getInput('mode') || 'auto').trim() as ActionInputs['mode'];
  if (!modes.includes(mode)) throw new Error(`Input mode must be one of ${modes.join(', ')}, got "${mode}"`);
  const eventPath = env.GITHUB_EVENT_PATH;
  const event = eventPath ? (JSON.parse(readFileSync(eventPath, 'utf8')) as GitHubEvent) : {};
  const githubToken = core.getInput('github-token');
  if (githubToken) core.setSecret(githubToken);
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  return {
    mode,
    policies: parseList(core.getInput('policies')),
    githubToken,
    allowDestructive: boolInput('allow-destructive', false),
    comment: boolInput('comment', true),
    commentAuthor: core.getInput('comment-author').trim() || 'github-actions[bot]',
    failOnDrift: boolInput('fail-on-drift', true),
    planFile: core.getInput('plan-file') || `${env.RUNNER_TEMP ?? workspace}/charter-plan.json`,
    cwd: workspace,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
    repository: env.GITHUB_REPOSITORY ?? event.repository?.full_name ?? '',
    sha: env.GITHUB_SHA ?? event.after ?? '',
    ref: env.GITHUB_REF ?? (typeof event.ref === 'string' ? event.ref : ''),
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    runUrl: env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    awsEndpoint: env.CHARTER_AWS_ENDPOINT || undefined,
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
