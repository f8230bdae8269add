import { describe, expect, it } from 'vitest';
import { benchPackages } from '../../scripts/bench/packages.js';

describe('PackagePublishing benchmark (3 regions × 50 packages × 200 versions, 50 ms latency)', () => {
  it('a converged plan makes at most 60 calls per region, as many at 2 versions as at 200, within 2× of the rate-limit bound', async () => {
    const figures = await benchPackages();
    expect(figures.changes).toBe(0);
    // Per region: DescribeDomain, DescribeRepository, ListTagsForResource, 50 × ListPackageVersions, BatchGetProjects; the pipeline and its tags in the primary.
    expect(figures.callsPerRegion).toEqual({ 'us-east-1': 56, 'us-east-2': 54, 'us-west-2': 54 });
    expect(figures.callsPerRegionAndOperation['us-east-2']).toEqual({
      'codeartifact:DescribeDomain': 1,
      'codeartifact:DescribeRepository': 1,
      'codeartifact:ListTagsForResource': 1,
      'codeartifact:ListPackageVersions': 50,
      'codebuild:BatchGetProjects': 1,
    });
    expect(figures.callsAt2Versions).toEqual(figures.callsPerRegion);
    expect(figures.ratio).toBeLessThanOrEqual(2);
    expect(figures.ok).toBe(true);
  }, 120_000);
});
