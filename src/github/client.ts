import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit, type RestEndpointMethodTypes } from '@octokit/rest';

/** The full Octokit client `createGitHub` returns (rest endpoints and `paginate`). */
export type OctokitClient = InstanceType<typeof Octokit>;

/** GitHub's own types for what Charter reads, from Octokit (not hand-typed: those drift from the API). */
type Endpoints = RestEndpointMethodTypes;
export type IssueComment = Endpoints['issues']['listComments']['response']['data'][number];
export type Issue = Endpoints['issues']['listForRepo']['response']['data'][number];
export type PullRequestSummary = Endpoints['repos']['listPullRequestsAssociatedWithCommit']['response']['data'][number];
export type Label = Endpoints['issues']['listLabelsOnIssue']['response']['data'][number];
export type Tree = Endpoints['git']['getTree']['response']['data'];
export type TreeEntry = Tree['tree'][number];
export type InstallationRepository = Endpoints['apps']['listReposAccessibleToInstallation']['response']['data']['repositories'][number];
export type RepositoryContent = Endpoints['repos']['getContent']['response']['data'];
export type CheckRunConclusion = NonNullable<Endpoints['checks']['update']['parameters']['conclusion']>;
export type CheckRunOutput = NonNullable<Endpoints['checks']['update']['parameters']['output']>;

/**
 * The client Charter's GitHub code takes: Octokit's REST methods, `paginate` and GraphQL (what REST does
 * not show: a comment's edit history). The CLI's `createGitHub`, the Action's `getOctokit` client and
 * Probot's installation clients all fit it.
 */
export type GitHub = Pick<OctokitClient, 'rest' | 'paginate' | 'graphql'>;

export interface GitHubOptions {
  token: string;
  /** REST API root, GITHUB_API_URL on GitHub Enterprise Server; defaults to https://api.github.com. */
  baseUrl?: string;
  userAgent?: string;
  /**
   * Where Octokit logs; by default failed requests go to `console.error` (including expected ones, such as
   * the 422 when the drift label already exists). The Action can route them to `core.debug`.
   */
  log?: {
    debug: (message: string) => void;
    info: (message: string) => void;
    warn: (message: string) => void;
    error: (message: string) => void;
  };
  /** Retries of a 5xx answer (3 by default). */
  retries?: number;
  /** Base of plugin-retry's growing wait, in ms (1000 by default; tests shorten it). */
  retryAfterBaseMs?: number;
}

type Log = NonNullable<GitHubOptions['log']>;

/**
 * Statuses a retry cannot change: plugin-retry's list plus 409 (an empty repository's tree, a conflicting
 * write). 403 is left to the throttling plugin, which retries it when it is a rate limit.
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

/**
 * Retry and throttling options shared by the CLI's and the Action's clients: 5xx answers (comment writes
 * too) are retried up to 3 times with growing waits (@octokit/plugin-retry; 4xx but 429 are not), and a
 * primary or secondary rate limit waits the `retry-after` GitHub sends and retries twice, unless the wait
 * is longer than MAX_RATE_LIMIT_WAIT_S (a primary limit can reset an hour away: failing says so sooner)
 * (@octokit/plugin-throttling, which also spaces writes as GitHub's guidance asks).
 */
/** The longest rate-limit wait a run sits out, in seconds. */
export const MAX_RATE_LIMIT_WAIT_S = 120;

export function resilienceOptions(log?: Log, tuning: Pick<GitHubOptions, 'retries' | 'retryAfterBaseMs'> = {}) {
  const again = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retrying = retryCount < 2 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
    log?.warn(`GitHub ${kind} rate limit on ${options.method} ${options.url}; ${retrying ? `retrying in ${retryAfter} s` : `not retried (retry after ${retryAfter} s)`}`);
    return retrying;
  };
  return {
    throttle: { onRateLimit: again('primary'), onSecondaryRateLimit: again('secondary') },
    retry: {
      retries: tuning.retries ?? 3,
      doNotRetry: DO_NOT_RETRY,
      ...(tuning.retryAfterBaseMs !== undefined ? { retryAfterBaseValue: tuning.retryAfterBaseMs } : {}),
    },
  };
}

/** The plugins every Charter client adds to Octokit (Probot's clients have them built in). */
export const RESILIENCE_PLUGINS = [retry, throttling] as const;

const ResilientOctokit = Octokit.plugin(retry, throttling);

/** A REST client for the CLI and tests: Octokit with retry and throttling. The Action uses `getOctokit`. */
export function createGitHub(options: GitHubOptions): OctokitClient {
  return new ResilientOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl || 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'charter',
    ...(options.log ? { log: options.log } : {}),
    ...resilienceOptions(options.log, options),
  });
}

/** Page size for every list call: the REST maximum. */
export const PER_PAGE = 100;

/**
 * The number of a list's last page, from the `rel="last"` link of its first page (absent when GitHub does
 * not count the list). Only for lookups that walk backwards from the end: `octokit.paginate` walks forward.
 */
export function lastPage(link: string | undefined): number | undefined {
  const last = link?.split(',').find((part) => part.endsWith('rel="last"'));
  const url = last?.slice(last.indexOf('<') + 1, last.indexOf('>'));
  const page = url ? Number.parseInt(new URL(url, 'http://localhost').searchParams.get('page') ?? '', 10) : Number.NaN;
  return Number.isInteger(page) && page > 0 ? page : undefined;
}

/** The HTTP status of an Octokit `RequestError` (or anything shaped like one). */
export function httpStatus(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'status' in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}
