/**
 * `charter verify` as a process: the bundled dist/cli.js (rebuild with `npm run build` after changing src),
 * a real DNS server and an HTTPS server on loopback. The HTTPS port comes from CHARTER_VERIFY_HTTPS_PORT
 * and the test CA from NODE_EXTRA_CA_CERTS, both documented in docs/verify.md as test-only.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bundleNode, repoRoot } from '../helpers/aws.js';
import { cleanupTls, lineOf, POLICY, POLICY_URL_PATH, startWorld, type World } from './world.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');

async function charter(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});
afterAll(() => cleanupTls());

function env(w: World): Record<string, string> {
  return { CHARTER_VERIFY_HTTPS_PORT: String(w.https.port), NODE_EXTRA_CA_CERTS: w.tls.caFile };
}

describe('charter verify (process)', () => {
  it('exit 0 when what the internet sees matches; exit 2 with file:line when it differs', async () => {
    const w = (world = await startWorld());
    const ok = await charter(['verify', 'policy.yml', '--dns-server', w.dns.address, '--timeout', '3000'], { cwd: w.dir, env: env(w) });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).not.toMatch(/email\/verify-/);

    w.routes['mta-sts.example.net'][POLICY_URL_PATH].body = w.desired.policyText.replace('mode: enforce', 'mode: testing');
    w.zone['_mta-sts.example.net'].TXT = [['v=STSv1; id=stale']];
    const differs = await charter(['verify', 'policy.yml', '--dns-server', w.dns.address], { cwd: w.dir, env: env(w) });
    expect(differs.code).toBe(2);
    expect(differs.stdout).toMatch(/policy\.yml:\d+:\d+ error email\/verify-mta-sts-id-mismatch/);
    expect(differs.stdout).toMatch(new RegExp(`policy\\.yml:${lineOf('mode: enforce')}:11 error email/verify-mta-sts-policy-differs .*mode testing, the policy says enforce`));

    const json = await charter(['verify', 'policy.yml', '--dns-server', w.dns.address, '--format', 'json'], { cwd: w.dir, env: env(w) });
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout) as { diagnostics: { code: string }[] };
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['email/verify-mta-sts-id-mismatch', 'email/verify-mta-sts-policy-differs']));
  });

  it('--dns-server is repeatable and comma-separated; a dead server first still works', async () => {
    const w = (world = await startWorld());
    const silent = await import('../helpers/dns-server.js').then((m) => m.startDnsServer({}, { silent: true }));
    try {
      // c-ares moves to the next server when one times out; the whole lookup stays under --timeout.
      const both = await charter(['verify', 'policy.yml', `--dns-server=${w.dns.address},${w.dns.address}`, '--timeout', '3000'], { cwd: w.dir, env: env(w) });
      expect(both.code, both.stdout).toBe(0);
      const repeated = await charter(['verify', 'policy.yml', '--dns-server', silent.address, '--dns-server', w.dns.address, '--timeout', '2000'], { cwd: w.dir, env: env(w) });
      expect(repeated.code, repeated.stdout).toBe(0);
      expect(silent.queries.length).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });

  it('exit 1 when the resolver does not answer (inconclusive), within the timeout', async () => {
    const w = (world = await startWorld({ silentDns: true }));
    const started = Date.now();
    const run = await charter(['verify', 'policy.yml', '--dns-server', w.dns.address, '--timeout', '300'], { cwd: w.dir, env: env(w) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/email\/verify-dns-error Could not check: the TXT lookup of _mta-sts\.example\.net timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('exit 1 on invalid policies, without any lookup', async () => {
    const w = (world = await startWorld());
    writeFileSync(join(w.dir, 'policy.yml'), POLICY.replace('mode: enforce', 'mode: enforcing'));
    const run = await charter(['verify', 'policy.yml', '--dns-server', w.dns.address], { cwd: w.dir, env: env(w) });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`policy.yml:${lineOf('mode: enforce')}:11 error schema/invalid-value`);
    expect(w.dns.queries).toEqual([]);
  });

  it('usage errors', async () => {
    const w = (world = await startWorld());
    const timeout = await charter(['verify', '--timeout', 'soon'], { cwd: w.dir });
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toMatch(/--timeout: expected a number of milliseconds/);
    const server = await charter(['verify', 'policy.yml', '--dns-server', 'dns.example'], { cwd: w.dir });
    expect(server.code).toBe(1);
    expect(server.stderr).toMatch(/invalid DNS server/);
    const wrongCommand = await charter(['validate', '--dns-server', '127.0.0.1'], { cwd: w.dir });
    expect(wrongCommand.stderr).toMatch(/--dns-server does not apply to validate/);
    const help = await charter(['--help'], { cwd: w.dir });
    expect(help.stdout).toMatch(/verify \[paths\.\.\.\]/);
    // The command's own options are in its own help (charter verify --help).
    expect((await charter(['verify', '--help'], { cwd: w.dir })).stdout).toMatch(/--dns-server <ip\[:port\]>/);
  });

  it('start-up: validate does not load the verify code, node:dns or node:https', () => {
    // Walk the static imports of the bundle: the verify chunk must only be reachable through import().
    const seen = new Set<string>();
    const modules: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(repoRoot, 'dist', file), 'utf8');
      modules.push(...[...text.matchAll(/from\s*"(node:[^"]+)"/g)].map((m) => m[1]));
      for (const m of text.matchAll(/from\s*"\.\/(?:chunks\/)?([^"]+\.js)"/g)) walk(`chunks/${m[1]}`);
    };
    walk('cli.js');
    expect(modules).not.toContain('node:https');
    expect(modules).not.toContain('node:dns');
    expect([...seen].some((f) => f.includes('verify'))).toBe(false);
    expect(readFileSync(cli, 'utf8')).toMatch(/import\("\.\/chunks\/verify-[A-Z0-9]+\.js"\)/);
  });
});
