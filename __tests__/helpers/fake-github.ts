/**
 * A stateful fake of the GitHub REST API endpoints Charter uses, served by `node:http` on 127.0.0.1 with an
 * ephemeral port. It answers the way api.github.com does: JSON bodies, 201/204/404/422 status codes,
 * `Link` headers (rel="next", "last", "first", "prev") for pages that honour `per_page` (default 30,
 * at most 100) and `page`. State is in memory: seed it, inspect it, inject faults, and read back every
 * request (method, path, query, body).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest, checkResponse, recordViolation } from './github-contract.js';
import * as J from './github-json.js';

export interface FakeUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface FakeLabel {
  name: string;
  color: string;
  description: string | null;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  /** Every edit, oldest first, as GitHub records them (GraphQL `userContentEdits`, `editor`, `lastEditedAt`). */
  edits: Array<{ editedAt: string; editor: FakeUser }>;
  /** The GitHub App that wrote it (`performed_via_github_app`): github-actions for the workflow token. */
  app?: { id: number; slug: string };
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface FakePull {
  number: number;
  title: string;
  state: 'open' | 'closed';
  labels: string[];
  headSha: string;
  headRef: string;
  baseRef: string;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  files: FakePullFile[];
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

/** A check run as the fake keeps it: GitHub's shape (github-json.ts) without the app, which is the fake's own. */
export type FakeCheckRun = Omit<J.CheckRunInfo, 'app'>;

export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  labels: FakeLabel[];
  issues: FakeIssue[];
  pulls: FakePull[];
  comments: FakeComment[];
  /** Commit SHA → numbers of the pull requests associated with it. */
  commitPulls: Map<string, number[]>;
  checkRuns: FakeCheckRun[];
  /** Branch names; the default branch is added when seeded without it. Listed in GitHub's order (by name). */
  branches: string[];
  /** Head commit of a branch, when set (else a SHA derived from its name). */
  branchHeads: Map<string, string>;
  /** Commits the repository has besides those above (GitHub answers 422 for any other SHA). */
  commits: Set<string>;
  /** Files per ref (a branch name or commit SHA), served by the git trees and blobs API. */
  files: Map<string, Map<string, Buffer>>;
  /** The GitHub App installation the repository belongs to (GET /installation/repositories). */
  installation?: number;
  /** Login → role (read, triage, write, maintain, admin) for GET …/collaborators/{username}/permission. */
  permissions: Map<string, string>;
  /** Created without any commit: the git data API answers 409, the contents API 404, no branch exists. */
  empty: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/repos/acme/infra/issues/7/comments?per_page=100&page=3`. */
  url: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, when there was one. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface SeedPull {
  number?: number;
  title?: string;
  state?: 'open' | 'closed';
  labels?: string[];
  headSha?: string;
  headRef?: string;
  baseRef?: string;
  mergeCommitSha?: string | null;
  mergedAt?: string | null;
  user?: string;
  /** Commits associated with this pull request (besides the merge commit, which is always associated). */
  commits?: string[];
  /** The files it changes (GET pulls/{n}/files), as GitHub lists them: added unless a status is given. */
  files?: Array<string | FakePullFile>;
}

export interface FakePullFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  previousFilename?: string;
}

export interface SeedIssue {
  number?: number;
  title: string;
  body?: string | null;
  state?: 'open' | 'closed';
  labels?: string[];
  user?: string;
}

export interface SeedComment {
  issueNumber: number;
  body: string;
  user?: string;
}

export interface SeedRepo {
  /** `owner/name`. */
  fullName: string;
  defaultBranch?: string;
  labels?: Array<string | (Partial<FakeLabel> & { name: string })>;
  pulls?: SeedPull[];
  issues?: SeedIssue[];
  comments?: SeedComment[];
  branches?: string[];
  /** Commit SHAs that exist without a pull request (a push of them lists no pull request). */
  commits?: string[];
  /** The GitHub App installation it belongs to. */
  installation?: number;
  /** Created without any commit (no branch, no files). */
  empty?: boolean;
}

export interface FakeGitHubSeed {
  repos?: SeedRepo[];
  /** When set, every request must send `Authorization: token <token>` (or `Bearer`), else 401. */
  token?: string;
  /** Login that authors what the API creates (comments, issues); `github-actions[bot]` by default. */
  login?: string;
  /** Start of the fake clock (each write advances it by one second); 2024-01-01T00:00:00Z by default. */
  now?: string;
  /**
   * The GitHub App the API's writes are performed by (comments' `performed_via_github_app`, check runs'
   * `app`, GET /app); github-actions (the workflow token's app) by default.
   */
  app?: FakeApp;
  /** GitHub App installations: id → account login (GET /app/installations, installation tokens). */
  installations?: Record<number, string>;
}

export interface FakeApp {
  id: number;
  slug: string;
  name: string;
  owner: string;
}

export interface FakeInstallation {
  id: number;
  account: string;
  /** Suspended by its owner: listed with `suspended_at`, refused a token (403). */
  suspendedAt: string | null;
}

/** The app of the workflow token (GITHUB_TOKEN). */
export const GITHUB_ACTIONS_APP: FakeApp = { id: 15368, slug: 'github-actions', name: 'GitHub Actions', owner: 'github' };

/** The installation token the fake issues (its installation is read back from it). */
export function installationToken(id: number): string {
  return `ghs_installation_${id}`;
}

export interface Fault {
  method?: string;
  /** Matched against the path without the query. */
  path: string | RegExp;
  status: number;
  message?: string;
  /** How many matching requests fail; 1 by default. */
  times?: number;
  /** Headers of the failure, e.g. `retry-after` on a secondary rate limit (403). */
  headers?: Record<string, string>;
}

function user(login: string): FakeUser {
  return { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
}

/** The fake's state, with helpers to seed and look things up. */
/** Git's object id of a blob. */
function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export class FakeGitHubState {
  readonly repos = new Map<string, FakeRepo>();
  readonly faults: Array<Required<Pick<Fault, 'status' | 'times'>> & Fault> = [];
  login: string;
  /** Pages link `next` and `prev` only, as GitHub does for lists it does not count (e.g. long histories). */
  linksWithoutLast = false;
  /** The largest page served (GitHub's is 100); lowered, a few items span several pages. */
  maxPerPage = 100;
  readonly app: FakeApp;
  readonly installations = new Map<number, FakeInstallation>();
  /** Check run id → index in `requests` of the request that created it and of the one that completed it. */
  readonly checkRunRequests = new Map<number, { created: number; completed?: number }>();
  private clock: number;
  private nextId = 1000;

  constructor(seed: FakeGitHubSeed = {}) {
    this.app = seed.app ?? GITHUB_ACTIONS_APP;
    this.login = seed.login ?? `${this.app.slug}[bot]`;
    for (const [id, account] of Object.entries(seed.installations ?? {})) this.addInstallation(Number(id), account);
    this.clock = Date.parse(seed.now ?? '2024-01-01T00:00:00Z');
    for (const repo of seed.repos ?? []) this.addRepo(repo);
  }

  /** Current fake time, without advancing the clock. */
  now(): string {
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The head commit of a branch. */
  branchSha(repo: FakeRepo, branch: string): string {
    return repo.branchHeads.get(branch) ?? createHash('sha1').update(`${repo.id}:${branch}`).digest('hex');
  }

  /** Whether a commit exists in the repository (as far as the fake knows it). */
  hasCommit(repo: FakeRepo, sha: string): boolean {
    const s = sha.toLowerCase();
    const known = (x: string) => x.toLowerCase() === s || (s.length < 40 && x.toLowerCase().startsWith(s));
    return (
      [...repo.commits, ...repo.commitPulls.keys(), ...repo.files.keys(), ...repo.branchHeads.values()].some(known) ||
      repo.branches.some((b) => known(this.branchSha(repo, b)))
    );
  }

  /** Current fake time; every call advances the clock by one second. */
  tick(): string {
    const now = new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.clock += 1000;
    return now;
  }

  id(): number {
    return this.nextId++;
  }

  addRepo(seed: SeedRepo): FakeRepo {
    const [owner, name] = seed.fullName.split('/');
    const repo: FakeRepo = {
      id: this.id(),
      owner,
      name,
      defaultBranch: seed.defaultBranch ?? 'main',
      labels: [],
      issues: [],
      pulls: [],
      comments: [],
      commitPulls: new Map(),
      checkRuns: [],
      branches: [...new Set([seed.defaultBranch ?? 'main', ...(seed.branches ?? [])])],
      branchHeads: new Map(),
      commits: new Set(seed.commits ?? []),
      files: new Map(),
      installation: seed.installation,
      permissions: new Map(),
      empty: seed.empty === true,
    };
    if (repo.empty) repo.branches = [];
    this.repos.set(seed.fullName.toLowerCase(), repo);
    for (const label of seed.labels ?? []) {
      const l = typeof label === 'string' ? { name: label } : label;
      repo.labels.push({ name: l.name, color: l.color ?? 'ededed', description: l.description ?? null });
    }
    for (const pull of seed.pulls ?? []) this.addPull(seed.fullName, pull);
    for (const issue of seed.issues ?? []) this.addIssue(seed.fullName, issue);
    for (const comment of seed.comments ?? []) this.addComment(seed.fullName, comment.issueNumber, comment.body, comment.user);
    return repo;
  }

  /** Sets the files of `ref` (served by GET git/trees/{ref} and git/blobs/{sha}). */
  putFiles(fullName: string, ref: string, files: Map<string, Buffer>): void {
    this.repo(fullName).files.set(ref, files);
    for (const content of files.values()) this.blobs.set(blobSha(content), content);
  }

  readonly blobs = new Map<string, Buffer>();
  /** Tree SHAs the fake has listed → the files and directory they stand for. */
  readonly trees = new Map<string, { files: Map<string, Buffer>; dir: string }>();
  /** Recursive tree listings answer `truncated: true` (as for repositories over 100,000 entries). */
  truncateRecursiveTrees = false;

  /** A commit with these files; with `branch`, that branch now points at it. */
  commit(fullName: string, sha: string, files: Map<string, Buffer>, branch?: string): void {
    const repo = this.repo(fullName);
    this.putFiles(fullName, sha, new Map(files));
    repo.commits.add(sha);
    repo.empty = false;
    if (branch) this.setBranch(fullName, branch, sha);
  }

  /** Points `branch` at commit `sha`, creating the branch if needed. */
  setBranch(fullName: string, branch: string, sha: string): void {
    const repo = this.repo(fullName);
    repo.branchHeads.set(branch, sha);
    if (!repo.branches.includes(branch)) repo.branches.push(branch);
  }

  deleteBranch(fullName: string, branch: string): void {
    const repo = this.repo(fullName);
    repo.branches = repo.branches.filter((b) => b !== branch);
    repo.branchHeads.delete(branch);
  }

  addInstallation(id: number, account: string): FakeInstallation {
    const installation: FakeInstallation = { id, account, suspendedAt: null };
    this.installations.set(id, installation);
    return installation;
  }

  /** The files of a ref: a commit SHA or a branch name (its head commit). */
  filesAt(repo: FakeRepo, ref: string): Map<string, Buffer> | undefined {
    return repo.files.get(ref) ?? (repo.branchHeads.has(ref) ? repo.files.get(repo.branchHeads.get(ref) as string) : undefined);
  }

  repo(fullName: string): FakeRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`fake GitHub has no repository ${fullName}`);
    return repo;
  }

  /** Issues and pull requests share one number sequence per repository. */
  nextNumber(repo: FakeRepo): number {
    return Math.max(0, ...repo.issues.map((i) => i.number), ...repo.pulls.map((p) => p.number)) + 1;
  }

  addPull(fullName: string, seed: SeedPull): FakePull {
    const repo = this.repo(fullName);
    const number = seed.number ?? this.nextNumber(repo);
    const now = this.tick();
    const mergedAt = seed.mergedAt === undefined ? null : seed.mergedAt;
    const pull: FakePull = {
      number,
      title: seed.title ?? `Pull request ${number}`,
      state: seed.state ?? (mergedAt ? 'closed' : 'open'),
      labels: [...(seed.labels ?? [])],
      headSha: seed.headSha ?? `${'a'.repeat(38)}${String(number).padStart(2, '0')}`.slice(-40),
      headRef: seed.headRef ?? `feature-${number}`,
      baseRef: seed.baseRef ?? repo.defaultBranch,
      mergeCommitSha: seed.mergeCommitSha ?? null,
      mergedAt,
      files: (seed.files ?? []).map((f) => (typeof f === 'string' ? { filename: f, status: 'added' as const } : f)),
      user: user(seed.user ?? 'octocat'),
      createdAt: now,
      updatedAt: now,
    };
    repo.pulls.push(pull);
    for (const label of pull.labels) this.ensureLabel(repo, label);
    const commits = [...(seed.commits ?? []), pull.headSha, ...(pull.mergeCommitSha ? [pull.mergeCommitSha] : [])];
    for (const sha of commits) this.associate(fullName, sha, number);
    return pull;
  }

  /** Associates a commit with a pull request (what `GET /repos/{o}/{r}/commits/{sha}/pulls` lists). */
  associate(fullName: string, sha: string, number: number): void {
    const repo = this.repo(fullName);
    const list = repo.commitPulls.get(sha) ?? [];
    if (!list.includes(number)) list.push(number);
    repo.commitPulls.set(sha, list);
  }

  addIssue(fullName: string, seed: SeedIssue): FakeIssue {
    const repo = this.repo(fullName);
    const now = this.tick();
    const state = seed.state ?? 'open';
    const issue: FakeIssue = {
      number: seed.number ?? this.nextNumber(repo),
      title: seed.title,
      body: seed.body ?? null,
      state,
      stateReason: state === 'closed' ? 'completed' : null,
      labels: [...(seed.labels ?? [])],
      user: user(seed.user ?? 'octocat'),
      createdAt: now,
      updatedAt: now,
      closedAt: state === 'closed' ? now : null,
    };
    repo.issues.push(issue);
    for (const label of issue.labels) this.ensureLabel(repo, label);
    return issue;
  }

  addComment(fullName: string, issueNumber: number, body: string, login?: string): FakeComment {
    const repo = this.repo(fullName);
    const now = this.tick();
    const comment: FakeComment = {
      id: this.id(),
      issueNumber,
      body,
      user: user(login ?? 'octocat'),
      createdAt: now,
      updatedAt: now,
      edits: [],
      ...(login === `${this.app.slug}[bot]` ? { app: { id: this.app.id, slug: this.app.slug } } : {}),
    };
    repo.comments.push(comment);
    this.touch(repo, issueNumber, now);
    return comment;
  }

  /** A comment or a label changes an issue's (or pull request's) `updated_at`, as on GitHub. */
  touch(repo: FakeRepo, number: number, now: string): void {
    const target = repo.issues.find((i) => i.number === number) ?? repo.pulls.find((p) => p.number === number);
    if (target) target.updatedAt = now;
  }

  /** An edit of a comment by `login` (in the web UI or through the API), recorded in its edit history. */
  editComment(fullName: string, id: number, body: string, login: string): FakeComment {
    const comment = this.repo(fullName).comments.find((c) => c.id === id);
    if (!comment) throw new Error(`fake GitHub has no comment ${id} in ${fullName}`);
    comment.body = body;
    comment.updatedAt = this.tick();
    comment.edits.push({ editedAt: comment.updatedAt, editor: user(login) });
    return comment;
  }

  /** Adds `count` comments with bodies from `body(i)`. */
  addComments(
    fullName: string,
    issueNumber: number,
    count: number,
    body: (i: number) => string = (i) => `comment ${i + 1}`,
  ): void {
    for (let i = 0; i < count; i++) this.addComment(fullName, issueNumber, body(i));
  }

  commentsOn(fullName: string, issueNumber: number): FakeComment[] {
    return this.repo(fullName).comments.filter((c) => c.issueNumber === issueNumber);
  }

  /** Makes the next `times` requests matching `fault` fail with `status`. */
  fail(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Label names are case-insensitive, as on GitHub. */
  findLabel(repo: FakeRepo, name: string): FakeLabel | undefined {
    return repo.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
  }

  ensureLabel(repo: FakeRepo, name: string): FakeLabel {
    let label = this.findLabel(repo, name);
    if (!label) repo.labels.push((label = { name, color: 'ededed', description: null }));
    return label;
  }
}

export interface FakeGitHub {
  /** Base URL to use as Octokit's `baseUrl` (GITHUB_API_URL). */
  url: string;
  state: FakeGitHubState;
  requests: RecordedRequest[];
  /** Called with each request as it is recorded, before it is answered (a test timing the requests). */
  onRequest?: (request: RecordedRequest) => void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const DOCS = 'https://docs.github.com/rest';

type Handler = (ctx: RequestContext) => { status: number; body?: unknown; headers?: Record<string, string> };

interface RequestContext {
  params: string[];
  query: Record<string, string>;
  body: Record<string, unknown>;
  url: URL;
  base: string;
  headers: IncomingMessage['headers'];
}

export async function startFakeGitHub(seed: FakeGitHubSeed = {}): Promise<FakeGitHub> {
  const state = new FakeGitHubState(seed);
  const requests: RecordedRequest[] = [];
  let base = '';

  // ------------------------------------------------------------------------------------------------
  // JSON shapes: GitHub's full resources (github-json.ts), under this server's base URL

  // The API's base URL as the request being answered named it (with GHES's /api/v3 or without).
  let apiBase = '';
  const urls = (): J.Urls => ({ api: apiBase, web: 'https://github.com' });
  const info = (repo: FakeRepo): J.RepoInfo => ({
    id: repo.id,
    owner: repo.owner,
    name: repo.name,
    defaultBranch: repo.defaultBranch,
    private: true,
    createdAt: '2020-01-01T00:00:00Z',
    pushedAt: state.now(),
  });
  const labelInfo = (repo: FakeRepo, name: string): J.LabelInfo => state.findLabel(repo, name) ?? { name, color: 'ededed', description: null };
  const labelJson = (repo: FakeRepo, name: string) => J.label(urls(), info(repo), labelInfo(repo, name));
  const commentJson = (repo: FakeRepo, c: FakeComment) =>
    J.issueComment(urls(), info(repo), { ...c, login: c.user.login, type: c.user.type });
  /** An actor as GraphQL shows it: a bot without the `[bot]` suffix REST adds. */
  const actorJson = (u: FakeUser) => ({ __typename: u.type, login: u.type === 'Bot' ? u.login.replace(/\[bot\]$/, '') : u.login });
  const commentCount = (repo: FakeRepo, n: number) => repo.comments.filter((c) => c.issueNumber === n).length;
  const issueJson = (repo: FakeRepo, i: FakeIssue) =>
    J.issue(urls(), info(repo), {
      ...i,
      labels: i.labels.map((l) => labelInfo(repo, l)),
      login: i.user.login,
      type: i.user.type,
      comments: commentCount(repo, i.number),
    });
  const pullAsIssueJson = (repo: FakeRepo, p: FakePull) =>
    J.issue(urls(), info(repo), {
      number: p.number,
      title: p.title,
      body: null,
      state: p.state,
      stateReason: null,
      labels: p.labels.map((l) => labelInfo(repo, l)),
      login: p.user.login,
      type: p.user.type,
      comments: commentCount(repo, p.number),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      closedAt: p.state === 'closed' ? (p.mergedAt ?? p.updatedAt) : null,
      pull: { mergedAt: p.mergedAt },
    });
  const pullJson = (repo: FakeRepo, p: FakePull, full = false) =>
    J.pullRequest(
      urls(),
      info(repo),
      {
        ...p,
        labels: p.labels.map((l) => labelInfo(repo, l)),
        login: p.user.login,
        type: p.user.type,
        baseSha: state.branchSha(repo, p.baseRef),
        comments: commentCount(repo, p.number),
      },
      full,
    );
  const checkRunJson = (repo: FakeRepo, r: FakeCheckRun) =>
    J.checkRun(urls(), info(repo), { ...r, app: state.app });

  // ------------------------------------------------------------------------------------------------
  // Helpers

  const findRepo = (owner: string, name: string): FakeRepo => {
    const repo = state.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) throw new HttpError(404, 'Not Found');
    return repo;
  };
  const findIssueOrPull = (repo: FakeRepo, n: string) => {
    const number = Number(n);
    const issue = repo.issues.find((i) => i.number === number);
    const pull = repo.pulls.find((p) => p.number === number);
    if (!issue && !pull) throw new HttpError(404, 'Not Found');
    return { issue, pull, number };
  };
  const findComment = (repo: FakeRepo, id: string) => {
    const comment = repo.comments.find((c) => c.id === Number(id));
    if (!comment) throw new HttpError(404, 'Not Found');
    return comment;
  };
  const invalid = (resource: string, field: string, code = 'missing_field'): never => {
    throw new HttpError(422, 'Validation Failed', [{ resource, code, field }]);
  };
  const requireString = (body: Record<string, unknown>, field: string, resource: string): string => {
    const value = body[field];
    // GitHub refuses an empty (or blank) comment body as it refuses a missing one.
    if (typeof value !== 'string' || value.trim() === '') invalid(resource, field);
    return value as string;
  };
  const labelsFrom = (value: unknown): string[] => {
    if (!Array.isArray(value)) return [];
    return value.map((l) => (typeof l === 'string' ? l : String((l as { name?: unknown }).name ?? '')));
  };

  /** One page of `items` with GitHub's `Link` header. */
  const paginate = <T>(ctx: RequestContext, items: T[], map: (item: T) => unknown) => {
    const perPage = Math.min(state.maxPerPage, Math.max(1, Number.parseInt(ctx.query.per_page ?? '30', 10) || 30));
    const page = Math.max(1, Number.parseInt(ctx.query.page ?? '1', 10) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const pageItems = items.slice((page - 1) * perPage, page * perPage);
    // GitHub's links name a repository by id: /repositories/{id}/… (the server maps them back).
    const scoped = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(ctx.url.pathname);
    const owner = scoped ? state.repos.get(`${scoped[1]}/${scoped[2]}`.toLowerCase()) : undefined;
    const path = owner && scoped ? `/repositories/${owner.id}${scoped[3]}` : ctx.url.pathname;
    const link = (p: number, rel: string) => {
      const url = new URL(`${ctx.base}${path}${ctx.url.search}`);
      url.searchParams.set('page', String(p));
      return `<${url.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
    if (page < last) links.push(link(page + 1, 'next'));
    // Lists GitHub cannot count cheaply have no `last` (nor `first`) link.
    if (page < last && !state.linksWithoutLast) links.push(link(last, 'last'));
    if (page > 1 && !state.linksWithoutLast) links.push(link(1, 'first'));
    return {
      status: 200,
      body: pageItems.map(map),
      headers: links.length ? { link: links.join(', ') } : undefined,
    };
  };

  const byNumber = (a: { number: number }, b: { number: number }) => a.number - b.number;

  // ------------------------------------------------------------------------------------------------
  // Routes

  /** The installation an installation token (`token ghs_installation_<id>`) was issued for. */
  const installationOf = (headers: IncomingMessage['headers']): FakeInstallation => {
    const match = /^token ghs_installation_(\d+)$/i.exec(headers.authorization ?? '');
    const found = match ? state.installations.get(Number(match[1])) : undefined;
    if (!found) throw new HttpError(401, 'Bad credentials');
    return found;
  };
  const requireAppJwt = (headers: IncomingMessage['headers']): void => {
    // The app authenticates as itself with a JWT (three base64url parts) signed by its private key.
    if (!/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i.test(headers.authorization ?? '')) {
      throw new HttpError(401, 'A JSON web token could not be decoded');
    }
  };

  const routes: Array<[method: string, pattern: RegExp, handler: Handler]> = [
    // GitHub Apps: the app itself, its installations and their tokens and repositories
    [
      'GET',
      /^\/app$/,
      ({ headers }) => {
        requireAppJwt(headers);
        return { status: 200, body: J.integration(urls(), state.app) };
      },
    ],
    [
      'GET',
      /^\/app\/installations$/,
      (ctx) => {
        requireAppJwt(ctx.headers);
        const all = [...state.installations.values()].sort((a, b) => a.id - b.id);
        return paginate(ctx, all, (i) => J.installation(urls(), { ...i, app: state.app }));
      },
    ],
    [
      'POST',
      /^\/app\/installations\/(\d+)\/access_tokens$/,
      ({ params, headers }) => {
        requireAppJwt(headers);
        const found = state.installations.get(Number(params[0]));
        if (!found) throw new HttpError(404, 'Not Found');
        if (found.suspendedAt) throw new HttpError(403, 'This installation has been suspended');
        const expires = new Date(Date.parse(state.now()) + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        return { status: 201, body: J.installationToken(installationToken(found.id), expires, state.app, urls()) };
      },
    ],
    [
      'GET',
      /^\/installation\/repositories$/,
      (ctx) => {
        const { id } = installationOf(ctx.headers);
        const repos = [...state.repos.values()].filter((r) => r.installation === id);
        const page = paginate(ctx, repos, (r) => J.repository(urls(), info(r)));
        return { ...page, body: { total_count: repos.length, repository_selection: 'all', repositories: page.body } };
      },
    ],
    // Repository contents, a branch, a collaborator's permission
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        if (repo.empty) throw new HttpError(404, 'This repository is empty.');
        const ref = ctx.query.ref ?? repo.defaultBranch;
        const path = ctx.params[2];
        const content = state.filesAt(repo, ref)?.get(path);
        if (!content) throw new HttpError(404, 'Not Found');
        return { status: 200, body: J.contentFile(urls(), info(repo), path, ref, blobSha(content), content) };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/branches\/([^/]+)$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        if (!repo.branches.includes(params[2])) throw new HttpError(404, 'Branch not found');
        return { status: 200, body: J.branch(urls(), info(repo), params[2], state.branchSha(repo, params[2]), state.now()) };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        // Anyone may read a public repository; the fake's repositories are private, read by default for tests.
        return { status: 200, body: J.collaboratorPermission(urls(), params[2], repo.permissions.get(params[2]) ?? 'read') };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        return { status: 200, body: J.repository(urls(), info(repo), true) };
      },
    ],
    // Branches (GET /repos/{owner}/{repo}/branches), sorted by name like GitHub
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/branches$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const names = [...repo.branches].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return paginate(ctx, names, (name) => {
          const sha = state.branchSha(repo, name);
          return { name, commit: { sha, url: `${base}/repos/${repo.owner}/${repo.name}/commits/${sha}` }, protected: name === repo.defaultBranch };
        });
      },
    ],
    // Git data: the tree of a ref or of a sub-tree, one level or with recursive=1 (whole, unless the
    // repository is too big: truncated then, listing only the first level as GitHub does), and blobs
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/git\/trees\/(.+)$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        if (repo.empty) throw new HttpError(409, 'Git Repository is empty.');
        const ref = ctx.params[2];
        const sub = state.trees.get(ref);
        const files = sub ? sub.files : state.filesAt(repo, ref);
        if (!files) throw new HttpError(404, 'Not Found');
        const dir = sub ? sub.dir : '';
        const api = `${ctx.base}/repos/${repo.owner}/${repo.name}`;
        const inside = [...files].filter(([p]) => !dir || p.startsWith(`${dir}/`)).map(([p, c]) => [dir ? p.slice(dir.length + 1) : p, c] as const);
        const treeSha = (path: string) => {
          const full = dir ? `${dir}/${path}` : path;
          const id = createHash('sha1')
            .update(`tree ${[...files].filter(([p]) => p.startsWith(`${full}/`)).map(([p, c]) => `${p}:${blobSha(c)}`).join('\n')}`)
            .digest('hex');
          state.trees.set(id, { files, dir: full });
          return { path, mode: '040000', type: 'tree', sha: id, url: `${api}/git/trees/${id}` };
        };
        const blob = (path: string, content: Buffer) => {
          const sha = blobSha(content);
          return { path, mode: '100644', type: 'blob', sha, size: content.length, url: `${api}/git/blobs/${sha}` };
        };
        const recursive = ctx.query.recursive !== undefined && ctx.query.recursive !== '0' && ctx.query.recursive !== 'false';
        const truncated = recursive && state.truncateRecursiveTrees;
        let tree: Array<ReturnType<typeof blob> | ReturnType<typeof treeSha>>;
        if (recursive && !truncated) {
          const dirs = new Set<string>();
          for (const [p] of inside) {
            const parts = p.split('/');
            for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
          }
          tree = [...[...dirs].map(treeSha), ...inside.map(([p, c]) => blob(p, c))].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        } else {
          const children = new Map<string, ReturnType<typeof blob> | ReturnType<typeof treeSha>>();
          for (const [p, c] of inside) {
            const [head, ...tail] = p.split('/');
            if (!children.has(head)) children.set(head, tail.length ? treeSha(head) : blob(head, c));
          }
          tree = [...children.values()];
        }
        const sha = sub ? ref : createHash('sha1').update(`tree ${inside.map(([p, c]) => `${p}:${blobSha(c)}`).join('\n')}`).digest('hex');
        if (!sub) state.trees.set(sha, { files, dir: '' });
        return { status: 200, body: { sha, url: `${api}/git/trees/${sha}`, tree, truncated } };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/git\/blobs\/([0-9a-f]{40})$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        const content = state.blobs.get(params[2]);
        if (!content) throw new HttpError(404, 'Not Found');
        return {
          status: 200,
          body: {
            sha: params[2],
            node_id: J.nodeId('B', params[2]),
            size: content.length,
            url: `${base}/repos/${repo.owner}/${repo.name}/git/blobs/${params[2]}`,
            // GitHub wraps the base64 at 60 characters.
            content: `${content.toString('base64').replace(/.{60}/g, '$&\n')}\n`,
            encoding: 'base64',
          },
        };
      },
    ],
    // Issue comments
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const { number } = findIssueOrPull(repo, ctx.params[2]);
        const since = ctx.query.since ? Date.parse(ctx.query.since) : undefined;
        const comments = repo.comments
          .filter((c) => c.issueNumber === number && (since === undefined || Date.parse(c.updatedAt) >= since))
          .sort((a, b) => a.id - b.id);
        return paginate(ctx, comments, (c) => commentJson(repo, c));
      },
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const { number } = findIssueOrPull(repo, ctx.params[2]);
        const body = requireString(ctx.body, 'body', 'IssueComment');
        if (body.length > 65_536) invalid('IssueComment', 'body', 'custom');
        const comment = state.addComment(`${repo.owner}/${repo.name}`, number, body, state.login);
        return { status: 201, body: commentJson(repo, comment) };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        return { status: 200, body: commentJson(repo, findComment(repo, params[2])) };
      },
    ],
    [
      'PATCH',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const comment = findComment(repo, ctx.params[2]);
        const body = requireString(ctx.body, 'body', 'IssueComment');
        if (body.length > 65_536) invalid('IssueComment', 'body', 'custom');
        state.editComment(`${repo.owner}/${repo.name}`, comment.id, body, state.login);
        return { status: 200, body: commentJson(repo, comment) };
      },
    ],
    [
      'DELETE',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        const comment = findComment(repo, params[2]);
        repo.comments.splice(repo.comments.indexOf(comment), 1);
        return { status: 204 };
      },
    ],
    // Issues (the list includes pull requests, as on GitHub)
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const wanted = (ctx.query.labels ?? '')
          .split(',')
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean);
        const stateFilter = ctx.query.state ?? 'open';
        const sort = ctx.query.sort ?? 'created';
        const direction = ctx.query.direction ?? 'desc';
        const all = [
          ...repo.issues.map((i) => ({
            number: i.number,
            state: i.state,
            labels: i.labels,
            created: i.createdAt,
            updated: i.updatedAt,
            json: () => issueJson(repo, i),
          })),
          ...repo.pulls.map((p) => ({
            number: p.number,
            state: p.state,
            labels: p.labels,
            created: p.createdAt,
            updated: p.updatedAt,
            json: () => pullAsIssueJson(repo, p),
          })),
        ]
          .filter((i) => stateFilter === 'all' || i.state === stateFilter)
          .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
          .sort((a, b) => {
            const key = sort === 'updated' ? 'updated' : 'created';
            const order = a[key].localeCompare(b[key]) || a.number - b.number;
            return direction === 'asc' ? order : -order;
          });
        return paginate(ctx, all, (i) => i.json());
      },
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const title = requireString(ctx.body, 'title', 'Issue');
        const body = typeof ctx.body.body === 'string' ? ctx.body.body : null;
        if (body && body.length > 65_536) invalid('Issue', 'body', 'custom');
        const issue = state.addIssue(`${repo.owner}/${repo.name}`, {
          title,
          body,
          labels: labelsFrom(ctx.body.labels),
          user: state.login,
        });
        return { status: 201, body: issueJson(repo, issue) };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        const { issue, pull } = findIssueOrPull(repo, params[2]);
        return { status: 200, body: issue ? issueJson(repo, issue) : pullAsIssueJson(repo, pull as FakePull) };
      },
    ],
    [
      'PATCH',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const { issue, pull } = findIssueOrPull(repo, ctx.params[2]);
        const now = state.tick();
        const b = ctx.body;
        if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed') invalid('Issue', 'state', 'invalid');
        if (issue) {
          if (typeof b.title === 'string') issue.title = b.title;
          if (typeof b.body === 'string' || b.body === null) {
            if (typeof b.body === 'string' && b.body.length > 65_536) invalid('Issue', 'body', 'custom');
            issue.body = b.body;
          }
          if (Array.isArray(b.labels)) issue.labels = labelsFrom(b.labels);
          if (b.state === 'closed' && issue.state === 'open') {
            issue.state = 'closed';
            issue.closedAt = now;
            issue.stateReason = typeof b.state_reason === 'string' ? b.state_reason : 'completed';
          } else if (b.state === 'open' && issue.state === 'closed') {
            issue.state = 'open';
            issue.closedAt = null;
            issue.stateReason = 'reopened';
          }
          issue.updatedAt = now;
          return { status: 200, body: issueJson(repo, issue) };
        }
        const p = pull as FakePull;
        if (typeof b.title === 'string') p.title = b.title;
        if (Array.isArray(b.labels)) p.labels = labelsFrom(b.labels);
        p.updatedAt = now;
        return { status: 200, body: pullAsIssueJson(repo, p) };
      },
    ],
    // Labels
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const { issue, pull } = findIssueOrPull(repo, ctx.params[2]);
        return paginate(ctx, (issue ?? (pull as FakePull)).labels, (l) => labelJson(repo, l));
      },
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const { issue, pull } = findIssueOrPull(repo, ctx.params[2]);
        const target = issue ?? (pull as FakePull);
        const added = labelsFrom(ctx.body.labels).filter((name) => !target.labels.some((l) => l.toLowerCase() === name.toLowerCase()));
        for (const name of added) {
          target.labels.push(name);
          state.ensureLabel(repo, name);
        }
        if (added.length > 0) state.touch(repo, target.number, state.tick());
        return { status: 200, body: target.labels.map((l) => labelJson(repo, l)) };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/labels$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        return paginate(ctx, repo.labels, (l) => labelJson(repo, l.name));
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/labels\/([^/]+)$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        const name = decodeURIComponent(params[2]);
        const label = state.findLabel(repo, name);
        if (!label) throw new HttpError(404, 'Not Found');
        return { status: 200, body: labelJson(repo, label.name) };
      },
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/labels$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const name = requireString(ctx.body, 'name', 'Label');
        if (state.findLabel(repo, name)) invalid('Label', 'name', 'already_exists');
        const color = typeof ctx.body.color === 'string' ? ctx.body.color.replace(/^#/, '') : 'ededed';
        if (!/^[0-9a-fA-F]{6}$/.test(color)) invalid('Label', 'color', 'invalid');
        repo.labels.push({ name, color, description: typeof ctx.body.description === 'string' ? ctx.body.description : null });
        return { status: 201, body: labelJson(repo, name) };
      },
    ],
    // Pull requests
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const wanted = ctx.query.state ?? 'open';
        const pulls = repo.pulls
          .filter((p) => wanted === 'all' || p.state === wanted)
          .sort(byNumber)
          .reverse();
        return paginate(ctx, pulls, (p) => pullJson(repo, p));
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
      ({ params }) => {
        const repo = findRepo(params[0], params[1]);
        const pull = repo.pulls.find((p) => p.number === Number(params[2]));
        if (!pull) throw new HttpError(404, 'Not Found');
        return { status: 200, body: pullJson(repo, pull, true) };
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const pull = repo.pulls.find((p) => p.number === Number(ctx.params[2]));
        if (!pull) throw new HttpError(404, 'Not Found');
        // GitHub lists at most 3,000 files of a pull request.
        return paginate(ctx, pull.files.slice(0, 3000), (f) => {
          const sha = createHash('sha1').update(f.filename).digest('hex');
          const url = `https://github.com/${repo.owner}/${repo.name}/blob/${pull.headSha}/${f.filename}`;
          return {
            sha,
            filename: f.filename,
            status: f.status,
            additions: 1,
            deletions: 0,
            changes: 1,
            blob_url: url,
            raw_url: url.replace('/blob/', '/raw/'),
            contents_url: `https://api.github.com/repos/${repo.owner}/${repo.name}/contents/${f.filename}?ref=${pull.headSha}`,
            patch: '@@ -0,0 +1 @@\n+changed',
            ...(f.previousFilename ? { previous_filename: f.previousFilename } : {}),
          };
        });
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/pulls$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const sha = ctx.params[2];
        if (!/^[0-9a-f]{7,40}$/i.test(sha) || !state.hasCommit(repo, sha)) throw new HttpError(422, `No commit found for SHA: ${sha}`);
        const numbers = repo.commitPulls.get(sha) ?? [];
        const pulls = repo.pulls.filter((p) => numbers.includes(p.number)).sort(byNumber);
        return paginate(ctx, pulls, (p) => pullJson(repo, p));
      },
    ],
    // GraphQL: the `node(id:)` lookup of an issue comment with its edit history (what Charter asks).
    [
      'POST',
      /^\/graphql$/,
      (ctx) => {
        const query = typeof ctx.body.query === 'string' ? ctx.body.query : '';
        const variables = (ctx.body.variables ?? {}) as Record<string, unknown>;
        if (!/\bnode\(id: \$id\)/.test(query) || !/\.\.\. on IssueComment/.test(query)) {
          return { status: 200, body: { errors: [{ message: 'The fake GitHub answers only node(id:) queries on IssueComment' }] } };
        }
        const match = /^IC_(\d+)$/.exec(String(variables.id ?? ''));
        const found = match ? [...state.repos.values()].flatMap((r) => r.comments).find((c) => c.id === Number(match[1])) : undefined;
        if (!found) return { status: 200, body: { data: { node: null }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${String(variables.id)}'` }] } };
        const last = found.edits.at(-1);
        return {
          status: 200,
          body: {
            data: {
              node: {
                databaseId: found.id,
                body: found.body,
                createdAt: found.createdAt,
                lastEditedAt: last?.editedAt ?? null,
                author: actorJson(found.user),
                editor: last ? actorJson(last.editor) : null,
                // GitHub keeps the original as the first revision once a comment is edited.
                userContentEdits: {
                  totalCount: found.edits.length ? found.edits.length + 1 : 0,
                  nodes: found.edits.length
                    ? [{ editedAt: found.createdAt, editor: actorJson(found.user) }, ...found.edits.map((e) => ({ editedAt: e.editedAt, editor: actorJson(e.editor) }))].slice(-20)
                    : [],
                },
              },
            },
          },
        };
      },
    ],
    // Check runs
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const name = requireString(ctx.body, 'name', 'CheckRun');
        const headSha = requireString(ctx.body, 'head_sha', 'CheckRun');
        const run: FakeCheckRun = {
          id: state.id(),
          name,
          headSha,
          status: typeof ctx.body.status === 'string' ? ctx.body.status : 'queued',
          conclusion: typeof ctx.body.conclusion === 'string' ? ctx.body.conclusion : null,
          startedAt: typeof ctx.body.started_at === 'string' ? ctx.body.started_at : state.tick(),
          completedAt: null,
          detailsUrl: typeof ctx.body.details_url === 'string' ? ctx.body.details_url : null,
          externalId: typeof ctx.body.external_id === 'string' ? ctx.body.external_id : null,
          output: { annotations: [] },
        };
        if (run.conclusion) {
          run.status = 'completed';
          run.completedAt = typeof ctx.body.completed_at === 'string' ? ctx.body.completed_at : state.tick();
        }
        applyOutput(run, ctx.body.output);
        repo.checkRuns.push(run);
        state.checkRunRequests.set(run.id, { created: requests.length - 1, ...(run.conclusion ? { completed: requests.length - 1 } : {}) });
        return { status: 201, body: checkRunJson(repo, run) };
      },
    ],
    [
      'PATCH',
      /^\/repos\/([^/]+)\/([^/]+)\/check-runs\/(\d+)$/,
      (ctx) => {
        const repo = findRepo(ctx.params[0], ctx.params[1]);
        const run = repo.checkRuns.find((r) => r.id === Number(ctx.params[2]));
        if (!run) throw new HttpError(404, 'Not Found');
        applyOutput(run, ctx.body.output);
        if (typeof ctx.body.status === 'string') run.status = ctx.body.status;
        if (typeof ctx.body.details_url === 'string') run.detailsUrl = ctx.body.details_url;
        if (typeof ctx.body.conclusion === 'string') {
          run.conclusion = ctx.body.conclusion;
          run.status = 'completed';
          run.completedAt = typeof ctx.body.completed_at === 'string' ? ctx.body.completed_at : state.tick();
          const log = state.checkRunRequests.get(run.id);
          if (log) log.completed = requests.length - 1;
        }
        return { status: 200, body: checkRunJson(repo, run) };
      },
    ],
  ];

  function applyOutput(run: FakeCheckRun, output: unknown): void {
    if (!output || typeof output !== 'object') return;
    const o = output as Record<string, unknown>;
    // GitHub counts UTF-8 bytes: "summary exceeds a maximum bytesize of 65535" (and likewise text).
    for (const field of ['summary', 'text']) {
      if (typeof o[field] === 'string' && Buffer.byteLength(o[field]) > 65_535) invalid('CheckRun', field, 'custom');
    }
    if (typeof o.title === 'string') run.output.title = o.title;
    if (typeof o.summary === 'string') run.output.summary = o.summary;
    if (typeof o.text === 'string') run.output.text = o.text;
    if (Array.isArray(o.annotations)) {
      if (o.annotations.length > 50) invalid('CheckRun', 'annotations', 'too_many');
      run.output.annotations.push(...(o.annotations as Array<Record<string, unknown>>));
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Server

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-github-request-id': `FAKE:${String(requests.length).padStart(6, '0')}`,
      ...headers,
    });
    res.end(text);
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const sentUrl = `${url.pathname}${url.search}`;
      // GitHub Enterprise Server's layout (what Probot's GHE_HOST points at): REST under /api/v3, GraphQL at
      // /api/graphql. The same API answers under both, with links under the prefix the request used.
      const ghes = url.pathname.startsWith('/api/v3/') || url.pathname === '/api/graphql';
      if (url.pathname === '/api/graphql') url.pathname = '/graphql';
      else if (ghes) url.pathname = url.pathname.slice('/api/v3'.length);
      apiBase = ghes ? `${base}/api/v3` : base;
      // `/repositories/{id}/…` (the links GitHub paginates with) names the repository `/repos/{owner}/{repo}/…` does.
      const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(url.pathname);
      const repoById = byId ? [...state.repos.values()].find((r) => r.id === Number(byId[1])) : undefined;
      if (byId && repoById) url.pathname = `/repos/${repoById.owner}/${repoById.name}${byId[2] ?? ''}`;
      const raw = await readBody(req);
      let parsed: unknown;
      let badJson = false;
      if (raw) {
        try {
          parsed = JSON.parse(raw);
        } catch {
          badJson = true;
        }
      }
      const method = (req.method ?? 'GET').toUpperCase();
      const query = Object.fromEntries(url.searchParams.entries());
      let injected = false;
      const checked = (status: number, body: unknown) => {
        if (url.pathname === '/graphql') return;
        for (const problem of checkResponse(method, url.pathname, status, body)) recordViolation({ request: `${method} ${url.pathname}${url.search}`, problem });
      };
      const recorded: RecordedRequest = { method, url: sentUrl, path: url.pathname, query, body: parsed, headers: req.headers };
      requests.push(recorded);
      fake.onRequest?.(recorded);

      try {
        if (seed.token !== undefined) {
          const auth = req.headers.authorization ?? '';
          const match = /^(?:token|bearer)\s+(.+)$/i.exec(auth);
          if (!match || match[1] !== seed.token) throw new HttpError(401, 'Bad credentials');
        }
        if (badJson) throw new HttpError(400, 'Problems parsing JSON');
        // The contract check (github-contract.ts): what GitHub's description does not allow fails the test;
        // an invalid body is refused with 422 as GitHub does.
        const problems = url.pathname === '/graphql' ? [] : checkRequest(method, url.pathname, query, parsed);
        for (const problem of problems) recordViolation({ request: `${method} ${url.pathname}${url.search}`, problem });
        // GitHub's answer to a body its schema refuses: 422 "Invalid request." with the reasons.
        const bodyProblems = problems.filter((p) => p.includes('request body'));
        if (bodyProblems.length > 0) throw new HttpError(422, `Invalid request.\n\n${bodyProblems.join('\n')}`);
        const faultIndex = state.faults.findIndex(
          (f) =>
            (!f.method || f.method.toUpperCase() === method) &&
            (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)),
        );
        if (faultIndex >= 0) {
          const fault = state.faults[faultIndex];
          if (--fault.times <= 0) state.faults.splice(faultIndex, 1);
          injected = true;
          throw new HttpError(fault.status, fault.message ?? 'Injected fault', undefined, fault.headers);
        }
        const pathMatches = routes.filter(([, pattern]) => pattern.test(url.pathname));
        const route = pathMatches.find(([m]) => m === method);
        if (!route) throw new HttpError(pathMatches.length ? 405 : 404, pathMatches.length ? 'Method Not Allowed' : 'Not Found');
        const params = (route[1].exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
        const body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
        apiBase = ghes ? `${base}/api/v3` : base;
        const result = route[2]({ params, query, body, url, base: apiBase, headers: req.headers });
        checked(result.status, result.body);
        send(res, result.status, result.body, result.headers);
      } catch (error) {
        if (error instanceof HttpError) {
          const body = {
            message: error.message,
            ...(error.errors ? { errors: error.errors } : {}),
            documentation_url: DOCS,
            status: String(error.status),
          };
          if (!injected) checked(error.status, body);
          send(res, error.status, body, error.headers);
        } else {
          send(res, 500, { message: error instanceof Error ? error.message : String(error) });
        }
      }
    })();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeGitHub = {
    url: base,
    state,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}
