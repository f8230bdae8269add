import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Probot } from 'probot';
import { CheckRunProgress, type ProgressOutput } from '../../src/app/apply-progress.js';
import type { CharterApp } from '../../src/app/app.js';
import type { Change } from '../../src/core/plan.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startExampleSandbox } from '../helpers/aws.js';
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import { BASE_SHA, checkRuns, fixturePolicies, loadApp, pullRequestEvent, pushEvent, REPO, sha, startGitHub, testConfig } from './harness.js';

const change = (n: number) => ({ address: `email/p/route53/TXT/r${n}.`, title: `TXT r${n}.`, action: 'create' }) as Change;

describe('CheckRunProgress', () => {
  afterEach(() => vi.useRealTimers());

  it('writes at most once per interval, the first an interval after the start, always the latest state, nothing after stop', async () => {
    vi.useFakeTimers();
    const writes: Array<{ at: number; output: ProgressOutput }> = [];
    const progress = new CheckRunProgress(async (output) => void writes.push({ at: Date.now(), output }), { intervalMs: 10_000 });
    const start = Date.now();
    for (let i = 0; i < 5; i++) progress.onEvent({ type: 'start', change: change(i) });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes.map((w) => w.at - start)).toEqual([10_000]);
    expect(writes[0].output.title).toBe('Applying: 0 change(s) ended (0 applied, 0 failed), 5 running');
    // A burst of ends right after a write: one more write, 10 s after the previous one, with all of them.
    for (let i = 0; i < 4; i++) progress.onEvent({ type: 'end', change: change(i), result: { address: change(i).address, status: 'applied' } });
    progress.onEvent({ type: 'end', change: change(4), result: { address: change(4).address, status: 'failed', error: 'Throttling: ```rate``` exceeded' } });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes.map((w) => w.at - start)).toEqual([10_000, 20_000]);
    expect(writes[1].output.title).toBe('Applying: 5 change(s) ended (4 applied, 1 failed), 0 running');
    expect(writes[1].output.summary).toContain('✓ TXT r0.: applied in');
    // The error's backticks cannot close the code block.
    expect(writes[1].output.summary).toContain('````text\n');
    // Nothing new: no write. An event then stop: the pending write is dropped.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(writes).toHaveLength(2);
    progress.onEvent({ type: 'waiting', change: change(9), elapsedMs: 40_000 });
    await progress.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(writes).toHaveLength(2);
  });
});

let sandbox: Sandbox;
let github: FakeGitHub;
let repo: FakeRepo;
let probot: Probot;
let charter: CharterApp;
const PROGRESS_MS = 400;

describe('the GitHub App: apply progress on the check run', () => {
  beforeEach(async () => {
    sandbox = await startExampleSandbox();
    github = await startGitHub();
    repo = github.state.repo(REPO);
    // The 10 s spacing shortened for the test, as only the harness can.
    ({ probot, charter } = await loadApp(testConfig(sandbox, { applyProgressMs: PROGRESS_MS }), github));
  });
  afterEach(async () => {
    await charter.stop();
    await github.close();
    await sandbox.close();
  });

  it('rewrites the in-progress summary while the apply runs, at most once per interval, before completing it', async () => {
    github.state.commit(REPO, sha(7), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]));
    github.state.addPull(REPO, { number: 7, headSha: sha(7), labels: ['charter:allow-destructive'] });
    await probot.receive({ id: 'plan-7', name: 'pull_request', payload: pullRequestEvent('opened', { number: 7, headSha: sha(7), labels: ['charter:allow-destructive'] }) } as never);
    await charter.drained();
    github.state.commit(REPO, sha(70), repo.files.get(sha(7))!, 'master');
    Object.assign(repo.pulls[0], { state: 'closed', mergeCommitSha: sha(70), mergedAt: github.state.tick() });
    github.state.associate(REPO, sha(70), 7);
    // Route 53 changes stay PENDING for 2 s: several intervals pass during the apply.
    sandbox.state.settings.route53.changeInsyncAfterPolls = 1_000_000;
    sandbox.state.settings.route53.changeInsyncAfterMs = 2_000;
    const at = new Map<unknown, number>();
    github.onRequest = (r) => at.set(r, performance.now());
    await probot.receive({ id: 'push-70', name: 'push', payload: pushEvent(sha(70)) } as never);
    await charter.drained();

    const [run] = checkRuns(github, 'Charter apply');
    expect(run.conclusion).toBe('success');
    expect(run.output.title).toMatch(/^Applied \d+ change/);
    const created = github.requests.find((r) => r.method === 'POST' && r.path.endsWith('/check-runs') && (r.body as { name: string }).name === 'Charter apply')!;
    const updates = github.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/check-runs/${run.id}`));
    const progress = updates.filter((r) => (r.body as { status?: string }).status === undefined);
    const completion = updates.find((r) => (r.body as { status?: string }).status === 'completed')!;
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const p of progress) {
      const output = (p.body as { output: { title: string; summary: string } }).output;
      expect(output.title).toMatch(/^Applying: \d+ change\(s\) ended \(\d+ applied, \d+ failed\), \d+ running$/);
      expect(output.summary).toMatch(/… TXT [^\n]+ started/);
    }
    // Spaced by the interval (timers may fire a little late, never early), all before the completion.
    const times = [at.get(created)!, ...progress.map((p) => at.get(p)!)];
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(PROGRESS_MS - 5);
    expect(github.requests.indexOf(progress[progress.length - 1])).toBeLessThan(github.requests.indexOf(completion));
  }, 60_000);
});
