/**
 * A hand-written GitHub API for the app's load test and load bench only: a small stateful model of the
 * endpoints the app calls (installations and tokens, trees, blobs and contents of commits, pull requests,
 * comments, issues, labels, check runs, collaborator permissions, branches), served on a loopback HTTP server
 * by `listen()`. Every other app test uses the contract-checked fake (helpers/fake-github.ts); this one
 * validates nothing, so what the load measures is the app's own cost, not the fake's schema checks.
 * Requests are recorded in order (or only passed to `onRequest`); faults make the next matching requests
 * fail with a status.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const API = 'https://api.github.com';
export const APP_SLUG = 'charter-app';
export const BOT = `${APP_SLUG}[bot]`;

export interface MockComment {
  id: number;
  issueNumber: number;
  body: string;
  login: string;
  type: 'User' | 'Bot';
  createdAt?: string;
  /** Edit history, oldest first (GraphQL `userContentEdits`, `editor`, `lastEditedAt`). */
  edits?: Array<{ editedAt: string; editor: string }>;
}

export interface MockCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  detailsUrl?: string;
  output: { title?: string; summary?: string; text?: string; annotations: Array<Record<string, unknown>> };
  /** Index in `requests` of the create and of the completing update. */
  createdAt: number;
  completedAt?: number;
}

export interface MockIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

export interface MockPull {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  labels: string[];
  mergeCommitSha: string | null;
  mergedAt: string | null;
}

export interface MockRepo {
  id: number;
  owner: string;
  name: string;
  installation: number;
  defaultBranch: string;
  branches: Map<string, string>;
  /** Commit SHA → files (path → content). */
  commits: Map<string, Map<string, Buffer>>;
  pulls: MockPull[];
  comments: MockComment[];
  issues: MockIssue[];
  labels: string[];
  checkRuns: MockCheckRun[];
  /** Commit SHA → associated pull request numbers. */
  commitPulls: Map<string, number[]>;
  permissions: Map<string, string>;
}

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  auth?: string;
}

interface Fault {
  method?: string;
  path: RegExp;
  status: number;
  times: number;
  message?: string;
  headers?: Record<string, string>;
}

