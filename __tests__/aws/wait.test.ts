import { describe, expect, it } from 'vitest';
import { pollUntil, waiterSettings, waitsFor } from '../../src/aws/wait.js';
import { awsRuntime } from '../../src/aws/settings.js';

const waits = { pollIntervalMs: 1, waitTimeoutMs: 1_000 };

describe('pollUntil (Route 53 INSYNC, CloudFront invalidations, Data API statements)', () => {
  it('reads until done', async () => {
    const seen = ['PENDING', 'PENDING', 'INSYNC'];
    let reads = 0;
    const last = await pollUntil(async () => seen[reads++], (s) => s === 'INSYNC', waits, () => new Error('timed out'));
    expect(last).toBe('INSYNC');
    expect(reads).toBe(3);
  });

  it('checks a value already known before reading, and reads nothing when it is done', async () => {
    let reads = 0;
    const read = async () => (reads++, 'Completed');
    expect(await pollUntil(read, (s) => s === 'Completed', waits, () => new Error('timed out'), { first: 'Completed' })).toBe('Completed');
    expect(reads).toBe(0);
    expect(await pollUntil(read, (s) => s === 'Completed', waits, () => new Error('timed out'), { first: 'InProgress' })).toBe('Completed');
    expect(reads).toBe(1);
  });

  it('throws the caller’s error with the last value past the deadline', async () => {
    await expect(pollUntil(async () => 'STARTED', () => false, waits, (s) => new Error(`still ${s}`), { deadline: Date.now() - 1 })).rejects.toThrow('still STARTED');
  });
});

describe('waiterSettings (SDK waiters)', () => {
  const quiet = { debug() {}, info() {}, warn() {} };

  it('polls at 5 to 10 % of the typical time of the wait, never faster than the poll interval', () => {
    const route53 = waiterSettings('client', { pollIntervalMs: 2_000, waitTimeoutMs: 900_000, typicalMs: 60_000 });
    expect(route53).toMatchObject({ client: 'client', minDelay: 3, maxDelay: 6 });
    expect(route53.maxWaitTime).toBeCloseTo(900, 0);
    expect(waiterSettings('c', { pollIntervalMs: 50, waitTimeoutMs: 30_000, typicalMs: 500 })).toMatchObject({ minDelay: 0.05, maxDelay: 0.05 });
    expect(waiterSettings('c', { pollIntervalMs: 50, waitTimeoutMs: 30_000, typicalMs: 1_500 })).toMatchObject({ minDelay: 0.075, maxDelay: 0.15 });
    // Unknown typical time: from the poll interval to four times it.
    expect(waiterSettings('c', { pollIntervalMs: 20, waitTimeoutMs: 30_000 })).toMatchObject({ minDelay: 0.02, maxDelay: 0.08 });
  });

  it('takes each wait’s typical time from the runtime: AWS’s on AWS, none on the sandbox', () => {
    const real = awsRuntime({}, quiet);
    expect(waitsFor(real, 'route53Insync')).toEqual({ pollIntervalMs: 2_000, waitTimeoutMs: 900_000, typicalMs: 60_000 });
    expect(waitsFor(real, 'certificateValidation').typicalMs).toBe(300_000);
    expect(waitsFor(awsRuntime({ endpoint: 'http://127.0.0.1:1' }, quiet), 'invalidation')).toEqual({ pollIntervalMs: 20, waitTimeoutMs: 30_000 });
  });
});
