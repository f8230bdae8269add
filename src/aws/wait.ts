/** Waiting for eventually consistent AWS operations (Route 53 INSYNC, CloudFront invalidations, Data API statements). */

export interface Waits {
  pollIntervalMs: number;
  waitTimeoutMs: number;
}

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
 * Settings for an SDK waiter (`waitUntil…`, seconds): its exponential backoff starts at the poll interval
 * and grows to four times it, within `waitTimeoutMs` (or until `deadline`).
 */
export function waiterSettings<C>(client: C, waits: Waits, deadline?: number): { client: C; minDelay: number; maxDelay: number; maxWaitTime: number } {
  const minDelay = Math.max(waits.pollIntervalMs, 1) / 1000;
  const remaining = (deadline ?? Date.now() + waits.waitTimeoutMs) - Date.now();
  return { client, minDelay, maxDelay: minDelay * 4, maxWaitTime: Math.max(remaining / 1000, minDelay * 2) };
}