function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** Every file under `dir` as repository paths under `prefix`. */
export function filesFrom(dir: string, prefix: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(`${prefix}/${relative(dir, full).split('\\').join('/')}`, readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

export class GitHubMock {
  readonly repos = new Map<string, MockRepo>();
  readonly requests: Recorded[] = [];
  readonly installations = new Map<number, string>();
  /** Installations suspended by their owner: listed with `suspended_at`, refused a token (403). */
  readonly suspended = new Set<number>();
  private readonly blobs = new Map<string, Buffer>();
  /** Sub-tree SHA → the commit and directory it lists. */
  private readonly trees = new Map<string, { commit: string; dir: string }>();
  /** Recursive tree listings answer `truncated: true` (as for repositories over 100,000 entries). */
  truncateRecursiveTrees = false;
  private readonly faults: Fault[] = [];
  private nextId = 5000;
  /** Added to every answer (the benchmark's GitHub latency). */
  latencyMs = 0;
  /** Whether `requests` records every request (the benchmark turns it off: at thousands of requests the log, with
   * each write's parsed body, is memory the app under measurement does not hold). */
  recordRequests = true;
  /** Called on each request before it is answered (tests use it to observe ordering). */
  onRequest?: (r: Recorded) => void;

  addInstallation(id: number, account: string): void {
    this.installations.set(id, account);
  }

  addRepo(fullName: string, installation: number, defaultBranch = 'master'): MockRepo {
    const [owner, name] = fullName.split('/');
    const repo: MockRepo = {
      id: this.nextId++,
      owner,
      name,
      installation,
      defaultBranch,
      branches: new Map(),
      commits: new Map(),
      pulls: [],
      comments: [],
      issues: [],
      labels: [],
      checkRuns: [],
      commitPulls: new Map(),
      permissions: new Map(),
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  repo(fullName: string): MockRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no repo ${fullName}`);
    return repo;
  }

  commit(fullName: string, sha: string, files: Map<string, Buffer>, branch?: string): void {
    const repo = this.repo(fullName);
    repo.commits.set(sha, new Map(files));
    for (const content of files.values()) this.blobs.set(blobSha(content), content);
    if (branch) repo.branches.set(branch, sha);
  }

  fail(fault: { method?: string; path: RegExp; status: number; times?: number; message?: string; headers?: Record<string, string> }): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  checkRuns(fullName: string, name?: string): MockCheckRun[] {
    return this.repo(fullName).checkRuns.filter((r) => !name || r.name === name);
  }

  comments(fullName: string, issue: number): MockComment[] {
    return this.repo(fullName).comments.filter((c) => c.issueNumber === issue);
  }

  /** An edit by `login` outside Charter (the web UI), recorded in the comment's edit history. */
  editComment(fullName: string, id: number, body: string, login: string): void {
    const comment = this.repo(fullName).comments.find((c) => c.id === id);
    if (!comment) throw new Error(`no comment ${id}`);
    comment.body = body;
    (comment.edits ??= []).push({ editedAt: new Date().toISOString(), editor: login });
  }

  /** Writes to the GitHub API (anything but GET) so far. */
  writes(): Recorded[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /**
   * The API on a loopback HTTP server, for clients given its URL as `baseUrl`. A real server lets the client
   * keep a few connections alive, as it does with GitHub (an in-process interceptor such as nock kept every
   * request's mock socket reachable: hundreds of MiB and event-loop time under load, charged to the app).
   */
  async listen(): Promise<{ url: string; close(): Promise<void> }> {
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
          const url = `http://${req.headers.host}${req.url ?? '/'}`;
          const [status, data, headers] = this.answer(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8'), req.headers.authorization);
          res.writeHead(status, headers).end(data === undefined ? undefined : JSON.stringify(data));
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve, reject) => {
          server.closeAllConnections();
          server.close((e) => (e ? reject(e) : resolve()));
        }),
    };
  }

  private answer(method: string, uri: string, body: string, auth: string | undefined): [number, unknown, Record<string, string>] {
    const url = new URL(uri, API);
    const parsed = body ? (JSON.parse(body) as unknown) : undefined;
    const recorded: Recorded = { method, path: url.pathname, query: url.searchParams, body: parsed, auth };
    if (this.recordRequests) this.requests.push(recorded);
    this.onRequest?.(recorded);
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const fault = this.faults.findIndex((f) => (!f.method || f.method === method) && f.path.test(url.pathname));
    if (fault >= 0) {
      const f = this.faults[fault];
      if (--f.times <= 0) this.faults.splice(fault, 1);
      return [f.status, { message: f.message ?? `Injected ${f.status}` }, { ...json, ...f.headers }];
    }
    try {
      this.lastAuth = auth;
      const [status, data, headers] = this.route(method, url, (parsed ?? {}) as Record<string, unknown>);
      return [status, data, { ...json, ...headers }];
    } catch (error) {
      return [500, { message: (error as Error).message }, json];
    }
  }

  /** Page `items` as GitHub does (`page`, `per_page` up to 100, default 30) with a `Link` header to the next page. */
  private page<T>(url: URL, items: T[]): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30), this.maxPerPage);
    const page = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const next = new URL(url);
      next.searchParams.set('page', String(n));
      return `<${next.toString()}>; rel="${rel}"`;
    };
    const headers: Record<string, string> = page < last ? { link: `${link(page + 1, 'next')}, ${link(last, 'last')}` } : {};
    return { items: items.slice((page - 1) * perPage, page * perPage), headers };
  }

  /** Lowers the page size of the installation lists, so a few items span several pages. */
  maxPerPage = 100;

  private route(method: string, url: URL, body: Record<string, unknown>): [number, unknown, Record<string, string>?] {
    const path = url.pathname;
    let m: RegExpExecArray | null;
    const now = new Date().toISOString();
    const commentJson = (repo: MockRepo, c: MockComment) => ({
      id: c.id,
      node_id: `IC_${c.id}`,
      body: c.body,
      user: { login: c.login, type: c.type },
      performed_via_github_app: c.login === BOT ? { id: 1, slug: APP_SLUG } : null,
      created_at: c.createdAt ?? now,
      updated_at: c.edits?.at(-1)?.editedAt ?? c.createdAt ?? now,
      html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    });
    const issueJson = (repo: MockRepo, i: MockIssue) => ({
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ name })),
      html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${i.number}`,
      created_at: now,
    });
    const pullJson = (repo: MockRepo, p: MockPull) => ({
      number: p.number,
      state: p.state,
      labels: p.labels.map((name) => ({ name })),
      head: { sha: p.headSha, ref: `feature-${p.number}` },
      base: { ref: repo.defaultBranch },
      merge_commit_sha: p.mergeCommitSha,
      merged_at: p.mergedAt,
      merged: Boolean(p.mergedAt),
      html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${p.number}`,
    });
    const repoJson = (repo: MockRepo) => ({
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: { login: repo.owner, type: 'Organization' },
      default_branch: repo.defaultBranch,
      archived: false,
      disabled: false,
      private: true,
    });

    if (method === 'GET' && path === '/app') return [200, { id: 1, slug: APP_SLUG, name: 'Charter' }];
    if (method === 'POST' && path === '/graphql') {
      // The `node(id:)` lookup of an issue comment with its edit history; GraphQL names bots without `[bot]`.
      const id = /^IC_(\d+)$/.exec(String((body.variables as Record<string, unknown> | undefined)?.id ?? ''));
      const c = id ? [...this.repos.values()].flatMap((r) => r.comments).find((x) => x.id === Number(id[1])) : undefined;
      if (!c) return [200, { data: { node: null } }];
      const actor = (login: string) => ({ __typename: login.endsWith('[bot]') ? 'Bot' : 'User', login: login.replace(/\[bot\]$/, '') });
      const edits = c.edits ?? [];
      const last = edits.at(-1);
      return [200, { data: { node: {
        databaseId: c.id,
        body: c.body,
        createdAt: c.createdAt ?? now,
        lastEditedAt: last?.editedAt ?? null,
        author: actor(c.login),
        editor: last ? actor(last.editor) : null,
        userContentEdits: { totalCount: edits.length, nodes: edits.map((e) => ({ editedAt: e.editedAt, editor: actor(e.editor) })) },
      } } }];
    }
    if (method === 'GET' && path === '/app/installations') {
      const all = [...this.installations].map(([id, login]) => ({ id, account: { login, type: 'Organization' }, suspended_at: this.suspended.has(id) ? '2026-01-01T00:00:00Z' : null }));
      const { items, headers } = this.page(url, all);
      return [200, items, headers];
    }
    if ((m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path)) && method === 'POST') {
      if (!this.installations.has(Number(m[1]))) return [404, { message: 'Not Found' }];
      if (this.suspended.has(Number(m[1]))) return [403, { message: 'This installation has been suspended' }];
      return [201, { token: `ghs_installation_${m[1]}`, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {}, repository_selection: 'all' }];
    }
    if (method === 'GET' && path === '/installation/repositories') {
      // The token names the installation (see access_tokens above).
      const installation = Number(this.lastAuth?.replace(/^token ghs_installation_/, ''));
      const repos = [...this.repos.values()].filter((r) => r.installation === installation);
      const { items, headers } = this.page(url, repos.map(repoJson));
      return [200, { total_count: repos.length, repositories: items }, headers];
    }

    if (!(m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path))) return [404, { message: 'Not Found' }];
    const repo = this.repos.get(`${m[1]}/${m[2]}`.toLowerCase());
    if (!repo) return [404, { message: 'Not Found' }];
    const rest = m[3] ?? '';
    const resolveRef = (ref: string) => (repo.commits.has(ref) ? ref : repo.branches.get(ref));
    // A repository without any commit: the git data API answers 409, the contents API 404.
    if (repo.commits.size === 0 && rest.startsWith('/git/')) return [409, { message: 'Git Repository is empty.' }];
    if (repo.commits.size === 0 && rest.startsWith('/contents/')) return [404, { message: 'This repository is empty.' }];

    if (method === 'GET' && rest === '') return [200, repoJson(repo)];
    if (method === 'GET' && rest === '/branches') {
      const names = [...repo.branches.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const { items, headers } = this.page(url, names);
      return [200, items.map((name) => ({ name, commit: { sha: repo.branches.get(name) }, protected: false })), headers];
    }
    if (method === 'GET' && (m = /^\/git\/trees\/([^/]+)$/.exec(rest))) {
      const ref = decodeURIComponent(m[1]);
      const sub = this.trees.get(ref);
      const sha = sub ? sub.commit : resolveRef(ref);
      const files = sha && repo.commits.get(sha);
      if (!files) return [404, { message: 'Not Found' }];
      const base = sub ? sub.dir : '';
      const treeSha = (dir: string) => {
        const id = createHash('sha1').update(`${sha}:${dir}`).digest('hex');
        this.trees.set(id, { commit: sha, dir });
        return id;
      };
      const inside = [...files].filter(([p]) => !base || p.startsWith(`${base}/`)).map(([p, c]) => [base ? p.slice(base.length + 1) : p, c] as const);
      const recursive = url.searchParams.get('recursive') === '1' && !sub;
      if (recursive && !this.truncateRecursiveTrees) {
        const dirs = new Set<string>();
        for (const [p] of inside) {
          const parts = p.split('/');
          for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
        }
        const tree = [
          ...[...dirs].map((d) => ({ path: d, mode: '040000', type: 'tree', sha: treeSha(d) })),
          ...inside.map(([p, c]) => ({ path: p, mode: '100644', type: 'blob', sha: blobSha(c), size: c.length })),
        ];
        return [200, { sha, truncated: false, tree }];
      }
      // One level (or a truncated recursive listing, which then shows only the first level).
      const children = new Map<string, { path: string; mode: string; type: string; sha: string; size?: number }>();
      for (const [p, c] of inside) {
        const [head, ...tail] = p.split('/');
        if (tail.length) children.set(head, { path: head, mode: '040000', type: 'tree', sha: treeSha(base ? `${base}/${head}` : head) });
        else children.set(head, { path: head, mode: '100644', type: 'blob', sha: blobSha(c), size: c.length });
      }
      return [200, { sha: ref, truncated: recursive, tree: [...children.values()] }];
    }
    if (method === 'GET' && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      const content = this.blobs.get(m[1]);
      if (!content) return [404, { message: 'Not Found' }];
      return [200, { sha: m[1], size: content.length, encoding: 'base64', content: content.toString('base64') }];
    }
    if (method === 'GET' && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const sha = resolveRef(url.searchParams.get('ref') ?? repo.defaultBranch);
      const content = sha ? repo.commits.get(sha)?.get(decodeURIComponent(m[1])) : undefined;
      if (!content) return [404, { message: 'Not Found' }];
      return [200, { type: 'file', encoding: 'base64', content: content.toString('base64'), path: m[1], size: content.length }];
    }
    if (method === 'GET' && (m = /^\/branches\/([^/]+)$/.exec(rest))) {
      const sha = repo.branches.get(decodeURIComponent(m[1]));
      return sha ? [200, { name: m[1], commit: { sha } }] : [404, { message: 'Branch not found' }];
    }
    if (method === 'GET' && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      // As GitHub answers: `permission` is the legacy level (maintain → write, triage → read), `role_name` the role.
      const role = repo.permissions.get(decodeURIComponent(m[1])) ?? 'read';
      const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
      return [200, { permission, role_name: role, user: { login: m[1] } }];
    }
    if (method === 'GET' && (m = /^\/commits\/([^/]+)\/pulls$/.exec(rest))) {
      const numbers = repo.commitPulls.get(m[1]) ?? [];
      return [200, repo.pulls.filter((p) => numbers.includes(p.number)).map((p) => pullJson(repo, p))];
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = repo.pulls.find((p) => p.number === Number(m![1]));
      return pull ? [200, pullJson(repo, pull)] : [404, { message: 'Not Found' }];
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const number = Number(m[1]);
      if (method === 'GET') return [200, repo.comments.filter((c) => c.issueNumber === number).map((c) => commentJson(repo, c))];
      if (method === 'POST') {
        const text = String(body.body ?? '');
        if (text.length > 65_536) return [422, { message: 'Validation Failed' }];
        const comment: MockComment = { id: this.nextId++, issueNumber: number, body: text, login: BOT, type: 'Bot', createdAt: new Date().toISOString(), edits: [] };
        repo.comments.push(comment);
        return [201, commentJson(repo, comment)];
      }
    }
    if (method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = repo.comments.find((c) => c.id === Number(m![1]));
      if (!comment) return [404, { message: 'Not Found' }];
      comment.body = String(body.body ?? '');
      (comment.edits ??= []).push({ editedAt: new Date().toISOString(), editor: BOT });
      return [200, commentJson(repo, comment)];
    }
    if (rest === '/issues') {
      if (method === 'GET') {
        const label = url.searchParams.get('labels');
        const list = repo.issues.filter((i) => !label || i.labels.includes(label)).sort((a, b) => b.number - a.number);
        return [200, list.map((i) => issueJson(repo, i))];
      }
      if (method === 'POST') {
        const issue: MockIssue = {
          number: 100 + repo.issues.length,
          title: String(body.title),
          body: String(body.body ?? ''),
          state: 'open',
          labels: (body.labels as string[] | undefined) ?? [],
        };
        repo.issues.push(issue);
        return [201, issueJson(repo, issue)];
      }
    }
    if (method === 'PATCH' && (m = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = repo.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return [404, { message: 'Not Found' }];
      if (typeof body.title === 'string') issue.title = body.title;
      if (typeof body.body === 'string') issue.body = body.body;
      if (body.state === 'open' || body.state === 'closed') issue.state = body.state;
      return [200, issueJson(repo, issue)];
    }
    if (method === 'POST' && rest === '/labels') {
      if (repo.labels.includes(String(body.name))) return [422, { message: 'Validation Failed', errors: [{ code: 'already_exists' }] }];
      repo.labels.push(String(body.name));
      return [201, { name: body.name }];
    }
    if (method === 'POST' && rest === '/check-runs') {
      const run: MockCheckRun = {
        id: this.nextId++,
        name: String(body.name),
        headSha: String(body.head_sha),
        status: String(body.status ?? 'queued'),
        conclusion: null,
        output: { annotations: [] },
        createdAt: this.requests.length - 1,
      };
      // A check run can be created already completed, with its output (up to 50 annotations).
      const output = body.output as MockCheckRun['output'] | undefined;
      if (output) {
        if ((output.annotations?.length ?? 0) > 50) return [422, { message: 'Only 50 annotations are allowed per request' }];
        if (Buffer.byteLength(output.summary ?? '') > 65_535 || Buffer.byteLength(output.text ?? '') > 65_535) return [422, { message: 'output too long' }];
        run.output = { ...output, annotations: [...(output.annotations ?? [])] };
      }
      if (typeof body.details_url === 'string') run.detailsUrl = body.details_url;
      if (typeof body.conclusion === 'string') {
        run.conclusion = body.conclusion;
        run.status = 'completed';
        run.completedAt = this.requests.length - 1;
      }
      repo.checkRuns.push(run);
      return [201, { id: run.id, html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}` }];
    }
    if (method === 'PATCH' && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = repo.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return [404, { message: 'Not Found' }];
      const output = body.output as MockCheckRun['output'] | undefined;
      if (output) {
        if ((output.annotations?.length ?? 0) > 50) return [422, { message: 'Only 50 annotations are allowed per request' }];
        // GitHub documents 65,535 characters but counts UTF-8 bytes ("summary exceeds a maximum bytesize of 65535").
        if (Buffer.byteLength(output.summary ?? '') > 65_535 || Buffer.byteLength(output.text ?? '') > 65_535) return [422, { message: 'output too long' }];
        run.output = { ...run.output, ...output, annotations: [...run.output.annotations, ...(output.annotations ?? [])] };
      }
      if (typeof body.details_url === 'string') run.detailsUrl = body.details_url;
      if (typeof body.status === 'string') run.status = body.status;
      if (typeof body.conclusion === 'string') {
        run.conclusion = body.conclusion;
        run.status = 'completed';
        run.completedAt = this.requests.length - 1;
      }
      return [200, { id: run.id, html_url: null }];
    }
    return [404, { message: `Not Found: ${method} ${path}` }];
  }

  /** The Authorization header of the request being answered. */
  lastAuth?: string;
}
