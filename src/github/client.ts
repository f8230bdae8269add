import { Octokit } from '@octokit/rest';

/** The full Octokit client `createGitHub` returns (rest endpoints and `paginate`). */
export type OctokitClient = InstanceType<typeof Octokit>;

/** What every response carries that Charter reads: the data and the `Link` header for paging. */
export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: { link?: string };
}

export interface ApiUser {
  login: string;
  type?: string;
}

export interface ApiLabel {
  name?: string;
}

export interface ApiIssueComment {
  id: number;
  /** GraphQL global id (the edit history is read through GraphQL). */
  node_id?: string;
  body?: string;
  user: ApiUser | null;
  /** The GitHub App that wrote the comment, when an app did. */
  performed_via_github_app?: { id: number; slug?: string } | null;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface ApiIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  labels: Array<string | ApiLabel>;
  html_url: string;
  created_at: string;
  pull_request?: unknown;
}

export interface ApiPullRequest {
  number: number;
  merge_commit_sha: string | null;
  merged_at: string | null;
  labels: ApiLabel[];
  head: { sha: string };
}

/** One file of `GET /repos/{owner}/{repo}/pulls/{number}/files` (the fields Charter reads). */
export interface ApiPullRequestFile {
  filename: string;
  status: string;
  previous_filename?: string;
}

/** One pull request as `GET /repos/{owner}/{repo}/pulls/{number}` returns it (the fields Charter reads). */
export interface ApiPullRequestDetail extends ApiPullRequest {
  state: string;
  merged?: boolean;
  /** `head.repo` differs from `base.repo` for a fork's pull request (null when the fork was deleted). */
  head: { sha: string; repo?: { full_name?: string } | null };
  base: { ref: string; repo: { full_name?: string } };
  html_url: string;
}

export type CheckRunStatus = 'queued' | 'in_progress' | 'completed';
export type CheckRunConclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';

/** The `output` object of a check run create or update request. */
export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: Array<{
    path: string;
    start_line: number;
    end_line: number;
    start_column?: number;
    end_column?: number;
    annotation_level: 'notice' | 'warning' | 'failure';
    title?: string;
    message: string;
  }>;
}

export interface ApiCheckRun {
  id: number;
  html_url: string | null;
}

export interface ApiTreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
  size?: number;
}

export interface ApiTree {
  sha: string;
  truncated: boolean;
  tree: ApiTreeEntry[];
}

// Type aliases, not interfaces: Octokit's parameter types have an index signature, which only object
// literal types satisfy implicitly.
type RepoParams = {
  owner: string;
  repo: string;
};

type PageParams = {
  per_page?: number;
  page?: number;
};

/**
 * The slice of the GitHub REST API Charter uses, in the shape of Octokit's `rest` namespace. Both the
 * client from `createGitHub` and Probot's `context.octokit` satisfy it (methods are declared as methods,
 * so their parameter types are compared bivariantly and narrower parameter objects fit).
 */
