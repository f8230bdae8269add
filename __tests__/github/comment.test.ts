import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/core/render/index.js';
import { createGitHub, type GitHub } from '../../src/github/client.js';
import { findStickyComment, upsertStickyComment } from '../../src/github/comment.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const repo = { owner: 'acme', repo: 'infra' };
const PR = 7;

describe('sticky comment', () => {
  let fake: FakeGitHub;
  let gh: GitHub;

  beforeEach(async () => {
    fake = await startFakeGitHub({
      token: 'test-token',
      repos: [{ fullName: 'acme/infra', pulls: [{ number: PR, title: 'Add MTA-STS' }] }],
    });
    gh = createGitHub({ token: 'test-token', baseUrl: fake.url, retryAfterBaseMs: 10 });
  });
  afterEach(() => fake.close());

  const listCalls = () => fake.requests.filter((r) => r.method === 'GET' && r.path === `/repos/acme/infra/issues/${PR}/comments`);

  it('finds the marker comment on page 3 of 250 and updates it in place', async () => {
    fake.state.addComments('acme/infra', PR, 220);
    const sticky = fake.state.addComment('acme/infra', PR, `${COMMENT_MARKER}\nold plan`, 'github-actions[bot]');
    fake.state.addComments('acme/infra', PR, 29, (i) => `later comment ${i}`);
    expect(fake.state.commentsOn('acme/infra', PR)).toHaveLength(250);

    const found = await findStickyComment(gh, repo, PR);
    expect(found).toMatchObject({ id: sticky.id, author: 'github-actions[bot]', body: `${COMMENT_MARKER}\nold plan` });
    // Page 1 for the Link header, then straight to the last page, where the comment is.
    expect(listCalls().map((r) => [r.query.per_page, r.query.page])).toEqual([
      ['100', '1'],
      ['100', '3'],
    ]);

    const result = await upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nnew plan`);
    expect(result).toMatchObject({ id: sticky.id, created: false, updated: true });
    const comments = fake.state.commentsOn('acme/infra', PR);
    expect(comments).toHaveLength(250);
    expect(comments.filter((c) => c.body.startsWith(COMMENT_MARKER))).toHaveLength(1);
    expect(comments.find((c) => c.id === sticky.id)?.body).toBe(`${COMMENT_MARKER}\nnew plan`);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    const patch = fake.requests.find((r) => r.method === 'PATCH');
    expect(patch).toMatchObject({
      path: `/repos/acme/infra/issues/comments/${sticky.id}`,
      body: { body: `${COMMENT_MARKER}\nnew plan` },
    });
    expect(patch?.headers.authorization).toBe('token test-token');
  });

  it('walks back to the first page when the comment is old, and returns the newest of several', async () => {
    const older = fake.state.addComment('acme/infra', PR, `${COMMENT_MARKER}\nfirst`, 'github-actions[bot]');
    const newer = fake.state.addComment('acme/infra', PR, `${COMMENT_MARKER}\nsecond`, 'github-actions[bot]');
    fake.state.addComments('acme/infra', PR, 248);
    const found = await findStickyComment(gh, repo, PR);
    expect(found?.id).toBe(newer.id);
    expect(found?.id).not.toBe(older.id);
    expect(listCalls().map((r) => r.query.page)).toEqual(['1', '3', '2']);
  });

  it('without a `last` link (GitHub omits it for lists it does not count), walks forward and keeps the newest', async () => {
    fake.state.linksWithoutLast = true;
    fake.state.addComment('acme/infra', PR, `${COMMENT_MARKER}\nfirst`, 'github-actions[bot]');
    fake.state.addComments('acme/infra', PR, 120);
    const newer = fake.state.addComment('acme/infra', PR, `${COMMENT_MARKER}\nsecond`, 'github-actions[bot]');
    fake.state.addComments('acme/infra', PR, 100);
    const found = await findStickyComment(gh, repo, PR);
    expect(found).toMatchObject({ id: newer.id, body: `${COMMENT_MARKER}\nsecond` });
    expect(listCalls().map((r) => r.query.page)).toEqual(['1', '2', '3']);
  });

  it('creates the comment once, then updates it; an unchanged body is not written again', async () => {
    fake.state.addComments('acme/infra', PR, 3);
    const first = await upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nplan A`);
    expect(first.created).toBe(true);
    const second = await upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nplan B`);
    expect(second).toMatchObject({ id: first.id, created: false, updated: true });
    const third = await upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nplan B`);
    expect(third).toMatchObject({ id: first.id, created: false, updated: false });
    expect(fake.state.commentsOn('acme/infra', PR)).toHaveLength(4);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('only counts comments that start with the marker, and can be limited to given authors', async () => {
    const ours = fake.state.addComment('acme/infra', PR, `${COMMENT_MARKER}\nplan`, 'github-actions[bot]');
    fake.state.addComment('acme/infra', PR, `Why is there a \`${COMMENT_MARKER}\` in the bot's comment?`, 'alice');
    const forged = fake.state.addComment('acme/infra', PR, `${COMMENT_MARKER}\nforged`, 'mallory');
    expect((await findStickyComment(gh, repo, PR))?.id).toBe(forged.id);
    expect((await findStickyComment(gh, repo, PR, { authors: ['github-actions[bot]'] }))?.id).toBe(ours.id);
  });

  it('returns undefined when there is no comment, and refuses bodies GitHub would reject', async () => {
    fake.state.addComments('acme/infra', PR, 120);
    expect(await findStickyComment(gh, repo, PR)).toBeUndefined();
    await expect(upsertStickyComment(gh, repo, PR, 'no marker')).rejects.toThrow(/must start with/);
    await expect(upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\n${'x'.repeat(70_000)}`)).rejects.toThrow(/65536/);
    expect(fake.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('surfaces API errors that outlast the retries', async () => {
    fake.state.fail({ method: 'GET', path: `/repos/acme/infra/issues/${PR}/comments`, status: 502, message: 'Bad Gateway', times: 4 });
    await expect(findStickyComment(gh, repo, PR)).rejects.toMatchObject({ status: 502 });
    expect(listCalls()).toHaveLength(4); // the first try and 3 retries
    const wrong = createGitHub({ token: 'wrong', baseUrl: fake.url });
    await expect(findStickyComment(wrong, repo, PR)).rejects.toMatchObject({ status: 401 });
  });

  it('retries a 5xx on the comment write, and the comment is written once', async () => {
    fake.state.fail({ method: 'POST', path: `/repos/acme/infra/issues/${PR}/comments`, status: 502, message: 'Bad Gateway', times: 2 });
    const result = await upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nplan`);
    expect(result.created).toBe(true);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    expect(fake.state.commentsOn('acme/infra', PR).map((c) => c.body)).toEqual([`${COMMENT_MARKER}\nplan`]);
  });

  it('waits the retry-after of a secondary rate limit (403) and retries the write', async () => {
    const existing = await upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nv1`);
    fake.state.fail({
      method: 'PATCH',
      path: `/repos/acme/infra/issues/comments/${existing.id}`,
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '1' },
    });
    const started = Date.now();
    const result = await upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nv2`);
    expect(result.updated).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(fake.state.commentsOn('acme/infra', PR).map((c) => c.body)).toEqual([`${COMMENT_MARKER}\nv2`]);
  });

  it('does not sit out a rate limit that resets far away', async () => {
    fake.state.fail({
      method: 'POST',
      path: `/repos/acme/infra/issues/${PR}/comments`,
      status: 403,
      message: 'You have exceeded a secondary rate limit.',
      headers: { 'retry-after': '3600' },
    });
    await expect(upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nplan`)).rejects.toMatchObject({ status: 403 });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('does not retry a 4xx that a retry cannot change', async () => {
    fake.state.fail({ method: 'POST', path: `/repos/acme/infra/issues/${PR}/comments`, status: 422, message: 'Validation Failed' });
    await expect(upsertStickyComment(gh, repo, PR, `${COMMENT_MARKER}\nplan`)).rejects.toMatchObject({ status: 422 });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});
