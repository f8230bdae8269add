/**
 * The pipeline part of the three-region example against moto_server, an independent CodePipeline and
 * CodeBuild simulator: plan, apply, and the re-plan is empty. moto has no CodeArtifact, so a loopback proxy
 * sends CodeArtifact's REST calls (`/v1/...`) to the sandbox and everything else to moto.
 */
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/core/engine.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { repoRoot } from '../helpers/aws.js';
import { createRoles, hasMoto, motoProxy, requireMotoOrSkip, startMoto } from '../helpers/moto-proxy.js';
import { packagesOptions, policyDir } from './helpers.js';

requireMotoOrSkip('the PackagePublishing pipeline test against moto_server');

const pypiExample = readFileSync(join(repoRoot, 'policies/examples/package-publishing.yml'), 'utf8').split(/^---$/m)[0];

describe.skipIf(!hasMoto)('PackagePublishing pipeline against moto_server', () => {
  let moto: ChildProcess | undefined;
  let proxy: Server | undefined;
  let endpoint = '';
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    const m = await startMoto();
    moto = m.process;
    await createRoles(m.url, [
      ['package-pipeline', 'codepipeline'],
      ['package-codebuild', 'codebuild'],
    ]);
    sb = await startSandbox();
    const p = await motoProxy(m.url, (path) => (path.startsWith('/v1/') ? sb!.endpoint : undefined));
    proxy = p.server;
    endpoint = p.url;
  }, 30_000);
  afterAll(async () => {
    proxy?.close();
    moto?.kill();
    await sb?.close();
  });

  it('plan, apply, re-plan is empty', async () => {
    const cwd = policyDir({ 'p.yml': pypiExample });
    const opts = packagesOptions({ ...sb!, endpoint } as Sandbox, cwd, ['p.yml'], 1);
    const first = await plan(opts);
    expect(first.plan.diagnostics).toEqual([]);
    expect(first.plan.changes.filter((c) => c.address.includes('/codebuild/') || c.address.includes('/codepipeline/'))).toHaveLength(7);
    const applied = await apply({ ...opts, allowDestructive: false });
    expect(applied.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const again = await plan(opts);
    expect(again.plan.changes.map((c) => `${c.address}: ${c.reason}`)).toEqual([]);
  }, 60_000);
});
