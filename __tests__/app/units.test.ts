import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { helpReply, parseCommand } from '../../src/app/commands.js';
import { DEFAULT_DRIFT_SCHEDULE, reachConfigFor, readAppConfig, redact } from '../../src/app/config.js';
import { driftEndpoint, type DriftRun } from '../../src/app/drift.js';
import { KeyedQueue } from '../../src/app/queue.js';
import { parseRepoConfig } from '../../src/github/repo-config.js';

describe('commands', () => {
  it('reads /charter commands from the first line only', () => {
    expect(parseCommand('/charter plan')).toEqual({ name: 'plan' });
    expect(parseCommand('  /Charter APPLY please\nmore text')).toEqual({ name: 'apply' });
    expect(parseCommand('/charter')).toEqual({ name: 'help' });
    expect(parseCommand('/charter help')).toEqual({ name: 'help' });
    expect(parseCommand('/charter destroy')).toEqual({ name: 'help', unknown: 'destroy' });
    expect(parseCommand('/chartered plan')).toBeUndefined();
    expect(parseCommand('LGTM\n/charter apply')).toBeUndefined();
    expect(parseCommand('please /charter plan')).toBeUndefined();
  });

  it('escapes the unknown command in the help', () => {
    expect(helpReply('`x`<b>')).toContain('``` `x`<b> ```'.replace(/```/g, '``'));
  });
});

describe('KeyedQueue', () => {
  it('runs tasks of one key in order, one at a time; other keys run meanwhile; a failure does not block the next', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      log.push(`${name} start`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name} end`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const a1 = queue.run('acme/a', task('a1', 30, true));
    const a2 = queue.run('acme/a', task('a2', 5));
    const b1 = queue.run('acme/b', task('b1', 5));
    expect(queue.busy.sort()).toEqual(['acme/a', 'acme/b']);
    await expect(a1).rejects.toThrow('a1 failed');
    expect(await a2).toBe('a2');
    expect(await b1).toBe('b1');
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    await new Promise((r) => setTimeout(r, 0));
    expect(queue.busy).toEqual([]);
  });
});

describe('configuration', () => {
  it('has defaults and reads every setting from the environment', () => {
    const defaults = readAppConfig({});
    expect(defaults).toMatchObject({
      policyPaths: ['policies'],
      aws: {},
      allowDestructive: false,
      allowApplyBeforeMerge: false,
      drift: { schedule: DEFAULT_DRIFT_SCHEDULE, timezone: 'UTC', path: '/charter/drift', concurrency: 4 },
    });
    expect(defaults.drift.token).toBeUndefined();
    const set = readAppConfig({
      CHARTER_POLICY_PATHS: 'infra/policies, mail/*.yml',
      CHARTER_AWS_ENDPOINT: 'http://127.0.0.1:4566',
      CHARTER_AWS_REGION: 'eu-west-1',
      CHARTER_ALLOW_APPLY_BEFORE_MERGE: 'true',
      CHARTER_DRIFT_SCHEDULE: 'off',
      CHARTER_DRIFT_TOKEN: 'a-long-enough-token',
      CHARTER_DRIFT_CONCURRENCY: '8',
      CHARTER_APPLY_CONCURRENCY: '3',
      WEBHOOK_SECRET: 'whsec-123456789',
    });
    expect(set.policyPaths).toEqual(['infra/policies', 'mail/*.yml']);
    expect(set.aws).toEqual({ endpoint: 'http://127.0.0.1:4566', region: 'eu-west-1' });
    expect(set.allowApplyBeforeMerge).toBe(true);
    expect(set.applyConcurrency).toBe(3);
    expect(defaults.applyConcurrency).toBe(8);
    expect(set.drift).toMatchObject({ schedule: undefined, token: 'a-long-enough-token', concurrency: 8 });
    expect(set.secrets).toEqual(expect.arrayContaining(['whsec-123456789', 'a-long-enough-token']));
  });

  it('refuses malformed settings', () => {
    expect(() => readAppConfig({ CHARTER_DRIFT_SCHEDULE: 'every day' })).toThrow(/CHARTER_DRIFT_SCHEDULE/);
    expect(() => readAppConfig({ CHARTER_DRIFT_CONCURRENCY: '0' })).toThrow(/CHARTER_DRIFT_CONCURRENCY/);
    for (const bad of ['0', '65', '2.5', 'many']) expect(() => readAppConfig({ CHARTER_APPLY_CONCURRENCY: bad })).toThrow(`CHARTER_APPLY_CONCURRENCY must be a whole number from 1 to 64, got "${bad}"`);
    expect(() => readAppConfig({ CHARTER_DRIFT_TOKEN: 'short' })).toThrow(/at least 16/);
    expect(() => readAppConfig({ CHARTER_ALLOW_DESTRUCTIVE: 'maybe' })).toThrow(/true or false/);
  });

  it('redacts GITHUB_CLIENT_SECRET and the key at PRIVATE_KEY_PATH too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'charter-key-'));
    try {
      const file = join(dir, 'app.pem');
      writeFileSync(file, '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx9key-body-line\n-----END RSA PRIVATE KEY-----\n');
      const config = readAppConfig({ PRIVATE_KEY_PATH: file, GITHUB_CLIENT_SECRET: 'client-secret-0123456789' });
      expect(redact('oauth client-secret-0123456789 and MIIEowIBAAKCAQEAx9key-body-line', config.secrets)).toBe('oauth *** and ***');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A key with literal \n (as Probot accepts it in PRIVATE_KEY): its body lines are redacted as well.
    const escaped = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----';
    expect(redact('saw MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', readAppConfig({ PRIVATE_KEY: escaped }).secrets)).toBe('saw ***');
  });

  it('reads the allowlist file: per repository or per owner, and refuses what it does not understand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'charter-reach-'));
    const file = join(dir, 'reach.yml');
    writeFileSync(file, 'repositories:\n  octo-org/warehouse:\n    roleArn: arn:aws:iam::111111111111:role/charter-warehouse\n    env: [WAREHOUSE_URL]\n  octo-org/*:\n    env: []\n');
    const signingKey = 'a-plan-signing-key-of-32-characters-or-more';
    const config = readAppConfig({ CHARTER_REACH_FILE: file, WEBHOOK_SECRET: 'whsec-123456789', CHARTER_PLAN_SIGNING_KEY: signingKey });
    expect(reachConfigFor(config, 'Octo-Org/Warehouse')).toMatchObject({ roleArn: 'arn:aws:iam::111111111111:role/charter-warehouse', env: ['WAREHOUSE_URL'] });
    expect(reachConfigFor(config, 'octo-org/other')?.env).toEqual([]);
    expect(reachConfigFor(config, 'someone/else')).toBeUndefined();
    // The key for secrets in the fingerprint is derived from the plan signing key, never that key itself.
    expect(config.secretHashKey).toMatch(/^[0-9a-f]{64}$/);
    expect(config.secretHashKey).not.toBe(signingKey);
    writeFileSync(file, 'repositories:\n  octo-org/warehouse:\n    envs: [X]\n');
    expect(() => readAppConfig({ CHARTER_REACH_FILE: file })).toThrow(/repositories\.octo-org\/warehouse: unknown setting "envs"/);
    writeFileSync(file, 'repositories:\n  octo-org/warehouse:\n    roleArn: admin\n');
    expect(() => readAppConfig({ CHARTER_REACH_FILE: file })).toThrow(/roleArn must be an IAM role ARN/);
  });

  it('redacts secrets, including the lines of a PEM key', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    expect(redact('bad token whsec-123456789 here', ['whsec-123456789'])).toBe('bad token *** here');
    expect(redact('key line MIIEvQIBADANBgkqhkiG9w0BAQEFAASC leaked', [key])).toBe('key line *** leaked');
  });
});

