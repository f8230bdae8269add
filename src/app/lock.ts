/**
 * Plans and applies of one repository run one at a time. In one process the in-memory queue does it; with
 * several replicas behind a load balancer (`REDIS_URL`) a Redis lock per repository that every replica
 * shares, with an expiry (a crashed replica does not hold it forever) and a fencing token: a number that
 * grows with every acquisition, held as the lock's value, and checked before each write to GitHub or AWS,
 * so a replica whose lock expired (a long pause) stops instead of writing over a newer holder's work.
 */
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { KeyedQueue } from './queue.js';

/** Throws when the caller no longer holds the lock (its lease expired and someone else took it). */
export type Fence = () => Promise<void>;

export interface RepoLock {
  /** Runs `task` holding the lock on `key`; `fence` is checked by the task before each write. */
  run<T>(key: string, task: (fence: Fence, token: number) => Promise<T>): Promise<T>;
  /**
   * Claims `key` for this replica, once: true for the first caller across every replica sharing the lock,
   * false for the others until `ttlMs` has passed (a scheduled drift tick runs on one replica only).
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Holds `key` for as long as this replica works on it: the returned release frees it; undefined when
   * another holder (this replica or another) has it now. With Redis the hold is renewed while this process
   * lives and expires one lease (`ttlMs`) after it dies, so a crashed replica blocks nothing for long.
   */
  hold(key: string, record?: string): Promise<Release | undefined>;
  /**
   * What holds recorded (`record`) whose holder died (its hold expired without a release): another replica
   * takes the work over by holding the key again. One process keeps nothing (when it dies, it all goes).
   */
  orphans(): Promise<Array<{ key: string; record: string }>>;
  close(): Promise<void>;
}

/** Frees a `hold`; calling it again does nothing. */
export type Release = () => Promise<void>;

export class LockLostError extends Error {
  constructor(key: string, token: number) {
    super(`Lost the lock on ${key} (fencing token ${token}): another replica holds it now; nothing more is written by this run`);
    this.name = 'LockLostError';
  }
}

/** One process: the in-memory queue; the token counts acquisitions. */
export class LocalLock implements RepoLock {
  private readonly queue = new KeyedQueue();
  private tokens = 0;

  run<T>(key: string, task: (fence: Fence, token: number) => Promise<T>): Promise<T> {
    return this.queue.run(key, () => task(async () => undefined, ++this.tokens));
  }

  /** One process: every tick is this process's own. */
  async claim(): Promise<boolean> {
    return true;
  }

  private readonly held = new Set<string>();

  async hold(key: string): Promise<Release | undefined> {
    if (this.held.has(key)) return undefined;
    this.held.add(key);
    return async () => {
      this.held.delete(key);
    };
  }

  async orphans(): Promise<Array<{ key: string; record: string }>> {
    return [];
  }

  async close(): Promise<void> {}
}

// Take the lock only when free; the token comes from the same atomic step, so tokens grow in acquisition order.
const ACQUIRE = `if redis.call('exists', KEYS[1]) == 1 then return 0 end
local token = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], token, 'PX', ARGV[1])
return token`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

