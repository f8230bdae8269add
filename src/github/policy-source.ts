/**
 * The policy files of a commit, fetched through the GitHub API (the app has no checkout): the git tree of
 * the commit is listed, every file under the policy paths (the YAML and the assets next to it, such as a
 * BIMI logo) is downloaded as a blob and written to a private temporary directory with the same relative
 * paths, where the engine reads it like a checkout. Policy files over the engine's 1 MiB limit are not
 * downloaded: an empty file of the same size stands in, so the engine reports `policy/file-too-large`
 * exactly as it does for a checkout.
 */
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { DEFAULT_POLICY_PATHS, MAX_POLICY_FILE_BYTES } from '../core/load.js';
import { httpStatus, type ApiTree, type ApiTreeEntry, type GitHub } from './client.js';
import type { RepoRef } from './repo.js';

/** Files fetched for one run are capped in total, so a misconfigured path cannot pull a whole monorepo. */
export const MAX_FETCH_BYTES = 64 * 1024 * 1024;
export const MAX_FETCH_FILES = 5_000;
const DOWNLOADS_AT_ONCE = 8;
const POLICY_FILE = /\.ya?ml$/i;
const GLOB = /[*?[\]{}()!]/;

export interface FetchedPolicies {
  /** Temporary directory holding the files at their repository paths: the engine's `cwd`. */
  dir: string;
  /** Repository paths of every file written, sorted. */
  files: string[];
  /** How many of them are YAML policy files. */
  policyFiles: number;
  /** Removes the directory. */
  dispose(): Promise<void>;
}

/**
 * The directory each policy path is under (the part before the first glob segment; a file's directory, so
 * its assets come along). `''` is the repository root. Absolute paths and `..` are refused: the paths come
 * from configuration, and nothing outside the repository may be read.
 */
export function policyPrefixes(paths: readonly string[]): string[] {
  const prefixes = new Set<string>();
  for (const raw of paths.length ? paths : DEFAULT_POLICY_PATHS) {
    const path = raw.trim().replace(/\\/g, '/').replace(/^\.\/+/, '');
    if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`Policy path ${JSON.stringify(raw)} must be relative to the repository root`);
    const segments = path.split('/').filter((s) => s && s !== '.');
    const glob = segments.findIndex((s) => GLOB.test(s));
    let kept = glob >= 0 ? segments.slice(0, glob) : segments;
    if (glob < 0 && kept.length && POLICY_FILE.test(kept[kept.length - 1])) kept = kept.slice(0, -1);
    prefixes.add(kept.join('/'));
  }
  // A prefix inside another one adds nothing.
  const sorted = [...prefixes].sort((a, b) => a.length - b.length);
  return sorted.filter((p, i) => !sorted.slice(0, i).some((q) => q === '' || p === q || p.startsWith(`${q}/`)));
}

function under(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => p === '' || path === p || path.startsWith(`${p}/`));
}

/** Regular files (no symbolic links, no submodules) of the tree at `sha` under `prefixes`. */
async function listFiles(gh: GitHub, repo: RepoRef, sha: string, prefixes: readonly string[]): Promise<ApiTreeEntry[]> {
  const target = { owner: repo.owner, repo: repo.repo };
  let data: ApiTree;
  try {
    ({ data } = await gh.rest.git.getTree({ ...target, tree_sha: sha, recursive: '1' }));
  } catch (error) {
    // An empty repository (no commit yet) answers 409 "Git Repository is empty.": it has no files.
    if (httpStatus(error) === 409) return [];
    throw error;
  }
  const keep = (e: ApiTreeEntry, base = '') => {
    const path = base ? `${base}/${e.path}` : (e.path ?? '');
    return e.type === 'blob' && (e.mode === '100644' || e.mode === '100755') && under(path, prefixes) ? [{ ...e, path }] : [];
  };
  if (!data.truncated) return data.tree.flatMap((e) => keep(e));
  // The recursive listing stops at 100,000 entries: walk down from the root, into policy directories only.
  const files: ApiTreeEntry[] = [];
  const walk = async (treeSha: string, base: string): Promise<void> => {
    const { data: tree } = await gh.rest.git.getTree({ ...target, tree_sha: treeSha });
    for (const entry of tree.tree) {
      const path = base ? `${base}/${entry.path}` : (entry.path ?? '');
      if (entry.type === 'tree' && entry.sha && (under(path, prefixes) || prefixes.some((p) => p.startsWith(`${path}/`)))) {
        await walk(entry.sha, path);
      } else {
        files.push(...keep(entry, base));
      }
    }
  };
  await walk(sha, '');
  return files;
}

/**
 * Runs `task` over `items` with at most `limit` at a time. After the first error no further task starts,
 * and the promise rejects with that error once the tasks already running have settled (so a caller that
 * cleans up on failure, such as removing a directory they write to, runs after the last of them).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await task(items[i]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** Downloads the policy files of commit `sha` into a new temporary directory. */
export async function fetchPolicyFiles(gh: GitHub, repo: RepoRef, sha: string, paths: readonly string[]): Promise<FetchedPolicies> {
  const prefixes = policyPrefixes(paths);
  const entries = await listFiles(gh, repo, sha, prefixes);
  const wanted = entries.filter((e) => POLICY_FILE.test(e.path ?? '') || (e.size ?? 0) <= MAX_POLICY_FILE_BYTES);
  if (wanted.length > MAX_FETCH_FILES) {
    throw new Error(`The policy paths (${prefixes.map((p) => p || '/').join(', ')}) hold ${wanted.length} files; at most ${MAX_FETCH_FILES} are fetched. Narrow the policy paths.`);
  }
  // Oversized policy files are not downloaded (a placeholder stands in), so they do not count.
  const total = wanted.reduce((n, e) => n + ((e.size ?? 0) <= MAX_POLICY_FILE_BYTES ? (e.size ?? 0) : 0), 0);
  if (total > MAX_FETCH_BYTES) {
    throw new Error(`The files under the policy paths add up to ${total} bytes; at most ${MAX_FETCH_BYTES} are fetched. Narrow the policy paths.`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'charter-policies-'));
  const root = resolve(dir);
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await mapLimit(wanted, DOWNLOADS_AT_ONCE, async (entry) => {
      const target = resolve(root, entry.path as string);
      if (!target.startsWith(`${root}${sep}`)) throw new Error(`Refusing to write ${JSON.stringify(entry.path)} outside the policy directory`);
      await mkdir(dirname(target), { recursive: true });
      if ((entry.size ?? 0) > MAX_POLICY_FILE_BYTES) {
        // Too large to be a policy: a sparse placeholder of the same size, so the engine reports it.
        const handle = await open(target, 'w');
        await handle.truncate(entry.size);
        await handle.close();
        return;
      }
      const { data } = await gh.rest.git.getBlob({ owner: repo.owner, repo: repo.repo, file_sha: entry.sha as string });
      const bytes = data.encoding === 'base64' ? Buffer.from(data.content, 'base64') : Buffer.from(data.content, 'utf8');
      await writeFile(target, bytes);
    });
  } catch (error) {
    await dispose();
    throw error;
  }
  const files = wanted.map((e) => e.path as string).sort();
  return { dir, files, policyFiles: files.filter((f) => POLICY_FILE.test(f)).length, dispose };
}
