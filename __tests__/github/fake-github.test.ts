import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { takeViolations } from '../helpers/github-contract.js';

/** The fake answers like api.github.com, so the code tested against it works against GitHub. */
describe('fake GitHub API', () => {
  let fake: FakeGitHub;
  beforeEach(async () => {
    fake = await startFakeGitHub({ repos: [{ fullName: 'acme/infra', pulls: [{ number: 1 }] }] });
    fake.state.addComments('acme/infra', 1, 250);
  });
  afterEach(() => fake.close());

  const get = async (path: string) => {
    const res = await fetch(`${fake.url}${path}`, { headers: { accept: 'application/vnd.github+json' } });
    return { status: res.status, link: res.headers.get('link'), body: (await res.json()) as unknown };
  };

  it('pages with per_page (default 30, at most 100) and Link headers', async () => {
    const first = await get('/repos/acme/infra/issues/1/comments');
    expect((first.body as unknown[]).length).toBe(30);
    // As on GitHub, the links name the repository by id.
    const id = fake.state.repo('acme/infra').id;
    expect(first.link).toBe(
      `<${fake.url}/repositories/${id}/issues/1/comments?page=2>; rel="next", ` + `<${fake.url}/repositories/${id}/issues/1/comments?page=9>; rel="last"`,
    );
    const followed = await get(`/repositories/${id}/issues/1/comments?page=9`);
    expect((followed.body as Array<{ body: string }>).map((c) => c.body)).toEqual(Array.from({ length: 10 }, (_, i) => `comment ${241 + i}`));
    expect(fake.requests.at(-1)).toMatchObject({ url: `/repositories/${id}/issues/1/comments?page=9`, path: '/repos/acme/infra/issues/1/comments' });
    const middle = await get('/repos/acme/infra/issues/1/comments?per_page=500&page=2');
    expect((middle.body as unknown[]).length).toBe(100);
    expect(middle.link).toContain('page=1>; rel="prev"');
    expect(middle.link).toContain('page=3>; rel="next"');
    expect(middle.link).toContain('page=3>; rel="last"');
    expect(middle.link).toContain('page=1>; rel="first"');
    const last = await get('/repos/acme/infra/issues/1/comments?per_page=100&page=3');
    expect((last.body as Array<{ body: string }>).map((c) => c.body).at(-1)).toBe('comment 250');
    expect(last.link).not.toContain('rel="next"');
    const beyond = await get('/repos/acme/infra/issues/1/comments?per_page=100&page=4');
    expect(beyond.body).toEqual([]);
  });

  it('pages without `last` (and `first`) when asked, as GitHub does for lists it does not count', async () => {
    fake.state.linksWithoutLast = true;
    const middle = await get('/repos/acme/infra/issues/1/comments?per_page=100&page=2');
    expect(middle.link).toContain('page=1>; rel="prev"');
    expect(middle.link).toContain('page=3>; rel="next"');
    expect(middle.link).not.toContain('rel="last"');
    expect(middle.link).not.toContain('rel="first"');
  });

  it('answers errors the way GitHub does, and records requests', async () => {
    expect(await get('/repos/acme/other/issues/1/comments')).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    const res = await fetch(`${fake.url}/repos/acme/infra/labels`, { method: 'POST', body: JSON.stringify({ color: 'ffffff' }) });
    // What GitHub's schema refuses: 422 "Invalid request." and a contract violation this test expects.
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ message: expect.stringMatching(/^Invalid request\.\n\n.*must have required property 'name'/) });
    expect(takeViolations().map((v) => v.problem)).toEqual(["POST /repos/{owner}/{repo}/labels: request body: / must have required property 'name'"]);
    fake.state.fail({ method: 'GET', path: /\/comments$/, status: 503, times: 2 });
    expect((await get('/repos/acme/infra/issues/1/comments')).status).toBe(503);
    expect((await get('/repos/acme/infra/issues/1/comments')).status).toBe(503);
    expect((await get('/repos/acme/infra/issues/1/comments')).status).toBe(200);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/other/issues/1/comments',
      'POST /repos/acme/infra/labels',
      'GET /repos/acme/infra/issues/1/comments',
      'GET /repos/acme/infra/issues/1/comments',
      'GET /repos/acme/infra/issues/1/comments',
    ]);
    expect(fake.requests[1].body).toEqual({ color: 'ffffff' });
  });

  it('lists pull requests among issues and keeps one number sequence', async () => {
    const issue = fake.state.addIssue('acme/infra', { title: 'bug' });
    expect(issue.number).toBe(2);
    const { body } = await get('/repos/acme/infra/issues?state=all');
    expect((body as Array<{ number: number; pull_request?: unknown }>).map((i) => [i.number, Boolean(i.pull_request)])).toEqual([
      [2, false],
      [1, true],
    ]);
  });

  it('refuses a blank comment body and check-run output over 65,535 bytes with 422, as GitHub does', async () => {
    const send = (method: string, path: string, body: unknown) => fetch(`${fake.url}${path}`, { method, body: JSON.stringify(body) });
    expect((await send('POST', '/repos/acme/infra/issues/1/comments', { body: ' \n' })).status).toBe(422);
    const id = fake.state.commentsOn('acme/infra', 1)[0].id;
    expect((await send('PATCH', `/repos/acme/infra/issues/comments/${id}`, { body: '' })).status).toBe(422);
    const output = (summary: string) => ({ name: 'Charter', head_sha: 'a'.repeat(40), output: { title: 't', summary } });
    // 'é' is two bytes in UTF-8: 40,000 of them are within the character count but over the byte limit.
    expect((await send('POST', '/repos/acme/infra/check-runs', output('é'.repeat(40_000)))).status).toBe(422);
    const created = await send('POST', '/repos/acme/infra/check-runs', { ...output('fine'), status: 'in_progress' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ status: 'in_progress', started_at: expect.any(String), completed_at: null });
    expect(fake.state.repo('acme/infra').checkRuns).toHaveLength(1);
  });

  it('answers 422 for a commit the repository does not have, and lists the pull requests of one it has', async () => {
    const head = fake.state.repo('acme/infra').pulls[0].headSha;
    expect(await get(`/repos/acme/infra/commits/${head}/pulls`)).toMatchObject({ status: 200, body: [{ number: 1, merged_at: null }] });
    expect(await get(`/repos/acme/infra/commits/${'f'.repeat(40)}/pulls`)).toMatchObject({ status: 422, body: { message: `No commit found for SHA: ${'f'.repeat(40)}` } });
  });

  it("bumps an issue's updated_at when a comment or a label is added", async () => {
    const issue = fake.state.addIssue('acme/infra', { title: 'drift' });
    const before = issue.updatedAt;
    await fetch(`${fake.url}/repos/acme/infra/issues/${issue.number}/comments`, { method: 'POST', body: JSON.stringify({ body: 'still drifting' }) });
    const afterComment = issue.updatedAt;
    expect(afterComment > before).toBe(true);
    await fetch(`${fake.url}/repos/acme/infra/issues/${issue.number}/labels`, { method: 'POST', body: JSON.stringify({ labels: ['charter:drift'] }) });
    expect(issue.updatedAt > afterComment).toBe(true);
    const { body } = await get(`/repos/acme/infra/issues/${issue.number}`);
    expect(body).toMatchObject({ updated_at: issue.updatedAt, comments: 1, labels: [{ name: 'charter:drift', node_id: expect.any(String) }] });
  });

  it('accepts at most 50 annotations per check run request', async () => {
    const post = (count: number) =>
      fetch(`${fake.url}/repos/acme/infra/check-runs`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'Charter',
          head_sha: 'a'.repeat(40),
          output: {
            title: 't',
            summary: 's',
            annotations: Array.from({ length: count }, () => ({ path: 'a.yaml', start_line: 1, end_line: 1, annotation_level: 'warning', message: 'm' })),
          },
        }),
      });
    expect((await post(51)).status).toBe(422);
    expect(takeViolations().map((v) => v.problem)).toEqual(['POST /repos/{owner}/{repo}/check-runs: request body: /output/annotations must NOT have more than 50 items']);
    expect((await post(50)).status).toBe(201);
    expect(fake.state.repo('acme/infra').checkRuns[0].output.annotations).toHaveLength(50);
  });
});

