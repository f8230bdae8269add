import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/aws/wait.js';

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
