/**
 * A real PostgreSQL server for the RedshiftGrants tests. `.ci/run` starts one and exports
 * CHARTER_TEST_PG_URL (a superuser URL); without it this helper starts a throwaway cluster with the
 * installed binaries (initdb/pg_ctl in PATH or /usr/lib/postgresql/<version>/bin), so `npm test` works
 * locally too. No PostgreSQL at all is a loud failure, never a skipped test.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgServer {
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface TestDatabase {
  name: string;
  /** Superuser URL of this database: what policies connect with. */
  url: string;
  /** Runs SQL in this database as the superuser. */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

function findBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: run its tools as the `postgres` user then. */
function runAsServerUser(binary: string, args: string[]): void {
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', binary, ...args], { stdio: 'pipe' });
  else execFileSync(binary, args, { stdio: 'pipe' });
}

export async function startPgServer(): Promise<PgServer> {
  const given = process.env.CHARTER_TEST_PG_URL;
  if (given) return { adminUrl: given, stop: async () => undefined };
  const bin = findBinDir();
  if (!bin) {
    throw new Error('PostgreSQL is not installed: set CHARTER_TEST_PG_URL to a superuser URL, or install PostgreSQL (apt-get install postgresql) so the tests can start a throwaway server');
  }
  const dir = mkdtempSync(join(tmpdir(), 'charter-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const superuser = process.getuid?.() === 0 ? 'postgres' : userInfo().username;
  const port = await freePort();
  runAsServerUser(join(bin, 'initdb'), ['-D', data, '-U', superuser, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  return {
    adminUrl: `postgres://${superuser}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function once<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database `charter_test_<random>` on the server; drop() removes it. */
export async function createTestDatabase(server: PgServer): Promise<TestDatabase> {
  const name = `charter_test_${Math.random().toString(36).slice(2, 10)}`;
  await once(server.adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(server.adminUrl, name);
  return {
    name,
    url,
    sql: (text, params) => once(url, async (c) => (await c.query(text, params)).rows as Record<string, unknown>[]),
    drop: () => once(server.adminUrl, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** Drops cluster-wide roles a test created (roles outlive databases). Call after the databases are dropped. */
export async function dropRoles(server: PgServer, names: string[]): Promise<void> {
  await once(server.adminUrl, async (c) => {
    for (const name of names) await c.query(`DROP ROLE IF EXISTS "${name.replace(/"/g, '""')}"`);
  });
}

/** Role names on the server starting with `prefix`. */
export async function rolesWithPrefix(server: PgServer, prefix: string): Promise<string[]> {
  return once(server.adminUrl, async (c) => (await c.query('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1) ORDER BY rolname', [prefix])).rows.map((r) => String(r.rolname)));
}

/**
 * ignorePrincipals patterns matching every name that does not start with `prefix`: roles are shared by
 * the whole server, so a test only ever sees its own.
 */
export function ignoreAllBut(prefix: string): string[] {
  const patterns: string[] = [];
  for (let i = 0; i < prefix.length; i++) {
    const head = prefix.slice(0, i).replace(/[\\*?[\]{}]/g, '\\$&');
    const c = prefix[i];
    patterns.push(`${head}[!${c === ']' || c === '\\' ? `\\${c}` : c}]*`);
    if (i > 0) patterns.push(head);
  }
  return patterns;
}
