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