/** The app's endpoints, as a GitHub Enterprise Server lays them out (what Probot's GHE_HOST points at). */
describe('fake GitHub API for a GitHub App', () => {
  let fake: FakeGitHub;
  const app = { id: 7, slug: 'charter-app', name: 'Charter', owner: 'acme' };
  const jwt = 'Bearer aaa.bbb.ccc';
  beforeEach(async () => {
    fake = await startFakeGitHub({ app, installations: { 1: 'acme', 2: 'paused' }, repos: [{ fullName: 'acme/infra', installation: 1 }, { fullName: 'acme/new', installation: 1, empty: true }] });
    fake.state.installations.get(2)!.suspendedAt = '2026-01-01T00:00:00Z';
    fake.state.commit('acme/infra', 'c'.repeat(40), new Map([['policies/a/b.yml', Buffer.from('x: 1\n')], ['README.md', Buffer.from('hi\n')]]), 'main');
  });
  afterEach(() => fake.close());

  const call = async (path: string, authorization?: string, method = 'GET') => {
    const res = await fetch(`${fake.url}/api/v3${path}`, { method, headers: authorization ? { authorization } : {} });
    return { status: res.status, link: res.headers.get('link'), body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('answers the app (JWT) and its installations (installation token), with links under /api/v3', async () => {
    expect((await call('/app')).status).toBe(401);
    expect((await call('/app', jwt)).body).toMatchObject({ id: 7, slug: 'charter-app' });
    const listed = await call('/app/installations?per_page=1', jwt);
    expect(listed.body.map((i: { id: number }) => i.id)).toEqual([1]);
    expect(listed.link).toContain(`<${fake.url}/api/v3/app/installations?per_page=1&page=2>; rel="next"`);
    expect((await call('/app/installations/2/access_tokens', jwt, 'POST')).status).toBe(403);
    const token = await call('/app/installations/1/access_tokens', jwt, 'POST');
    expect(token.status).toBe(201);
    const repos = await call('/installation/repositories', `token ${token.body.token as string}`);
    expect(repos.body.repositories.map((r: { full_name: string }) => r.full_name)).toEqual(['acme/infra', 'acme/new']);
    expect((await call('/installation/repositories', 'token ghs_other')).status).toBe(401);
    expect(fake.requests.at(-1)).toMatchObject({ url: '/api/v3/installation/repositories', path: '/installation/repositories' });
  });

  it('answers contents, branches, permissions and trees (one level, sub-trees, recursive, truncated, empty)', async () => {
    const file = await call('/repos/acme/infra/contents/README.md?ref=main');
    expect(Buffer.from(file.body.content as string, 'base64').toString()).toBe('hi\n');
    expect((await call('/repos/acme/infra/branches/main')).body.commit.sha).toBe('c'.repeat(40));
    expect((await call('/repos/acme/infra/branches/gone')).status).toBe(404);
    fake.state.repo('acme/infra').permissions.set('maint', 'maintain');
    expect((await call('/repos/acme/infra/collaborators/maint/permission')).body).toMatchObject({ permission: 'write', role_name: 'maintain' });
    const root = await call(`/repos/acme/infra/git/trees/${'c'.repeat(40)}`);
    expect(root.body.tree.map((e: { path: string; type: string }) => `${e.type} ${e.path}`)).toEqual(['tree policies', 'blob README.md']);
    const policies = await call(`/repos/acme/infra/git/trees/${root.body.tree[0].sha as string}`);
    expect(policies.body.tree.map((e: { path: string }) => e.path)).toEqual(['a']);
    const whole = await call('/repos/acme/infra/git/trees/main?recursive=1');
    expect(whole.body.tree.map((e: { path: string }) => e.path)).toEqual(['README.md', 'policies', 'policies/a', 'policies/a/b.yml']);
    fake.state.truncateRecursiveTrees = true;
    expect((await call('/repos/acme/infra/git/trees/main?recursive=1')).body).toMatchObject({ truncated: true, tree: [{ path: 'policies' }, { path: 'README.md' }] });
    expect((await call('/repos/acme/new/git/trees/main?recursive=1')).status).toBe(409);
    expect((await call('/repos/acme/new/contents/README.md')).status).toBe(404);
  });
});