// A record goes only with its own hold (a newer holder's record of the same key stays).
const RELEASE_RECORD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[2]) end
return 0`;
/** How long the record of held work outlives its holder at most (a day: redeliveries past that are manual). */
const RECORD_KEPT_MS = 24 * 60 * 60_000;
/** Orphans returned per look: the rest are found by the next. */
const MAX_ORPHANS = 100;

export interface RedisLockOptions {
  /** How long a lock lives without renewal (a crashed holder frees it after this). */
  ttlMs?: number;
  /** How long a run waits for the lock before failing. */
  waitMs?: number;
  /** Prefix of the keys (`<prefix>lock:<key>`, `<prefix>fence:<key>`, `<prefix>held:<key>`, `<prefix>claim:<key>`). */
  prefix?: string;
}

/** Several replicas: a Redis lock per key, renewed while the task runs, with a fencing token. */
export class RedisLock implements RepoLock {
  /** Tasks of this process queue here first, so a replica does not poll Redis against itself. */
  private readonly local = new KeyedQueue();
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly prefix: string;
  /** Redis key → this process's value, for every `hold` not yet released: renewed together by one timer. */
  private readonly held = new Map<string, string>();
  private heartbeat?: NodeJS.Timeout;
  /** Tells this process's holds from another's (another replica, or this one before a restart). */
  private readonly owner = `${process.pid}-${Date.now()}-${randomInt(1_000_000_000)}`;
  private holds = 0;

  constructor(
    private readonly redis: Redis,
    options: RedisLockOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.waitMs = options.waitMs ?? 15 * 60_000;
    this.prefix = options.prefix ?? 'charter:';
  }

  static connect(url: string, options: RedisLockOptions = {}): RedisLock {
    // Fail a command rather than queue it forever while Redis is away: a run then fails and is retried.
    return new RedisLock(new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false }), options);
  }

  run<T>(key: string, task: (fence: Fence, token: number) => Promise<T>): Promise<T> {
    return this.local.run(key, () => this.holdLock(key, task));
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}claim:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async hold(key: string, record?: string): Promise<Release | undefined> {
    const redisKey = `${this.prefix}held:${key}`;
    const recordKey = `${this.prefix}record:${key}`;
    const value = `${this.owner}:${++this.holds}`;
    if ((await this.redis.set(redisKey, value, 'PX', this.ttlMs, 'NX')) !== 'OK') return undefined;
    // Kept past its holder's death (for another replica to resume), not forever.
    if (record !== undefined) await this.redis.set(recordKey, record, 'PX', RECORD_KEPT_MS);
    this.held.set(redisKey, value);
    this.heartbeat ??= setInterval(() => this.renewHolds(), Math.max(50, Math.floor(this.ttlMs / 3))).unref();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      this.held.delete(redisKey);
      if (this.held.size === 0) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
      }
      // The record first: while the hold lasts nobody takes the work over, so none resumes finished work.
      if (record !== undefined) await this.redis.eval(RELEASE_RECORD, 2, redisKey, recordKey, value).catch(() => undefined);
      await this.redis.eval(RELEASE, 1, redisKey, value).catch(() => undefined);
    };
  }

  async orphans(): Promise<Array<{ key: string; record: string }>> {
    const found: Array<{ key: string; record: string }> = [];
    const recordPrefix = `${this.prefix}record:`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${recordPrefix}*`, 'COUNT', 500);
      cursor = next;
      for (const recordKey of keys) {
        const key = recordKey.slice(recordPrefix.length);
        if (await this.redis.exists(`${this.prefix}held:${key}`)) continue;
        const record = await this.redis.get(recordKey);
        if (record !== null) found.push({ key, record });
      }
    } while (cursor !== '0' && found.length < MAX_ORPHANS);
    return found;
  }

  private renewHolds(): void {
    const pipeline = this.redis.pipeline();
    for (const [redisKey, value] of this.held) pipeline.eval(RENEW, 1, redisKey, value, String(this.ttlMs));
    // Redis unreachable for a moment: the next beat tries again (the hold lasts a whole lease).
    pipeline.exec().catch(() => undefined);
  }

  private async holdLock<T>(key: string, task: (fence: Fence, token: number) => Promise<T>): Promise<T> {
    const lockKey = `${this.prefix}lock:${key}`;
    const token = await this.acquire(lockKey, `${this.prefix}fence:${key}`);
    let lost = false;
    const renew = setInterval(() => {
      this.redis.eval(RENEW, 1, lockKey, String(token), String(this.ttlMs)).then(
        (ok) => {
          if (ok !== 1) lost = true;
        },
        () => undefined, // Redis unreachable for a moment: the fence check decides.
      );
    }, Math.max(50, Math.floor(this.ttlMs / 3)));
    renew.unref();
    const fence: Fence = async () => {
      if (lost || (await this.redis.get(lockKey)) !== String(token)) {
        lost = true;
        throw new LockLostError(key, token);
      }
    };
    try {
      return await task(fence, token);
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE, 1, lockKey, String(token)).catch(() => undefined);
    }
  }

  private async acquire(lockKey: string, fenceKey: string): Promise<number> {
    const deadline = Date.now() + this.waitMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
      const token = Number(await this.redis.eval(ACQUIRE, 2, lockKey, fenceKey, String(this.ttlMs)));
      if (token > 0) return token;
      if (Date.now() >= deadline) throw new Error(`Timed out after ${Math.round(this.waitMs / 1000)} s waiting for the lock ${lockKey}`);
      await new Promise((resolve) => setTimeout(resolve, delay + randomInt(delay)));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
