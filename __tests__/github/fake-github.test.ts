import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

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
    expect(first.link).toBe(
      `<${fake.url}/repos/acme/infra/issues/1/comments?per_page=30&page=2>; rel="next", ` +
        `<${fake.url}/repos/acme/infra/issues/1/comments?per_page=30&page=9>; rel="last"`,
    );
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

  it('answers errors the way GitHub does, and records requests', async () => {
    expect(await get('/repos/acme/other/issues/1/comments')).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    const res = await fetch(`${fake.url}/repos/acme/infra/labels`, { method: 'POST', body: JSON.stringify({ color: 'ffffff' }) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'Label', field: 'name', code: 'missing_field' }],
    });
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

  it('accepts at most 50 annotations per check run request', async () => {
    const post = (count: number) =>
      fetch(`${fake.url}/repos/acme/infra/check-runs`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'Charter',
          head_sha: 'a'.repeat(40),
          output: { title: 't', summary: 's', annotations: Array.from({ length: count }, () => ({ path: 'a.yaml' })) },
        }),
      });
    expect((await post(51)).status).toBe(422);
    expect((await post(50)).status).toBe(201);
    expect(fake.state.repo('acme/infra').checkRuns[0].output.annotations).toHaveLength(50);
  });
});
