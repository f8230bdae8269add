/**
 * The per-repository lock every replica shares (REDIS_URL), against a real redis-server: mutual exclusion
 * between two lock clients, tokens that grow with each acquisition, a lost lock stopping the writer, and two
 * app instances racing a plan against an apply.
 */
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { LockLostError, RedisLock } from '../../src/app/lock.js';
import { parseMeta } from '../../src/core/plan-meta.js';
import { startExampleSandbox } from '../helpers/aws.js';
import { redisForFile } from '../helpers/redis.js';
import { BASE_SHA, checkRuns, fixturePolicies, loadApp, pullRequestEvent, pushEvent, REPO, sha, startGitHub, testConfig } from './harness.js';

const testRedis = redisForFile('the Redis lock tests');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Redis lock', () => {
  it('lets one holder in at a time across clients, with growing fencing tokens', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const prefix = `t1-${Date.now()}:`;
    const a = RedisLock.connect(redis.url, { prefix });
    const b = RedisLock.connect(redis.url, { prefix });
    try {
      const log: string[] = [];
      const tokens: number[] = [];
      const task = (name: string) => async (fence: () => Promise<void>, token: number) => {
        tokens.push(token);
        log.push(`${name} start`);
        await sleep(50);
        await fence();
        log.push(`${name} end`);
      };
      await Promise.all([a.run('acme/mail', task('a1')), b.run('acme/mail', task('b1')), a.run('acme/mail', task('a2')), b.run('acme/mail', task('b2'))]);
      for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i].replace('start', 'end'));
      expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
      expect(new Set(tokens).size).toBe(4);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a holder whose lock expired and was taken over is stopped by the fence', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const prefix = `t2-${Date.now()}:`;
    const a = RedisLock.connect(redis.url, { prefix, ttlMs: 300 });
    const b = RedisLock.connect(redis.url, { prefix, ttlMs: 300 });
    const admin = new Redis(redis.url);
    try {
      let taken = 0;
      const first = a.run('acme/mail', async (fence, token) => {
        // A long pause (GC, a frozen VM): the lock expires and another replica takes it meanwhile.
        await admin.del(`${prefix}lock:acme/mail`);
        taken = await b.run('acme/mail', async (_fence, newer) => newer);
        expect(taken).toBeGreaterThan(token);
        await fence();
      });
      await expect(first).rejects.toBeInstanceOf(LockLostError);
      expect(taken).toBeGreaterThan(1);
    } finally {
      admin.disconnect();
      await a.close();
      await b.close();
    }
  });
});

describe('two app instances sharing Redis', () => {
  it('serialise a plan racing an apply; the merged pull request keeps its applied state', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const sandbox = await startExampleSandbox();
    const github = await startGitHub();
    const repo = github.state.repo(REPO);
    const config = testConfig(sandbox, { redisUrl: redis.url });
    const one = await loadApp(config, github);
    const two = await loadApp(config, github);
    try {
      github.state.commit(REPO, sha(50), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]));
      github.state.addPull(REPO, { number: 50, headSha: sha(50), labels: ['charter:allow-destructive'] });
      const planEvent = (action: string) => ({ id: `p-${Math.random()}`, name: 'pull_request', payload: pullRequestEvent(action, { number: 50, headSha: sha(50), labels: ['charter:allow-destructive'] }) }) as never;
      await one.probot.receive(planEvent('opened'));
      await one.charter.drained();
      const pull = repo.pulls[0];
      github.state.commit(REPO, sha(500), repo.files.get(sha(50))!, 'master');
      Object.assign(pull, { state: 'closed', mergeCommitSha: sha(500), mergedAt: github.state.tick() });
      github.state.associate(REPO, sha(500), 50);
      sandbox.faults.latency(5);
      // A late synchronize plan on one replica, the merge's apply on the other, at the same time.
      await Promise.all([one.probot.receive(planEvent('synchronize')), two.probot.receive({ id: 'push', name: 'push', payload: pushEvent(sha(500)) } as never)]);
      await Promise.all([one.charter.drained(), two.charter.drained()]);

      // The two runs of the race, by the order of the requests that created them (request indexes).
      const log = (id: number) => github.state.checkRunRequests.get(id)!;
      const runs = repo.checkRuns.filter((r) => log(r.id).created > 0).sort((a, b) => log(a.id).created - log(b.id).created);
      const [first, second] = runs.slice(-2);
      expect(log(first.id).completed).toBeDefined();
      expect(log(second.id).created).toBeGreaterThan(log(first.id).completed!);
      const sticky = github.state.commentsOn(REPO, 50).find((c) => c.body.startsWith('<!-- charter:comment -->'))!;
      expect(parseMeta(sticky.body)?.state).toBe('applied');
      expect(checkRuns(github, 'Charter apply')[0].conclusion).toBe('success');
    } finally {
      await one.charter.stop();
      await two.charter.stop();
      await github.close();
      await sandbox.close();
    }
  });
});
