/**
 * Full JSON shapes of GitHub's REST resources as api.github.com sends them, for the loopback fake: every
 * field GitHub's OpenAPI description marks required (the contract check in github-contract.ts holds the
 * fake to it), with URLs under the fake's base URL the way GitHub builds them under https://api.github.com.
 */
import { createHash } from 'node:crypto';

/** A stable number for a name (user, label, installation account ids). */
export function stableId(text: string, seed = 7): number {
  return [...text].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1_000_000, seed);
}

/** A node id as GitHub prints them: a type prefix and an opaque suffix. */
export function nodeId(prefix: string, ...parts: Array<string | number>): string {
  return `${prefix}_${createHash('sha1').update(parts.join(':')).digest('base64url').slice(0, 16)}`;
}

export interface Urls {
  /** The API's base URL (the fake's own). */
  api: string;
  /** The web UI's base URL. */
  web: string;
}

export function simpleUser(u: Urls, login: string, type = login.endsWith('[bot]') ? 'Bot' : 'User') {
  const id = stableId(login);
  const api = `${u.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId(type === 'Bot' ? 'BOT' : type === 'Organization' ? 'O' : 'U', login),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${u.web}/${encodeURIComponent(login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export interface RepoInfo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  createdAt: string;
  pushedAt: string;
}

/** A repository (`repository`; with `full` the `full-repository` of GET /repos/{owner}/{repo}). */
export function repository(u: Urls, r: RepoInfo, full = false) {
  const api = `${u.api}/repos/${r.owner}/${r.name}`;
  const html = `${u.web}/${r.owner}/${r.name}`;
  const host = new URL(u.web).host;
  return {
    id: r.id,
    node_id: nodeId('R', r.id),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: simpleUser(u, r.owner, 'Organization'),
    private: r.private,
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${r.owner}/${r.name}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${r.owner}/${r.name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: r.defaultBranch,
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushedAt,
    created_at: r.createdAt,
    updated_at: r.pushedAt,
    license: null,
    allow_forking: true,
    web_commit_signoff_required: false,
    ...(full ? { network_count: 0, subscribers_count: 0 } : {}),
  };
}

export interface LabelInfo {
  name: string;
  color: string;
  description: string | null;
}

export function label(u: Urls, repo: RepoInfo, l: LabelInfo) {
  const id = stableId(`${repo.id}:${l.name.toLowerCase()}`, 11);
  return {
    id,
    node_id: nodeId('LA', id),
    url: `${u.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    description: l.description,
    default: false,
  };
}

const reactions = (url: string) => ({ url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 });

/** The GitHub App that performed an action (`integration`), e.g. github-actions for the workflow token. */
export function integration(u: Urls, app: { id: number; slug: string; name: string; owner: string }) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('A', app.id),
    client_id: `Iv1.${createHash('sha1').update(app.slug).digest('hex').slice(0, 16)}`,
    owner: simpleUser(u, app.owner, 'Organization'),
    name: app.name,
    description: null,
    external_url: `https://${app.slug}.example`,
    html_url: `${u.web}/apps/${app.slug}`,
    created_at: '2019-01-01T00:00:00Z',
    updated_at: '2019-01-01T00:00:00Z',
    permissions: { checks: 'write', contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'write' },
    events: ['check_run', 'issue_comment', 'pull_request', 'push'],
  };
}

export interface CommentInfo {
  id: number;
  issueNumber: number;
  body: string;
  login: string;
  type: string;
  createdAt: string;
  updatedAt: string;
  app?: { id: number; slug: string };
}

export function issueComment(u: Urls, repo: RepoInfo, c: CommentInfo) {
  const api = `${u.api}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/issues/comments/${c.id}`;
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url,
    html_url: `${u.web}/${repo.owner}/${repo.name}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${c.issueNumber}`,
    body: c.body,
    user: simpleUser(u, c.login, c.type),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: c.type === 'Bot' ? 'NONE' : 'MEMBER',
    performed_via_github_app: c.app ? integration(u, { ...c.app, name: c.app.slug, owner: 'github' }) : null,
    reactions: reactions(url),
  };
}

export interface IssueInfo {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: LabelInfo[];
  login: string;
  type: string;
  comments: number;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Set for a pull request listed as an issue. */
  pull?: { mergedAt: string | null };
}