describe('.github/charter.yml', () => {
  it('reads the known settings and refuses anything else', () => {
    expect(parseRepoConfig('')).toEqual({});
    expect(parseRepoConfig('allowApplyBeforeMerge: true\npolicies: infra/\n')).toEqual({ allowApplyBeforeMerge: true, policies: ['infra/'] });
    expect(() => parseRepoConfig('allowApplyBeforMerge: true')).toThrow(/unknown setting "allowApplyBeforMerge"/);
    expect(() => parseRepoConfig('allowApplyBeforeMerge: "yes"')).toThrow(/true or false/);
    expect(() => parseRepoConfig('policies: []')).toThrow(/policies/);
    expect(() => parseRepoConfig('[1, 2]')).toThrow(/mapping/);
  });
});

describe('the drift endpoint', () => {
  it('needs POST and the bearer token, refuses a second run while one is running, answers 500 when a repository failed', async () => {
    let busy = false;
    let result: DriftRun = { results: [{ installation: 1, repository: 'acme/a', status: 'drift' }], failed: 0 };
    let runs = 0;
    const handler = driftEndpoint({
      path: '/charter/drift',
      token: 'the-drift-token-123',
      run: async () => {
        runs++;
        return result;
      },
      busy: () => busy,
      secrets: ['the-drift-token-123'],
    });
    const server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = (auth?: string, path = '/charter/drift') => fetch(`${url}${path}`, { method: 'POST', headers: auth ? { authorization: auth } : {} });
    try {
      expect((await fetch(`${url}/charter/drift`)).status).toBe(405);
      expect((await post()).status).toBe(401);
      expect((await post('Bearer the-drift-token-12')).status).toBe(401);
      expect((await post('Basic the-drift-token-123')).status).toBe(401);
      expect((await post('Bearer the-drift-token-123', '/other')).status).toBe(404);
      expect(runs).toBe(0);
      const ok = await post('Bearer the-drift-token-123');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual(result);
      busy = true;
      expect((await post('Bearer the-drift-token-123')).status).toBe(409);
      busy = false;
      result = { results: [{ installation: 1, repository: 'acme/a', status: 'failed', reason: 'GitHub API error 502' }], failed: 1 };
      expect((await post('Bearer the-drift-token-123')).status).toBe(500);
      expect(runs).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
