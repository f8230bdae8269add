import { httpStatus, PER_PAGE, type GitHub, type Issue } from './client.js';
import type { RepoRef } from './repo.js';

/** The label that marks Charter's drift issue; one such issue per repository. */
export const DRIFT_LABEL = 'charter:drift';

export interface DriftIssueInput {
  drift: boolean;
  title: string;
  /** Issue body while there is drift; the closing comment when drift is gone. */
  body: string;
}

export interface DriftIssueResult {
  action: 'created' | 'updated' | 'closed' | 'reopened' | 'unchanged' | 'none';
  number?: number;
  url?: string;
}

/**
 * Charter's drift issue: the newest open issue with the drift label, else the newest closed one. Lists
 * every page of labelled issues (newest first) and skips pull requests, which the issues API includes.
 */
export async function findDriftIssue(gh: GitHub, repo: RepoRef): Promise<Issue | undefined> {
  let newest: Issue | undefined;
  const params = { owner: repo.owner, repo: repo.repo, labels: DRIFT_LABEL, state: 'all', sort: 'created', direction: 'desc', per_page: PER_PAGE } as const;
  for await (const { data: page } of gh.paginate.iterator(gh.rest.issues.listForRepo, params)) {
    for (const issue of page) {
      if (issue.pull_request) continue;
      if (issue.state === 'open') return issue;
      newest ??= issue;
    }
  }
  return newest;
}

async function ensureLabel(gh: GitHub, repo: RepoRef): Promise<void> {
  try {
    await gh.rest.issues.createLabel({
      owner: repo.owner,
      repo: repo.repo,
      name: DRIFT_LABEL,
      color: 'd93f0b',
      description: 'Live state differs from the Charter policies',
    });
  } catch (error) {
    if (httpStatus(error) !== 422) throw error; // 422: the label already exists
  }
}

/**
 * Keeps one drift issue per repository in step with the latest drift check: created when drift first
 * appears, updated in place while it lasts, closed with a comment when it is gone, reopened when it
 * returns.
 */
export async function syncDriftIssue(gh: GitHub, repo: RepoRef, input: DriftIssueInput): Promise<DriftIssueResult> {
  const issue = await findDriftIssue(gh, repo);
  const target = { owner: repo.owner, repo: repo.repo };
  if (!input.drift) {
    if (!issue || issue.state !== 'open') return { action: 'none', number: issue?.number, url: issue?.html_url };
    await gh.rest.issues.createComment({ ...target, issue_number: issue.number, body: input.body });
    await gh.rest.issues.update({ ...target, issue_number: issue.number, state: 'closed', state_reason: 'completed' });
    return { action: 'closed', number: issue.number, url: issue.html_url };
  }
  if (!issue) {
    await ensureLabel(gh, repo);
    const { data } = await gh.rest.issues.create({ ...target, title: input.title, body: input.body, labels: [DRIFT_LABEL] });
    return { action: 'created', number: data.number, url: data.html_url };
  }
  if (issue.state !== 'open') {
    await gh.rest.issues.update({
      ...target,
      issue_number: issue.number,
      state: 'open',
      state_reason: 'reopened',
      title: input.title,
      body: input.body,
    });
    return { action: 'reopened', number: issue.number, url: issue.html_url };
  }
  if (issue.title === input.title && (issue.body ?? '') === input.body) {
    return { action: 'unchanged', number: issue.number, url: issue.html_url };
  }
  await gh.rest.issues.update({ ...target, issue_number: issue.number, title: input.title, body: input.body });
  return { action: 'updated', number: issue.number, url: issue.html_url };
}
