import { describe, expect, it, vi } from 'vitest';
import { benchShield } from '../../scripts/bench/shield.js';

describe('ProtectionGroups benchmark (200 groups × 50 members)', () => {
  it('a converged plan stays within 3 Shield calls per 100 groups plus the protections listing', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const figures = await benchShield();
    log.mockRestore();
    expect(figures.converged).toMatchObject({ changes: 0, errors: 0, withinFloor: true });
    expect(figures.converged.calls).toEqual({ DescribeSubscription: 1, ListProtectionGroups: 2, ListProtections: 1 });
    // Declared tags cost one read per group: Shield has no bulk tag read.
    expect(figures.convergedWithTags.calls.ListTagsForResource).toBe(200);
    expect(figures.convergedWithTags.changes).toBe(0);
    expect(figures.firstPlan).toMatchObject({ changes: 200, errors: 0, withinFloor: true });
  }, 120_000);
});
