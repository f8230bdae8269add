/**
 * A repository's branches for BranchPipelines: one repository read (for the default branch) and the
 * branch listing at 100 per page, so 300 branches cost four requests.
 */
import type { BranchList, BranchSource } from '../core/provider.js';
import { pages, PER_PAGE, type ApiResponse, type OctokitClient } from './client.js';

/** Most branches Charter lists for one repository (a budget: 100 pages). */
export const MAX_BRANCHES = 10_000;

export async function listBranches(octokit: OctokitClient, repository: string): Promise<BranchList> {
  const [owner, repo] = repository.split('/');
  const { data } = await octokit.rest.repos.get({ owner, repo });
  const branches: string[] = [];
  const fetchPage = (page: number) => octokit.rest.repos.listBranches({ owner, repo, per_page: PER_PAGE, page }) as Promise<ApiResponse<Array<{ name: string }>>>;
  for await (const page of pages(fetchPage)) {
    for (const b of page) branches.push(b.name);
    if (branches.length >= MAX_BRANCHES) throw new Error(`${repository} has more than ${MAX_BRANCHES} branches; Charter lists at most that many`);
  }
  return { defaultBranch: data.default_branch, branches };
}

/**
 * A BranchSource over one Octokit client. Listings are cached per run (several policies may name one
 * repository); `event` applies a branch create/delete event on top, since GitHub's listing can lag the
 * event that announced it by a moment.
 */
export function githubBranchSource(octokit: OctokitClient, event?: { repository: string; created?: string; deleted?: string }): BranchSource {
  const cache = new Map<string, Promise<BranchList>>();
  return {
    listBranches(repository) {
      const key = repository.toLowerCase();
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
