/**
 * A secret a policy reads (`clientSecretFromEnv`, `password: {fromEnv}`, `urlFromEnv`) that is not set is a
 * plan error at the field's line and column, found before anything is read, not halfway through apply.
 * The bundled CLI as a process, against the sandbox account.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleNode, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);

const CLIENT_SECRET = 'aad-secret-value-9c1e2f7b';
const PASSWORD = 'Analyst-password-4d8a1b';

async function charter(args: string[], cwd: string, env: Record<string, string>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['AAD_CLIENT_SECRET', 'SALESANALYST_PASSWORD', 'WAREHOUSE_URL'].includes(k)));
  try {
    const { stdout, stderr } = await exec(bundleNode, [join(repoRoot, 'dist/cli.js'), ...args], { cwd, env: { ...base, GITHUB_TOKEN: '', ...env } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** The walkthrough example with a password for salesanalyst, in a repository of its own. */
function repository(): { dir: string; account: string; passwordLine: number; secretLine: number } {
  const dir = mkdtempSync(join(tmpdir(), 'charter-secret-env-'));
  const text = readFileSync(join(repoRoot, 'policies/examples/redshift-rbac.yml'), 'utf8').replace(
    '- { name: salesanalyst, roles: [sales_ro] }',
    '- { name: salesanalyst, roles: [sales_ro], password: { fromEnv: SALESANALYST_PASSWORD } }',
  );
  writeFileSync(join(dir, 'rbac.yml'), text);
  const lines = text.split('\n');
  const account = join(dir, 'account.json');
  copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), account);
  return {
    dir,
    account,
    passwordLine: lines.findIndex((l) => l.includes('name: salesanalyst,')) + 1,
    secretLine: lines.findIndex((l) => l.includes('clientSecretFromEnv: AAD_CLIENT_SECRET')) + 1,
  };
}

describe('plan with a secret variable unset', () => {
  it('reports the client secret and the password at their lines, exits 1, and reads nothing', async () => {
    const repo = repository();
    const run = await charter(['plan', 'rbac.yml', '--sandbox', repo.account, '--detailed-exitcode'], repo.dir, {});
    expect(run.code).toBe(1);
    const secretColumn = readFileSync(join(repo.dir, 'rbac.yml'), 'utf8').split('\n')[repo.secretLine - 1].indexOf('clientSecretFromEnv') + 'clientSecretFromEnv: '.length + 1;
    expect(run.out).toContain(`rbac.yml:${repo.secretLine}:${secretColumn}`);
    expect(run.out).toContain('reach/env-unset Environment variable "AAD_CLIENT_SECRET" (clientSecretFromEnv of RedshiftGrants/examplecluster-dev) is not set');
    expect(run.out).toContain(`rbac.yml:${repo.passwordLine}:`);
    expect(run.out).toContain('"SALESANALYST_PASSWORD"');
    expect(run.out).not.toMatch(/CREATE USER|GRANT /);
  });

  it('with one of them set, only the other is reported, and the set value never appears', async () => {
    const repo = repository();
    for (const format of ['text', 'json', 'markdown']) {
      const run = await charter(['plan', 'rbac.yml', '--sandbox', repo.account, '--format', format], repo.dir, { SALESANALYST_PASSWORD: PASSWORD });
      expect(run.code, format).toBe(1);
      if (format === 'json') {
        const diagnostics = (JSON.parse(run.out) as { diagnostics: Array<{ code: string; file: string; line: number; column: number }> }).diagnostics;
        expect(diagnostics.map(({ code, file, line, column }) => ({ code, file, line, column }))).toEqual([{ code: 'reach/env-unset', file: 'rbac.yml', line: repo.secretLine, column: 28 }]);
      } else {
        expect(run.out).toContain(`rbac.yml:${repo.secretLine}:28`);
        expect(run.out).toContain('reach/env-unset');
        expect(run.out).not.toContain(`rbac.yml:${repo.passwordLine}:`);
      }
      expect(run.out).not.toContain(PASSWORD);
    }
    const both = await charter(['plan', 'rbac.yml', '--sandbox', repo.account, '--format', 'json'], repo.dir, { SALESANALYST_PASSWORD: PASSWORD, AAD_CLIENT_SECRET: CLIENT_SECRET });
    expect(both.code).toBe(0);
    expect(both.out).not.toContain(PASSWORD);
    expect(both.out).not.toContain(CLIENT_SECRET);
    expect(both.out).not.toContain('reach/env-unset');
    expect((JSON.parse(both.out) as { changes: unknown[] }).changes.length).toBeGreaterThan(0);
  });

  it('an empty variable counts as unset; apply refuses the same way before touching the database', async () => {
    const repo = repository();
    const apply = await charter(['apply', 'rbac.yml', '--sandbox', repo.account, '--auto-approve'], repo.dir, { SALESANALYST_PASSWORD: PASSWORD, AAD_CLIENT_SECRET: '' });
    expect(apply.code).toBe(1);
    expect(apply.out).toContain(`rbac.yml:${repo.secretLine}:`);
    expect(apply.out).not.toContain(PASSWORD);
    // Nothing was executed: the full plan still lists every change.
    const set = { SALESANALYST_PASSWORD: PASSWORD, AAD_CLIENT_SECRET: CLIENT_SECRET };
    const after = await charter(['plan', 'rbac.yml', '--sandbox', repo.account, '--format', 'json'], repo.dir, set);
    const fresh = repository();
    const before = await charter(['plan', 'rbac.yml', '--sandbox', fresh.account, '--format', 'json'], fresh.dir, set);
    expect((JSON.parse(after.out) as { changes: unknown[] }).changes.length).toBe((JSON.parse(before.out) as { changes: unknown[] }).changes.length);
  });

  it('a postgres connection URL variable: reported at urlFromEnv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charter-secret-url-'));
    writeFileSync(join(dir, 'pg.yml'), 'apiVersion: charter/v1\nkind: RedshiftGrants\nmetadata:\n  name: pg\nspec:\n  connection:\n    dialect: postgres\n    urlFromEnv: WAREHOUSE_URL\n  roles:\n    - name: reader\n');
    const run = await charter(['plan', 'pg.yml'], dir, {});
    expect(run.code).toBe(1);
    expect(run.out).toContain('pg.yml:8:17');
    expect(run.out).toContain('WAREHOUSE_URL');
  });
});
