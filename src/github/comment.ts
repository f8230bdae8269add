import { COMMENT_MARKER } from '../core/render/index.js';
import { lastPage, PER_PAGE, type GitHub, type IssueComment } from './client.js';
import type { RepoRef } from './repo.js';

export interface StickyComment {
  id: number;
  nodeId?: string;
  body: string;
  author?: string;
  /** Id of the GitHub App that wrote it, if one did. */
  appId?: number;
  createdAt: string;
  updatedAt: string;
  url: string;
}

export interface StickyOptions {
  /**
   * Only comments by these logins count (e.g. `github-actions[bot]` for the Action's GITHUB_TOKEN, or
   * `<app-slug>[bot]` for the app). By default any author's comment with the marker counts.
   */
  authors?: readonly string[];
  /** Only comments written by this GitHub App (`performed_via_github_app.id`) count. */
  appId?: number;
  /**
   * A further check on each candidate, newest first: the first it accepts is the one found. Without it the
   * newest candidate is found.
   */
  accept?: (comment: StickyComment) => boolean;
}

/** GitHub's size limit for a comment body. */
export const MAX_COMMENT_LENGTH = 65_536;

function isSticky(comment: IssueComment, options: StickyOptions): boolean {
  if (!comment.body || !comment.body.trimStart().startsWith(COMMENT_MARKER)) return false;
  if (options.appId !== undefined && comment.performed_via_github_app?.id !== options.appId) return false;
  if (options.authors && !options.authors.includes(comment.user?.login ?? '')) return false;
  return !options.accept || options.accept(toSticky(comment));
}

function toSticky(comment: IssueComment): StickyComment {
  return {
    id: comment.id,
    ...(comment.node_id ? { nodeId: comment.node_id } : {}),
    body: comment.body ?? '',
    author: comment.user?.login,
    ...(comment.performed_via_github_app ? { appId: comment.performed_via_github_app.id } : {}),
    createdAt: comment.created_at,
    updatedAt: comment.updated_at,
    url: comment.html_url,
  };
}

/** The newest comment on a page that is Charter's, if any (pages list comments oldest first). */
function newestOn(comments: IssueComment[], options: StickyOptions): IssueComment | undefined {
  for (let i = comments.length - 1; i >= 0; i--) if (isSticky(comments[i], options)) return comments[i];
  return undefined;
}

/**
 * Finds Charter's comment on an issue or pull request: the newest comment whose body starts with the
 * marker (and that the options accept). Comments are listed oldest first, 100 per page; after the first page the lookup walks back from
 * the last page (from the `Link` header), so on a long pull request the newest comment is found with few
 * requests while every page is still covered.
 */
export async function findStickyComment(
  gh: GitHub,
  repo: RepoRef,
  issueNumber: number,
  options: StickyOptions = {},
): Promise<StickyComment | undefined> {
  const params = { owner: repo.owner, repo: repo.repo, issue_number: issueNumber, per_page: PER_PAGE };
  const first = await gh.rest.issues.listComments({ ...params, page: 1 });
  const last = lastPage(first.headers.link);
  if (last !== undefined && last > 1) {
    for (let page = last; page > 1; page--) {
      const found = newestOn((await gh.rest.issues.listComments({ ...params, page })).data, options);
      if (found) return toSticky(found);
    }
  } else if (first.headers.link?.includes('rel="next"')) {
    // No `last` relation: walk forward from page 2 and keep the newest match.
    let newest: IssueComment | undefined;
    for await (const { data } of gh.paginate.iterator(gh.rest.issues.listComments, { ...params, page: 2 })) newest = newestOn(data, options) ?? newest;
    if (newest) return toSticky(newest);
  }
  const found = newestOn(first.data, options);
  return found && toSticky(found);
}

/**
 * Creates Charter's comment, or updates the existing one in place (never a second comment). An unchanged
 * body is not written again.
 */
export async function upsertStickyComment(
  gh: GitHub,
  repo: RepoRef,
  issueNumber: number,
  body: string,
  options: StickyOptions = {},
): Promise<{ id: number; created: boolean; updated: boolean; url: string }> {
  if (!body.trimStart().startsWith(COMMENT_MARKER)) {
    throw new Error(`A Charter comment must start with ${COMMENT_MARKER}, or it could not be found again`);
  }
  if (body.length > MAX_COMMENT_LENGTH) {
    throw new Error(`The comment is ${body.length} characters long; GitHub accepts at most ${MAX_COMMENT_LENGTH}`);
  }
  const existing = await findStickyComment(gh, repo, issueNumber, options);
  if (existing) {
    if (existing.body === body) return { id: existing.id, created: false, updated: false, url: existing.url };
    const { data } = await gh.rest.issues.updateComment({ owner: repo.owner, repo: repo.repo, comment_id: existing.id, body });
    return { id: data.id, created: false, updated: true, url: data.html_url };
  }
  const { data } = await gh.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: issueNumber, body });
  return { id: data.id, created: true, updated: true, url: data.html_url };
}
