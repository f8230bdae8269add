import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Annotation } from '../../src/github/annotations.js';
import { CHECK_OUTPUT_LIMIT, completeCheckRun, MAX_ANNOTATIONS, startCheckRun, truncateBytes } from '../../src/github/check-run.js';
import { createGitHub } from '../../src/github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const REPO = { owner: 'acme', repo: 'infra' };

function annotations(n: number): Annotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: 'policies/a.yml',
    startLine: i + 1,
    startColumn: 3,
    level: 'failure' as const,
    title: `Error ${i}`,
    message: `problem ${i}`,
  }));
}

describe('check runs', () => {
  let fake: FakeGitHub;
  beforeEach(async () => {
    fake = await startFakeGitHub({ token: 't', repos: [{ fullName: 'acme/infra' }] });
  });
  afterEach(() => fake.close());
  const gh = () => createGitHub({ token: 't', baseUrl: fake.url });

  it('starts in progress and completes with every annotation, at most 50 per request, the conclusion last', async () => {
    const run = await startCheckRun(gh(), REPO, 'Charter plan', 'a'.repeat(40));
    expect(fake.state.repo('acme/infra').checkRuns[0]).toMatchObject({ name: 'Charter plan', status: 'in_progress', conclusion: null });
    await completeCheckRun(gh(), REPO, run.id, { conclusion: 'failure', title: '120 errors', summary: 'sum', text: 'text', annotations: annotations(120) });
    const stored = fake.state.repo('acme/infra').checkRuns[0];
    expect(stored.conclusion).toBe('failure');
    expect(stored.output.annotations).toHaveLength(120);
    expect((stored.output.annotations[119] as { start_line: number }).start_line).toBe(120);
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => ((p.body as { output: { annotations?: unknown[] } }).output.annotations ?? []).length)).toEqual([50, 50, 20]);
    expect(patches.map((p) => (p.body as { conclusion?: string }).conclusion)).toEqual([undefined, undefined, 'failure']);
  });

  it('keeps summary and text within 65,535 characters and caps the annotations it sends', async () => {
    const run = await startCheckRun(gh(), REPO, 'Charter plan', 'b'.repeat(40));
    await completeCheckRun(gh(), REPO, run.id, {
      conclusion: 'success',
      title: 'x',
      summary: 's'.repeat(100_000),
      text: 't'.repeat(70_000),
      annotations: annotations(MAX_ANNOTATIONS + 5),
    });
    const stored = fake.state.repo('acme/infra').checkRuns[0];
    expect(stored.output.summary!.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(stored.output.text!.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(stored.output.text).toMatch(/more characters\)$/);
    expect(stored.output.annotations).toHaveLength(MAX_ANNOTATIONS);
    const last = fake.requests.filter((r) => r.method === 'PATCH').at(-1)!.body as { output: { summary: string } };
    expect(last.output.summary.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(last.output.summary).toMatch(/5 more annotation\(s\) not shown\.$/);
  });

  it('counts the output limit in UTF-8 bytes, as GitHub enforces it ("maximum bytesize of 65535")', async () => {
    const run = await startCheckRun(gh(), REPO, 'Charter plan', 'd'.repeat(40));
    // 40,000 characters, 120,000 bytes: under the limit in characters, far over it in bytes.
    await completeCheckRun(gh(), REPO, run.id, { conclusion: 'success', title: 'x', summary: '→'.repeat(40_000), text: '😀'.repeat(20_000), annotations: annotations(51) });
    const patches = fake.requests.filter((r) => r.method === 'PATCH').map((p) => p.body as { output: { summary: string; text?: string } });
    for (const p of patches) expect(Buffer.byteLength(p.output.summary)).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    const text = patches.at(-1)!.output.text!;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(text).toMatch(/^😀+… \(\d+ more characters\)$/u); // never half a character
  });

  it('truncateBytes keeps whole characters and fits the byte budget', () => {
    expect(truncateBytes('abc', 3)).toBe('abc');
    for (const max of [40, 41, 42, 43, 100]) {
      const out = truncateBytes(`${'é😀'.repeat(50)}`, max);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
      expect(out).toMatch(/more characters\)$/);
    }
  });

  it('completes without annotations in one request', async () => {
    const run = await startCheckRun(gh(), REPO, 'Charter apply', 'c'.repeat(40));
    await completeCheckRun(gh(), REPO, run.id, { conclusion: 'success', title: 'Nothing to apply', summary: 'ok', detailsUrl: 'https://github.com/acme/infra/pull/1' });
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0].body).toMatchObject({ status: 'completed', conclusion: 'success', details_url: 'https://github.com/acme/infra/pull/1' });
  });
});
