/** Waiting for eventually consistent AWS operations (Route 53 INSYNC, CloudFront invalidations, Data API statements). */

export interface Waits {
  pollIntervalMs: number;
  waitTimeoutMs: number;
  /**
   * How long the awaited operation typically takes (RuntimeContext.typicalWaitMs): an SDK waiter then polls
   * at 5 to 10 % of it (never faster than pollIntervalMs), so it notices the end within a tenth of the wait.
   */
  typicalMs?: number;
}

import type { TypicalWaits } from '../core/provider.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Reads until `done`, sleeping `pollIntervalMs` between reads; past the deadline (by default
 * `waitTimeoutMs` from now) throws `timedOut(last value)`. `first` is a value already known (e.g. from
 * the create call), checked before the first read.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  waits: Waits,
  timedOut: (last: T) => Error,
  options: { deadline?: number; first?: T } = {},
): Promise<T> {
  const deadline = options.deadline ?? Date.now() + waits.waitTimeoutMs;
  let value = 'first' in options ? (options.first as T) : await read();
  for (;;) {
    if (done(value)) return value;
    if (Date.now() > deadline) throw timedOut(value);
    await sleep(waits.pollIntervalMs);
    value = await read();
  }
}

/**
 * Settings for an SDK waiter (`waitUntil…`, seconds), within `waitTimeoutMs` (or until `deadline`). The
 * SDK's defaults (Route 53 30 s to 120 s between polls, CloudFront 20 s, ACM 60 s) can overshoot a one-minute
 * wait by half of it; with the operation's typical time known, its jittered backoff stays between 5 % and
 * 10 % of that time. Without it, the backoff starts at the poll interval and grows to four times it.
 */
export function waiterSettings<C>(client: C, waits: Waits, deadline?: number): { client: C; minDelay: number; maxDelay: number; maxWaitTime: number } {
  const floorMs = Math.max(waits.pollIntervalMs, 1);
  const minMs = waits.typicalMs ? Math.max(floorMs, waits.typicalMs / 20) : floorMs;
  const maxMs = waits.typicalMs ? Math.max(minMs, waits.typicalMs / 10) : floorMs * 4;
  const remaining = (deadline ?? Date.now() + waits.waitTimeoutMs) - Date.now();
  return { client, minDelay: minMs / 1000, maxDelay: maxMs / 1000, maxWaitTime: Math.max(remaining / 1000, (minMs / 1000) * 2) };
}

/** The waits a provider context sets up for one kind of operation (its typical time from `typicalWaitMs`). */
export function waitsFor(ctx: { pollIntervalMs: number; waitTimeoutMs: number; typicalWaitMs?: TypicalWaits }, operation: keyof TypicalWaits): Waits {
  const typicalMs = ctx.typicalWaitMs?.[operation];
  return { pollIntervalMs: ctx.pollIntervalMs, waitTimeoutMs: ctx.waitTimeoutMs, ...(typicalMs ? { typicalMs } : {}) };
}
