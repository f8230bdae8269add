/**
 * The engine's side of the trust model: secrets enter the fingerprint only as keyed hashes (a secret changed
 * after review refuses the apply), uploaded assets are compared by SHA-256, and the allowlist is one check
 * that every `*FromEnv` / `fromEnv` field goes through.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/core/engine.js';
import { envReferences, isMaskable, narrowReach, parseReachConfig, reachFor, emptyReachConfig } from '../../src/core/reach.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { copyExamples, EXAMPLE_SECRETS, sandboxOptions, startExampleSandbox } from '../helpers/aws.js';

let sandbox: Sandbox;
let dir: string;
beforeEach(async () => {
  sandbox = await startExampleSandbox();
  dir = copyExamples();
});
afterEach(() => sandbox.close());

const rbac = ['policies/examples/redshift-rbac.yml'];

describe('secrets in the fingerprint', () => {
  it('a client secret changed after review changes the fingerprint and refuses the apply; the value is never in the plan', async () => {
    const options = sandboxOptions(sandbox, dir, rbac);
    const reviewed = (await plan({ ...options, runtime: { ...options.runtime, secretHashKey: 'k1' } })).plan;
    const json = JSON.stringify(reviewed);
    expect(json).not.toContain(EXAMPLE_SECRETS.AAD_CLIENT_SECRET);
    const hashed = Object.entries(reviewed.inputs).find(([k]) => k.startsWith('secrets:'))?.[1] as Record<string, string>;
    expect(hashed.AAD_CLIENT_SECRET).toMatch(/^[0-9a-f]{64}$/);
    const same = (await plan({ ...options, runtime: { ...options.runtime, secretHashKey: 'k1' } })).plan;
    expect(same.fingerprint).toBe(reviewed.fingerprint);

    const rotated = { ...options, runtime: { ...options.runtime, secretHashKey: 'k1', env: { ...options.runtime.env, AAD_CLIENT_SECRET: 'a-different-secret-set-after-review' } } };
    const report = await apply({ ...rotated, allowDestructive: true, expectedFingerprint: reviewed.fingerprint });
    expect(report.refused).toMatch(/changed since it was reviewed/);
    expect(report.results.every((r) => r.status === 'not-attempted')).toBe(true);
  });
});

describe('assets by SHA-256', () => {
  it('the upload change carries the SHA-256 of the asset bytes, and an edited asset changes the fingerprint', async () => {
    const options = sandboxOptions(sandbox, dir, ['policies/examples/enforce-with-bimi.yml']);
    const first = (await plan(options)).plan;
    const logo = first.changes.find((c) => c.address.includes('/s3/') && (c.data as { file?: string | null })?.file);
    expect(logo).toBeDefined();
    const data = logo!.data as { file: string; sha256: string };
    const bytes = readFileSync(join(dir, 'policies/examples', data.file));
    const { createHash } = await import('node:crypto');
    expect(data.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(JSON.stringify(first)).not.toMatch(/md5/i);
    writeFileSync(join(dir, 'policies/examples', data.file), Buffer.concat([bytes, Buffer.from('<!-- -->')]));
    expect((await plan(options)).plan.fingerprint).not.toBe(first.fingerprint);
  });
});

describe('the allowlist', () => {
  it('finds every variable a spec names: *FromEnv keys and { fromEnv } objects, at their paths', () => {
    const refs = envReferences({ connection: { urlFromEnv: 'A' }, users: [{ name: 'x', password: { fromEnv: 'B' } }], identityProviders: [{ clientSecretFromEnv: 'C' }] });
    expect(refs.map((r) => [r.value, r.path.join('.')])).toEqual([
      ['A', 'spec.connection.urlFromEnv'],
      ['B', 'spec.users.0.password.fromEnv'],
      ['C', 'spec.identityProviders.0.clientSecretFromEnv'],
    ]);
  });

  it('a repository only narrows what the app grants; forks are offline unless both allow them', () => {
    const app = parseReachConfig({ env: ['A', 'B'], roleArn: 'arn:aws:iam::111111111111:role/r', redshift: { clusters: ['*'] }, accounts: { prod: 'arn:aws:iam::222222222222:role/p' }, forks: { live: true } }, 'app');
    const repo = parseReachConfig({ env: ['B', 'C'], redshift: { clusters: ['analytics'] }, accounts: ['prod', 'dev'] }, 'charter.yml', { allowRole: false });
    const narrowed = narrowReach(app, repo);
    expect(narrowed.env).toEqual(['B']);
    expect(narrowed.redshift.clusters).toEqual(['analytics']);
    expect(narrowed.accounts).toEqual({ prod: 'arn:aws:iam::222222222222:role/p' });
    expect(narrowed.roleArn).toBe(app.roleArn);
    expect(narrowed.forks.live).toBe(false);
    expect(() => parseReachConfig({ roleArn: 'arn:aws:iam::111111111111:role/mine' }, 'charter.yml', { allowRole: false })).toThrow(/unknown setting "roleArn"/);
    expect(reachFor(emptyReachConfig(), { fork: true, aws: true })).toMatchObject({ live: false, offlineReason: expect.stringContaining('fork') });
  });

  it('masks only values worth masking', () => {
    for (const v of ['true', 'false', 'TRUE', 'yes', '1234567', 'postgres']) expect(isMaskable(v)).toBe(false);
    expect(isMaskable('example-aad-client-secret-7f3a')).toBe(true);
  });
});