export interface GitHub {
  /** GraphQL (what REST does not show: a comment's edit history). */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  rest: {
    issues: {
      listComments(params: RepoParams & PageParams & { issue_number: number }): Promise<ApiResponse<ApiIssueComment[]>>;
      createComment(params: RepoParams & { issue_number: number; body: string }): Promise<ApiResponse<ApiIssueComment>>;
      updateComment(params: RepoParams & { comment_id: number; body: string }): Promise<ApiResponse<ApiIssueComment>>;
      listForRepo(
        params: RepoParams &
          PageParams & {
            labels?: string;
            state?: 'open' | 'closed' | 'all';
            sort?: 'created' | 'updated' | 'comments';
            direction?: 'asc' | 'desc';
          },
      ): Promise<ApiResponse<ApiIssue[]>>;
      create(params: RepoParams & { title: string; body?: string; labels?: string[] }): Promise<ApiResponse<ApiIssue>>;
      update(
        params: RepoParams & {
          issue_number: number;
          title?: string;
          body?: string;
          state?: 'open' | 'closed';
          state_reason?: 'completed' | 'not_planned' | 'reopened' | null;
        },
      ): Promise<ApiResponse<ApiIssue>>;
      createLabel(params: RepoParams & { name: string; color?: string; description?: string }): Promise<ApiResponse<unknown>>;
      listLabelsOnIssue(params: RepoParams & PageParams & { issue_number: number }): Promise<ApiResponse<ApiLabel[]>>;
    };
    repos: {
      listPullRequestsAssociatedWithCommit(
        params: RepoParams & PageParams & { commit_sha: string },
      ): Promise<ApiResponse<ApiPullRequest[]>>;
      /** A file's content (base64) or a directory listing; 404 when the path does not exist at `ref`. */
      getContent(params: RepoParams & { path: string; ref?: string }): Promise<ApiResponse<unknown>>;
      getCollaboratorPermissionLevel(params: RepoParams & { username: string }): Promise<ApiResponse<{ permission: string; role_name?: string }>>;
      getBranch(params: RepoParams & { branch: string }): Promise<ApiResponse<{ commit: { sha: string } }>>;
    };
    pulls: {
      get(params: RepoParams & { pull_number: number }): Promise<ApiResponse<ApiPullRequestDetail>>;
      /** The files a pull request changes; GitHub lists at most MAX_PULL_REQUEST_FILES (3,000). */
      listFiles(params: RepoParams & PageParams & { pull_number: number }): Promise<ApiResponse<ApiPullRequestFile[]>>;
    };
    checks: {
      create(
        params: RepoParams & {
          name: string;
          head_sha: string;
          status?: CheckRunStatus;
          conclusion?: CheckRunConclusion;
          started_at?: string;
          completed_at?: string;
          details_url?: string;
          external_id?: string;
          output?: CheckRunOutput;
        },
      ): Promise<ApiResponse<ApiCheckRun>>;
      update(
        params: RepoParams & {
          check_run_id: number;
          status?: CheckRunStatus;
          conclusion?: CheckRunConclusion;
          completed_at?: string;
          details_url?: string;
          output?: CheckRunOutput;
        },
      ): Promise<ApiResponse<ApiCheckRun>>;
    };
    git: {
      getTree(params: RepoParams & { tree_sha: string; recursive?: string }): Promise<ApiResponse<ApiTree>>;
      getBlob(params: RepoParams & { file_sha: string }): Promise<ApiResponse<{ content: string; encoding: string; size: number | null }>>;
    };
  };
}

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
}

/** An Octokit REST client (no retry or throttling plugins: Charter's calls are few and idempotent-safe). */
export function createGitHub(options: GitHubOptions): OctokitClient {
  return new Octokit({
    auth: options.token,
    baseUrl: (options.baseUrl || 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'charter',
    ...(options.log ? { log: options.log } : {}),
  });
}

/** Page size for every list call: the REST maximum. */
export const PER_PAGE = 100;

/** The URLs of a `Link` header by relation (`next`, `prev`, `first`, `last`). */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (match) for (const rel of match[2].split(/\s+/)) links[rel] = match[1];
  }
  return links;
}

/** The `page` query parameter of a link, when there is one. */
export function pageOf(url: string | undefined): number | undefined {
  if (!url) return undefined;
  const page = new URL(url, 'http://localhost').searchParams.get('page');
  const n = page === null ? Number.NaN : Number.parseInt(page, 10);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Pages through a list endpoint from page `from` for as long as the `Link` header has a `next` relation,
 * yielding one page of items at a time so callers can stop early. `fetchPage` sets `per_page`.
 */
export async function* pages<T>(fetchPage: (page: number) => Promise<ApiResponse<T[]>>, from = 1): AsyncGenerator<T[]> {
  for (let page = from; ; page++) {
    const response = await fetchPage(page);
    yield response.data;
    const next = pageOf(parseLinkHeader(response.headers.link).next);
    if (next === undefined || next <= page || response.data.length === 0) return;
    page = next - 1;
  }
}

/** The HTTP status of an Octokit `RequestError` (or anything shaped like one). */
export function httpStatus(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'status' in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}
