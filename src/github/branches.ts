/**
 * A repository's branches for BranchPipelines: one repository read (for the default branch) and the
 * branch listing at 100 per page, so 300 branches cost four requests.
 */
import type { BranchList, BranchSource } from '../core/provider.js';
import { PER_PAGE, type GitHub } from './client.js';

/** Most branches Charter lists for one repository (a budget: 100 pages). */
export const MAX_BRANCHES = 10_000;

export async function listBranches(octokit: GitHub, repository: string): Promise<BranchList> {
  const [owner, repo] = repository.split('/');
  const { data } = await octokit.rest.repos.get({ owner, repo });
  const branches: string[] = [];
  for await (const { data: page } of octokit.paginate.iterator(octokit.rest.repos.listBranches, { owner, repo, per_page: PER_PAGE })) {
    for (const b of page) branches.push(b.name);
    if (branches.length >= MAX_BRANCHES) throw new Error(`${repository} has more than ${MAX_BRANCHES} branches; Charter lists at most that many`);
  }
  return { defaultBranch: data.default_branch, branches };
}

/** Thrown for a repository this run may not read (`allowed` in `githubBranchSource`). */
export class RepositoryNotAllowedError extends Error {
  readonly code = 'repository-not-allowed';
  constructor(
    readonly repository: string,
    readonly allowed: readonly string[],
  ) {
    super(`This run may list the branches of ${allowed.join(', ')} only, not of ${repository}`);
    this.name = 'RepositoryNotAllowedError';
  }
}

export interface BranchSourceOptions {
  /**
   * Repositories (`owner/name`) whose branches may be listed; undefined: any the token can read (the CLI).
   * The Action and the app allow their own repository only: a policy comes from a pull request, and its
   * `repository` must not make Charter read (and print) the branches of another repository its token reaches.
   */
  allowed?: readonly string[];
  /** A branch create/delete event applied on top of the listing, which can lag the event by a moment. */
  event?: { repository: string; created?: string; deleted?: string };
}

/** A BranchSource over one Octokit client. Listings are cached per run (several policies may name one repository). */
export function githubBranchSource(octokit: GitHub, options: BranchSourceOptions = {}): BranchSource {
  const cache = new Map<string, Promise<BranchList>>();
  const allowed = options.allowed?.map((r) => r.toLowerCase());
  const event = options.event;
  return {
    listBranches(repository) {
      const key = repository.toLowerCase();
      if (allowed && !allowed.includes(key)) return Promise.reject(new RepositoryNotAllowedError(repository, options.allowed ?? []));
      let listing = cache.get(key);
      if (!listing) {
        listing = listBranches(octokit, repository).then((l) => {
          if (!event || event.repository.toLowerCase() !== key) return l;
          const set = new Set(l.branches);
          if (event.created) set.add(event.created);
          if (event.deleted) set.delete(event.deleted);
          return { defaultBranch: l.defaultBranch, branches: [...set] };
        });
        cache.set(key, listing);
      }
      return listing;
    },
  };
}