export function issue(u: Urls, repo: RepoInfo, i: IssueInfo) {
  const api = `${u.api}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/issues/${i.number}`;
  const html = `${u.web}/${repo.owner}/${repo.name}`;
  return {
    id: i.number + repo.id * 10_000,
    node_id: nodeId(i.pull ? 'PR' : 'I', repo.id, i.number),
    url,
    repository_url: api,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${html}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: simpleUser(u, i.login, i.type),
    labels: i.labels.map((l) => label(u, repo, l)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments,
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_by: null,
    author_association: 'MEMBER',
    ...(i.pull
      ? {
          draft: false,
          pull_request: {
            url: `${api}/pulls/${i.number}`,
            html_url: `${html}/pull/${i.number}`,
            diff_url: `${html}/pull/${i.number}.diff`,
            patch_url: `${html}/pull/${i.number}.patch`,
            merged_at: i.pull.mergedAt,
          },
        }
      : {}),
    reactions: reactions(url),
  };
}

export interface PullInfo {
  number: number;
  title: string;
  state: 'open' | 'closed';
  labels: LabelInfo[];
  login: string;
  type: string;
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  createdAt: string;
  updatedAt: string;
  comments: number;
}

/** A pull request: `pull-request-simple` in lists, with `full` the `pull-request` of GET …/pulls/{n}. */
export function pullRequest(u: Urls, repo: RepoInfo, p: PullInfo, full = false) {
  const api = `${u.api}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/pulls/${p.number}`;
  const html = `${u.web}/${repo.owner}/${repo.name}/pull/${p.number}`;
  const closedAt = p.state === 'closed' ? (p.mergedAt ?? p.updatedAt) : null;
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: simpleUser(u, repo.owner, 'Organization'),
    repo: repository(u, repo),
  });
  return {
    url,
    id: p.number + repo.id * 10_000,
    node_id: nodeId('PR', repo.id, p.number),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${p.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${p.number}/comments`,
    statuses_url: `${api}/statuses/${p.headSha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: simpleUser(u, p.login, p.type),
    body: null,
    labels: p.labels.map((l) => label(u, repo, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(p.headRef, p.headSha),
    base: side(p.baseRef, p.baseSha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: `${api}/issues/${p.number}` },
      comments: { href: `${api}/issues/${p.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${p.headSha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: false,
    ...(full
      ? {
          merged: p.mergedAt !== null,
          mergeable: p.state === 'open' ? true : null,
          rebaseable: p.state === 'open' ? true : null,
          mergeable_state: p.state === 'open' ? 'clean' : 'unknown',
          merged_by: p.mergedAt ? simpleUser(u, p.login, p.type) : null,
          comments: p.comments,
          review_comments: 0,
          maintainer_can_modify: false,
          commits: 1,
          additions: 1,
          deletions: 0,
          changed_files: 1,
        }
      : {}),
  };
}

export interface CheckRunInfo {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title?: string; summary?: string; text?: string; annotations: Array<Record<string, unknown>> };
  app: { id: number; slug: string; name: string; owner: string };
}

export function checkRun(u: Urls, repo: RepoInfo, r: CheckRunInfo) {
  const api = `${u.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: r.id,
    node_id: nodeId('CR', r.id),
    head_sha: r.headSha,
    external_id: r.externalId ?? '',
    url: `${api}/check-runs/${r.id}`,
    html_url: `${u.web}/${repo.owner}/${repo.name}/runs/${r.id}`,
    details_url: r.detailsUrl ?? `${u.web}/${repo.owner}/${repo.name}/runs/${r.id}`,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.startedAt,
    completed_at: r.completedAt,
    output: {
      title: r.output.title ?? null,
      summary: r.output.summary ?? null,
      text: r.output.text ?? null,
      annotations_count: r.output.annotations.length,
      annotations_url: `${api}/check-runs/${r.id}/annotations`,
    },
    name: r.name,
    check_suite: { id: stableId(r.headSha, 13) },
    app: integration(u, r.app),
    pull_requests: [],
  };
}

export function basicError(status: number, message: string, errors?: unknown[]) {
  return {
    message,
    ...(errors ? { errors } : {}),
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  };
}

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
  owner: string;
}

export interface InstallationInfo {
  id: number;
  account: string;
  app: AppInfo;
  suspendedAt: string | null;
}

/** An installation of a GitHub App (GET /app/installations). */
export function installation(u: Urls, i: InstallationInfo) {
  const app = integration(u, i.app);
  const account = simpleUser(u, i.account, 'Organization');
  return {
    id: i.id,
    account,
    repository_selection: 'all',
    access_tokens_url: `${u.api}/app/installations/${i.id}/access_tokens`,
    repositories_url: `${u.api}/installation/repositories`,
    html_url: `${u.web}/organizations/${i.account}/settings/installations/${i.id}`,
    app_id: i.app.id,
    app_slug: i.app.slug,
    target_id: account.id,
    target_type: 'Organization',
    permissions: app.permissions,
    events: app.events,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: i.suspendedAt ? simpleUser(u, i.account) : null,
    suspended_at: i.suspendedAt,
  };
}

/** An installation access token (POST /app/installations/{id}/access_tokens). */
export function installationToken(token: string, expiresAt: string, app: AppInfo, u: Urls) {
  return { token, expires_at: expiresAt, permissions: integration(u, app).permissions, repository_selection: 'all' };
}

/** A commit (`commit`, as GET /repos/{owner}/{repo}/branches/{branch} embeds it). */
export function commit(u: Urls, repo: RepoInfo, sha: string, date: string) {
  const api = `${u.api}/repos/${repo.owner}/${repo.name}`;
  const person = { name: repo.owner, email: `${repo.owner}@users.noreply.github.com`, date };
  const tree = createHash('sha1').update(`tree:${sha}`).digest('hex');
  return {
    url: `${api}/commits/${sha}`,
    sha,
    node_id: nodeId('C', repo.id, sha),
    html_url: `${u.web}/${repo.owner}/${repo.name}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: person,
      committer: person,
      message: 'A commit',
      comment_count: 0,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
    },
    author: simpleUser(u, repo.owner),
    committer: simpleUser(u, repo.owner),
    parents: [],
  };
}

/** A branch with its head commit (`branch-with-protection`). */
export function branch(u: Urls, repo: RepoInfo, name: string, sha: string, date: string) {
  const url = `${u.api}/repos/${repo.owner}/${repo.name}/branches/${encodeURIComponent(name)}`;
  return {
    name,
    commit: commit(u, repo, sha, date),
    _links: { html: `${u.web}/${repo.owner}/${repo.name}/tree/${encodeURIComponent(name)}`, self: url },
    protected: false,
    protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
    protection_url: `${url}/protection`,
  };
}

/** A file (`content-file`, GET /repos/{owner}/{repo}/contents/{path}). */
export function contentFile(u: Urls, repo: RepoInfo, path: string, ref: string, sha: string, content: Buffer) {
  const api = `${u.api}/repos/${repo.owner}/${repo.name}`;
  const self = `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${u.web}/${repo.owner}/${repo.name}/blob/${encodeURIComponent(ref)}/${path}`;
  const git = `${api}/git/blobs/${sha}`;
  return {
    type: 'file',
    encoding: 'base64',
    size: content.length,
    name: path.split('/').pop() ?? path,
    path,
    // GitHub wraps the base64 at 60 characters.
    content: `${content.toString('base64').replace(/.{60}/g, '$&\n')}\n`,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: `https://raw.githubusercontent.com/${repo.owner}/${repo.name}/${encodeURIComponent(ref)}/${path}`,
    _links: { self, git, html },
  };
}

/** A collaborator's permission (`repository-collaborator-permission`): `permission` is the legacy level. */
export function collaboratorPermission(u: Urls, login: string, role: string) {
  const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  const at = (level: string) => ['read', 'triage', 'write', 'maintain', 'admin'].indexOf(role) >= ['read', 'triage', 'write', 'maintain', 'admin'].indexOf(level);
  return {
    permission,
    role_name: role,
    user: {
      ...simpleUser(u, login),
      permissions: { pull: at('read'), triage: at('triage'), push: at('write'), maintain: at('maintain'), admin: at('admin') },
      role_name: role,
    },
  };
}
