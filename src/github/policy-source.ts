/**
 * The policy files of a commit, fetched through the GitHub API (the app has no checkout): the git tree of
 * the commit is listed once, the YAML files under the policy paths and then the assets they name (such as
 * a BIMI logo) are downloaded as blobs and written to a private temporary directory with the same relative
 * paths, where the engine reads it like a checkout. Policy files over the engine's 1 MiB limit are not
 * downloaded: an empty file of the same size stands in, so the engine reports `policy/file-too-large`
 * exactly as it does for a checkout.
 */
import { mapLimit } from '../core/concurrency.js';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { MAX_ASSET_FILE_BYTES } from '../core/files.js';
import { DEFAULT_POLICY_PATHS, MAX_ALIAS_COUNT, MAX_POLICY_FILE_BYTES, MAX_YAML_DEPTH } from '../core/load.js';
import { httpStatus, type GitHub, type Tree, type TreeEntry } from './client.js';
import type { RepoRef } from './repo.js';

/**
 * YAML files fetched per run: each costs one GitHub request, so this bounds what one pull request can spend
 * of the installation's hourly budget (5,000 requests). Past it the run stops with a clear message.
 */
export const MAX_FETCH_POLICY_FILES = 500;
/** Asset files (`file:` references) fetched per run. */
export const MAX_FETCH_ASSETS = 500;
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
async function listFiles(gh: GitHub, repo: RepoRef, sha: string, prefixes: readonly string[]): Promise<TreeEntry[]> {
  const target = { owner: repo.owner, repo: repo.repo };
  let data: Tree;
  try {
    ({ data } = await gh.rest.git.getTree({ ...target, tree_sha: sha, recursive: '1' }));
  } catch (error) {
    // An empty repository (no commit yet) answers 409 "Git Repository is empty.": it has no files.
    if (httpStatus(error) === 409) return [];
    throw error;
  }
  const keep = (e: TreeEntry, base = '') => {
    const path = base ? `${base}/${e.path}` : (e.path ?? '');
    return e.type === 'blob' && (e.mode === '100644' || e.mode === '100755') && under(path, prefixes) ? [{ ...e, path }] : [];
  };
  if (!data.truncated) return data.tree.flatMap((e) => keep(e));
  // The recursive listing stops at 100,000 entries: walk down from the root, into policy directories only.
  const files: TreeEntry[] = [];
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
 * Repository paths of the `file:` assets the YAML documents name (any mapping key `file` with a string value,
 * relative to the policy file), found without recursion. Unparseable YAML names nothing: the engine reports it.
 */
export function referencedAssets(path: string, text: string): string[] {
  const out: string[] = [];
  const dir = posix.dirname(path);
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  for (const doc of Array.isArray(docs) ? docs : []) {
    let value: unknown;
    try {
      value = doc.errors.length ? undefined : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      continue;
    }
    const stack: Array<[unknown, number]> = [[value, 0]];
    while (stack.length) {
      const [node, depth] = stack.pop() as [unknown, number];
      if (!node || typeof node !== 'object' || depth > MAX_YAML_DEPTH) continue;
      for (const [key, item] of Object.entries(node)) {
        if (key === 'file' && typeof item === 'string' && !posix.isAbsolute(item)) out.push(posix.normalize(posix.join(dir, item)));
        else stack.push([item, depth + 1]);
      }
    }
  }
  return out;
}

/**
 * Downloads the policy files of commit `sha` into a new temporary directory, with a bounded number of
 * requests however many files a pull request adds: the tree once, then only the YAML files under the policy
 * paths (at most MAX_FETCH_POLICY_FILES), then only the assets those files name (at most MAX_FETCH_ASSETS,
 * each at most MAX_ASSET_FILE_BYTES). Other files under the policy paths are never downloaded.
 */
export async function fetchPolicyFiles(gh: GitHub, repo: RepoRef, sha: string, paths: readonly string[]): Promise<FetchedPolicies> {
  const prefixes = policyPrefixes(paths);
  const entries = await listFiles(gh, repo, sha, prefixes);
  const yaml = entries.filter((e) => POLICY_FILE.test(e.path ?? ''));
  if (yaml.length > MAX_FETCH_POLICY_FILES) {
    throw new Error(`The policy paths (${prefixes.map((p) => p || '/').join(', ')}) hold ${yaml.length} YAML files; at most ${MAX_FETCH_POLICY_FILES} are fetched per run. Narrow the policy paths or merge policy files.`);
  }
  const byPath = new Map(entries.map((e) => [e.path as string, e]));
  const dir = await mkdtemp(join(tmpdir(), 'charter-policies-'));
  const root = resolve(dir);
  const dispose = () => rm(dir, { recursive: true, force: true });
  const written: string[] = [];
  const download = async (entry: TreeEntry): Promise<Buffer | undefined> => {
    const target = resolve(root, entry.path as string);
    if (!target.startsWith(`${root}${sep}`)) throw new Error(`Refusing to write ${JSON.stringify(entry.path)} outside the policy directory`);
    await mkdir(dirname(target), { recursive: true });
    written.push(entry.path as string);
    if ((entry.size ?? 0) > MAX_POLICY_FILE_BYTES) {
      // Too large to be a policy: a sparse placeholder of the same size, so the engine reports it.
      const handle = await open(target, 'w');
      await handle.truncate(entry.size);
      await handle.close();
      return undefined;
    }
    const { data } = await gh.rest.git.getBlob({ owner: repo.owner, repo: repo.repo, file_sha: entry.sha as string });
    const bytes = data.encoding === 'base64' ? Buffer.from(data.content, 'base64') : Buffer.from(data.content, 'utf8');
    await writeFile(target, bytes);
    return bytes;
  };
  try {
    const texts = await mapLimit(yaml, DOWNLOADS_AT_ONCE, download);
    const assets = new Set<string>();
    yaml.forEach((entry, i) => {
      const bytes = texts[i];
      if (!bytes) return;
      for (const path of referencedAssets(entry.path as string, bytes.toString('utf8'))) {
        const asset = byPath.get(path);
        // Oversized or missing assets are not fetched: the engine reports them like in a checkout.
        if (asset && !POLICY_FILE.test(path) && (asset.size ?? 0) <= MAX_ASSET_FILE_BYTES) assets.add(path);
      }
    });
    if (assets.size > MAX_FETCH_ASSETS) {
      throw new Error(`The policies name ${assets.size} asset files; at most ${MAX_FETCH_ASSETS} are fetched per run.`);
    }
    await mapLimit([...assets].sort().map((p) => byPath.get(p) as TreeEntry), DOWNLOADS_AT_ONCE, download);
  } catch (error) {
    await dispose();
    throw error;
  }
  const files = written.sort();
  return { dir, files, policyFiles: files.filter((f) => POLICY_FILE.test(f)).length, dispose };
}
