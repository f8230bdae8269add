/**
 * A real Redis for the lock tests: CHARTER_TEST_REDIS_URL when set (.ci/run starts one), else a throwaway
 * `redis-server` on a free loopback port when the binary is installed (Debian `redis-server`), else none:
 * the caller skips with one printed line, or fails when CHARTER_REQUIRE_ALL=1 (CI never skips).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './ports.js';
import { findExecutable } from './require.js';

export interface TestRedis {
  url: string;
  close(): Promise<void>;
}


async function ping(url: string, deadline: number): Promise<void> {
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // not listening yet: retried below
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      client.disconnect();
    }
  }
}

/** A Redis to test against, or the reason there is none. */
export async function startRedis(): Promise<TestRedis | string> {
  const given = process.env.CHARTER_TEST_REDIS_URL;
  if (given) {
    await ping(given, Date.now() + 5000);
    return { url: given, close: async () => undefined };
  }
  const binary = findExecutable('redis-server');
  if (!binary) {
    const reason = 'no redis-server binary and no CHARTER_TEST_REDIS_URL (apt-get install redis-server)';
    if (process.env.CHARTER_REQUIRE_ALL === '1') throw new Error(`CHARTER_REQUIRE_ALL=1: ${reason}`);
    return reason;
  }
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await ping(url, Date.now() + 10_000);
  return {
    url,
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * One Redis for a test file: started before its tests (or the reason there is none, printed once), closed
 * after them. A test reads it with the returned function and skips with the reason where it is a string.
 */
export function redisForFile(what: string): () => TestRedis | string {
  let redis: TestRedis | string = 'not started';
  beforeAll(async () => {
    redis = await startRedis();
    if (typeof redis === 'string') console.log(`Skipping ${what}: ${redis}`);
  });
  afterAll(async () => {
    if (typeof redis !== 'string') await redis.close();
  });
  return () => redis;
}
