/**
 * Per-repository settings of the GitHub App, in `.github/charter.yml` on the default branch. They are read
 * from the default branch only, never from a pull request's head: a pull request cannot opt itself in.
 *
 * ```yaml
 * policies: [policies/]          # where the policies are (default: the app's CHARTER_POLICY_PATHS)
 * allowApplyBeforeMerge: true    # `/charter apply` on an open pull request (default: the app's setting, false)
 * allow:                         # narrows what the app's configuration lets policies reach (never widens it)
 *   env: [WAREHOUSE_URL]
 *   redshift: { clusters: [analytics] }
 *   accounts: [prod]
 *   forks: { live: false }
 * ```
 */
import { parse } from 'yaml';
import { parseReachConfig, type ReachConfig } from '../core/reach.js';
import { httpStatus, type GitHub, type RepositoryContent } from './client.js';
import type { RepoRef } from './repo.js';

export const REPO_CONFIG_PATH = '.github/charter.yml';

export interface RepoConfig {
  /** Policy paths for this repository; undefined: the app's default. */
  policies?: string[];
  /** `/charter apply` before the merge; undefined: the app's default (CHARTER_ALLOW_APPLY_BEFORE_MERGE). */
  allowApplyBeforeMerge?: boolean;
  /** Narrows the app's allowlist for this repository (src/core/reach.ts `narrowReach`); undefined: the app's as is. */
  allow?: ReachConfig;
}

const KEYS = new Set(['policies', 'allowApplyBeforeMerge', 'allow']);

/** Parses the settings file; throws with the file name on anything malformed (a typo must not go unnoticed). */
export function parseRepoConfig(text: string): RepoConfig {
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: true, maxAliasCount: 10 });
  } catch (error) {
    throw new Error(`${REPO_CONFIG_PATH} is not valid YAML: ${(error as Error).message}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${REPO_CONFIG_PATH} must be a mapping`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!KEYS.has(key)) throw new Error(`${REPO_CONFIG_PATH}: unknown setting ${JSON.stringify(key)} (known: ${[...KEYS].join(', ')})`);
  }
  const config: RepoConfig = {};
  if (obj.allowApplyBeforeMerge !== undefined) {
    if (typeof obj.allowApplyBeforeMerge !== 'boolean') throw new Error(`${REPO_CONFIG_PATH}: allowApplyBeforeMerge must be true or false`);
    config.allowApplyBeforeMerge = obj.allowApplyBeforeMerge;
  }
  // Names only: a repository cannot choose a role or an account's ARN, only give up what it was granted.
  if (obj.allow !== undefined) config.allow = parseReachConfig(obj.allow, `${REPO_CONFIG_PATH}: allow`, { allowRole: false });
  if (obj.policies !== undefined) {
    const list = typeof obj.policies === 'string' ? [obj.policies] : obj.policies;
    if (!Array.isArray(list) || !list.length || !list.every((p) => typeof p === 'string' && p.trim())) {
      throw new Error(`${REPO_CONFIG_PATH}: policies must be a path or a non-empty list of paths`);
    }
    config.policies = list.map((p: string) => p.trim());
  }
  return config;
}

/** The settings at `ref` (the default branch), or the defaults when the file does not exist. */
export async function readRepoConfig(gh: GitHub, repo: RepoRef, ref: string): Promise<RepoConfig> {
  let data: RepositoryContent;
  try {
    ({ data } = await gh.rest.repos.getContent({ owner: repo.owner, repo: repo.repo, path: REPO_CONFIG_PATH, ref }));
  } catch (error) {
    if (httpStatus(error) === 404) return {};
    throw error;
  }
  if (Array.isArray(data) || data.type !== 'file' || !('content' in data) || typeof data.content !== 'string') throw new Error(`${REPO_CONFIG_PATH} is not a file`);
  return parseRepoConfig(Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8'));
}
