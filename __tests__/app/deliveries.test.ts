/**
 * Several replicas behind a load balancer (REDIS_URL), against a real redis-server: one delivery handled
 * once while in flight (a proxy retrying it to another replica), but again when redelivered after it was
 * done; and what a replica killed mid-work leaves behind expiring, so the others are not blocked.
 */
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisLock } from '../../src/app/lock.js';
import { startExampleSandbox } from '../helpers/aws.js';
import { redisForFile } from '../helpers/redis.js';
import { BASE_SHA, checkRuns, fixturePolicies, loadApp, pullRequestEvent, REPO, sha, startGitHub, testConfig } from './harness.js';

const testRedis = redisForFile('the delivery tests');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one delivery on two replicas', () => {
  it('runs once while in flight, and again when redelivered after it was done', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const sandbox = await startExampleSandbox();
    const github = await startGitHub();
    const repo = github.state.repo(REPO);
    const config = testConfig(sandbox, { redisUrl: redis.url });
    const one = await loadApp(config, github);
    const two = await loadApp(config, github);
    const admin = new Redis(redis.url);
    try {
      github.state.commit(REPO, sha(60), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]));
      github.state.addPull(REPO, { number: 60, headSha: sha(60) });
      const id = `dup-${Date.now()}`;
      const delivery = { id, name: 'pull_request', payload: pullRequestEvent('opened', { number: 60, headSha: sha(60) }) } as never;
      // The same delivery reaching both replicas at once (the first one slow to answer, the proxy retried).
      await Promise.all([one.probot.receive(delivery), two.probot.receive(delivery)]);
      await Promise.all([one.charter.drained(), two.charter.drained()]);
      const plans = () => checkRuns(github, 'Charter plan').filter((r) => r.headSha === sha(60));
      expect(plans()).toHaveLength(1);
      expect(plans()[0].status).toBe('completed');
      // Done: nothing of the delivery is left held.
      expect(await admin.exists(`charter:held:delivery:${id}`)).toBe(0);

      // A user redelivers it from GitHub afterwards: it runs again.
      await two.probot.receive(delivery);
      await two.charter.drained();
      expect(plans()).toHaveLength(2);
      expect(plans().every((r) => r.status === 'completed')).toBe(true);
    } finally {
      admin.disconnect();
      await one.charter.stop();
      await two.charter.stop();
      await github.close();
      await sandbox.close();
    }
  });
});

describe('a replica killed mid-work', () => {
  it('its hold on a delivery is renewed while it lives and expires after it dies', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const prefix = `d1-${Date.now()}:`;
    const a = RedisLock.connect(redis.url, { prefix, ttlMs: 300 });
    const b = RedisLock.connect(redis.url, { prefix, ttlMs: 300 });
    try {
      const held = await a.hold('delivery:x');
      expect(held).toBeDefined();
      // Alive past several leases: still held.
      await sleep(1000);
      expect(await b.hold('delivery:x')).toBeUndefined();
      // Killed (no release, no more renewals): free again within a lease.
      await a.close();
      expect(await b.hold('delivery:x')).toBeUndefined();
      await sleep(450);
      const taken = await b.hold('delivery:x');
      expect(taken).toBeDefined();
      await taken!();
      expect(await b.hold('delivery:x')).toBeDefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('its repository lock expires: another replica runs the repository next, with a newer fencing token', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const prefix = `d2-${Date.now()}:`;
    const a = RedisLock.connect(redis.url, { prefix, ttlMs: 300 });
    const b = RedisLock.connect(redis.url, { prefix, ttlMs: 300, waitMs: 10_000 });
    try {
      let first = 0;
      let started!: () => void;
      const holding = new Promise<void>((resolve) => (started = resolve));
      // A plan that never finishes: its process dies while it holds the lock.
      void a.run('acme/mail', (_fence, token) => {
        first = token;
        started();
        return new Promise<never>(() => undefined);
      });
      await holding;
      // Renewed while the holder lives: another replica waits past several leases.
      const early = await Promise.race([b.run('acme/other', async () => 'other repository'), sleep(5_000).then(() => 'timeout')]);
      expect(early).toBe('other repository');
      let second = 0;
      const waiting = b.run('acme/mail', async (_fence, token) => (second = token));
      await sleep(900);
      expect(second).toBe(0);
      await a.close();
      const startedAt = Date.now();
      await waiting;
      expect(second).toBeGreaterThan(first);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    } finally {
      await a.close().catch(() => undefined);
      await b.close();
    }
  });
});

describe('work a killed replica held', () => {
  it('is taken over by a live replica once the dead one\'s hold expires, and done once', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const sandbox = await startExampleSandbox();
    const github = await startGitHub();
    const repo = github.state.repo(REPO);
    const live = await loadApp(testConfig(sandbox, { redisUrl: redis.url, leaseMs: 300 }), github);
    // What a replica killed with this delivery queued leaves in Redis: the delivery held and recorded.
    const dying = RedisLock.connect(redis.url, { ttlMs: 300 });
    const admin = new Redis(redis.url);
    try {
      github.state.commit(REPO, sha(61), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]));
      github.state.addPull(REPO, { number: 61, headSha: sha(61) });
      const id = `lost-${Date.now()}`;
      const payload = pullRequestEvent('opened', { number: 61, headSha: sha(61) });
      expect(await dying.hold(`delivery:${id}`, JSON.stringify({ name: 'pull_request', payload }))).toBeDefined();
      const plans = () => checkRuns(github, 'Charter plan').filter((r) => r.headSha === sha(61));
      // Alive (renewing) past several leases: nobody takes its work.
      await sleep(1000);
      expect(await live.charter.resumeOrphans()).toBe(0);
      expect(plans()).toHaveLength(0);

      await dying.close();
      for (let waited = 0; plans()[0]?.status !== 'completed' && waited < 15_000; waited += 100) await sleep(100);
      await live.charter.drained();
      expect(plans()).toHaveLength(1);
      expect(plans()[0].status).toBe('completed');
      // Done: neither its hold nor its record is left, so it is not done again.
      expect(await admin.exists(`charter:record:delivery:${id}`, `charter:held:delivery:${id}`)).toBe(0);
      await sleep(700);
      await live.charter.drained();
      expect(plans()).toHaveLength(1);
    } finally {
      admin.disconnect();
      await dying.close().catch(() => undefined);
      await live.charter.stop();
      await github.close();
      await sandbox.close();
    }
  });
});
