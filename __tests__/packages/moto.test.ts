/**
 * The pipeline part of the three-region example against moto_server, an independent CodePipeline and
 * CodeBuild simulator: plan, apply, and the re-plan is empty. moto has no CodeArtifact, so a loopback proxy
 * sends CodeArtifact's REST calls (`/v1/...`) to the sandbox and everything else to moto.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/core/engine.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { repoRoot } from '../helpers/aws.js';
import { hasMoto, requireMotoOrSkip, startMoto, type Moto } from '../helpers/moto.js';
import { packagesOptions, policyDir } from './helpers.js';

requireMotoOrSkip('the PackagePublishing pipeline test against moto_server');

const pypiExample = readFileSync(join(repoRoot, 'policies/examples/package-publishing.yml'), 'utf8').split(/^---$/m)[0];

describe.skipIf(!hasMoto)('PackagePublishing pipeline against moto_server', () => {
  let moto: Moto | undefined;
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    sb = await startSandbox();
    const sandbox = sb;
    moto = await startMoto({ divert: (path) => (path.startsWith('/v1/') ? sandbox.endpoint : undefined) });
    await moto.createRole('package-pipeline', 'codepipeline');
    await moto.createRole('package-codebuild', 'codebuild');
  }, 30_000);
  afterAll(async () => {
    await moto?.close();
    await sb?.close();
  });

  it('plan, apply, re-plan is empty', async () => {
    const cwd = policyDir({ 'p.yml': pypiExample });
    const opts = packagesOptions({ ...sb!, endpoint: moto!.url } as Sandbox, cwd, ['p.yml'], 1);
    const first = await plan(opts);
    expect(first.plan.diagnostics).toEqual([]);
    expect(first.plan.changes.filter((c) => c.address.includes('/codebuild/') || c.address.includes('/codepipeline/'))).toHaveLength(7);
    const applied = await apply({ ...opts, allowDestructive: false });
    expect(applied.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const again = await plan(opts);
    expect(again.plan.changes.map((c) => `${c.address}: ${c.reason}`)).toEqual([]);
  }, 60_000);
});
