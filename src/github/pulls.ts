import { PER_PAGE, type GitHub, type Label, type PullRequestSummary } from './client.js';
import type { RepoRef } from './repo.js';

export interface MergedPullRequest {
  number: number;
  labels: string[];
  headSha: string;
  mergedAt: string;
}

function labelNames(labels: ReadonlyArray<string | Pick<Label, 'name'>>): string[] {
  return labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);
}

/**
 * The pull request a commit on the default branch came from. Prefers the merged pull request whose merge
 * commit is `sha` (merge, squash and rebase merges all record it); otherwise the only merged pull request
 * associated with the commit. `undefined` when there is none, or several and none made this commit.
 */
export async function findMergedPullRequest(gh: GitHub, repo: RepoRef, sha: string): Promise<MergedPullRequest | undefined> {
  const merged: PullRequestSummary[] = [];
  const params = { owner: repo.owner, repo: repo.repo, commit_sha: sha, per_page: PER_PAGE };
  for await (const { data: page } of gh.paginate.iterator(gh.rest.repos.listPullRequestsAssociatedWithCommit, params)) {
    merged.push(...page.filter((pr) => pr.merged_at));
  }
  const pr = merged.find((p) => p.merge_commit_sha === sha) ?? (merged.length === 1 ? merged[0] : undefined);
  if (!pr || !pr.merged_at) return undefined;
  return { number: pr.number, labels: labelNames(pr.labels), headSha: pr.head.sha, mergedAt: pr.merged_at };
}

/** The current labels of a pull request (or issue), all pages. */
export async function pullRequestLabels(gh: GitHub, repo: RepoRef, number: number): Promise<string[]> {
  const names: string[] = [];
  const params = { owner: repo.owner, repo: repo.repo, issue_number: number, per_page: PER_PAGE };
  for await (const { data: page } of gh.paginate.iterator(gh.rest.issues.listLabelsOnIssue, params)) {
    names.push(...labelNames(page));
  }
  return names;
}

/** GitHub lists at most this many files of a pull request (REST `pulls/{n}/files`). */
export const MAX_PULL_REQUEST_FILES = 3000;

/**
 * The repository paths a pull request changes (all pages; a renamed file under both names), or undefined
 * when GitHub's list may be cut at MAX_PULL_REQUEST_FILES: then the caller cannot tell which policies were
 * touched and must plan them all.
 */
export async function pullRequestFiles(gh: GitHub, repo: RepoRef, number: number): Promise<string[] | undefined> {
  const files = new Set<string>();
  let entries = 0;
  // Bounded by GitHub's own cap: 30 pages of 100.
  const params = { owner: repo.owner, repo: repo.repo, pull_number: number, per_page: PER_PAGE };
  for await (const { data: page } of gh.paginate.iterator(gh.rest.pulls.listFiles, params)) {
    entries += page.length;
    for (const f of page) {
      files.add(f.filename);
      if (f.previous_filename) files.add(f.previous_filename);
    }
    if (entries >= MAX_PULL_REQUEST_FILES) return undefined;
  }
  return [...files].sort();
}
