/**
 * Charter's own sticky comment, verified rather than trusted. A comment counts only when (a) it was written
 * by Charter's identity (the app: its bot login and its app id; the Action: the `comment-author` login) and
 * its plan meta names this repository, pull request and comment id, with a valid HMAC when there is a
 * signing key; and, before anything is applied from it, (b) nobody but Charter edited it after Charter last
 * wrote it (GitHub's edit history, read through GraphQL). Writing goes through here too, so every meta
 * Charter writes carries its comment id and signature.
 */
import { COMMENT_MARKER } from '../core/render/index.js';
import { verifyMeta, type PlanMeta } from '../core/plan-meta.js';
import type { GitHub } from './client.js';
import { findStickyComment, MAX_COMMENT_LENGTH, type StickyComment } from './comment.js';
import { repositoryName, type RepoRef } from './repo.js';

/** Who Charter is on GitHub, and the key its plan metas are signed with. */
export interface CommentTrust {
  /** REST logins Charter writes as: `<app-slug>[bot]`, `github-actions[bot]`, or the user of a personal token. */
  authors: readonly string[];
  /** The app's id: the app's comments carry it in `performed_via_github_app`. */
  appId?: number;
  /** HMAC key of the plan meta; without one only (a) the binding to comment and author and (b) the edit history protect it. */
  signingKey?: string;
}

export interface CharterComment extends StickyComment {
  meta: PlanMeta;
}

export interface CommentLookup {
  comment?: CharterComment;
  /** Comments that looked like Charter's (marker, author) but failed verification, newest first (at most 10). */
  rejected: Array<{ id: number; reason: string }>;
}

/** Charter's comment on pull request `number`: the newest by Charter's identity whose meta verifies. */
export async function findCharterComment(gh: GitHub, repo: RepoRef, number: number, trust: CommentTrust): Promise<CommentLookup> {
  const rejected: CommentLookup['rejected'] = [];
  let meta: PlanMeta | undefined;
  const found = await findStickyComment(gh, repo, number, {
    authors: trust.authors,
    appId: trust.appId,
    accept: (comment) => {
      const verdict = verifyMeta(comment.body, { repository: repositoryName(repo), pullRequest: number, commentId: comment.id, key: trust.signingKey });
      if (verdict.ok) meta = verdict.meta;
      else if (rejected.length < 10) rejected.push({ id: comment.id, reason: verdict.reason });
      return verdict.ok;
    },
  });
  return { comment: found && meta ? { ...found, meta } : undefined, rejected };
}

interface GraphActor {
  __typename?: string;
  login: string;
}

interface CommentHistory {
  node: {
    databaseId?: number;
    body?: string;
    createdAt?: string;
    lastEditedAt?: string | null;
    author?: GraphActor | null;
    editor?: GraphActor | null;
    userContentEdits?: { totalCount: number; nodes: Array<{ editedAt: string; editor: GraphActor | null } | null> | null } | null;
  } | null;
}

const HISTORY_QUERY = `query CharterCommentHistory($id: ID!) {
  node(id: $id) {
    ... on IssueComment {
      databaseId
      body
      createdAt
      lastEditedAt
      author { __typename login }
      editor { __typename login }
      userContentEdits(last: 20) { totalCount nodes { editedAt editor { __typename login } } }
    }
  }
}`;

/** GraphQL names a bot without the `[bot]` suffix REST shows (`github-actions` for `github-actions[bot]`). */
function isCharter(actor: GraphActor | null | undefined, trust: CommentTrust): boolean {
  if (!actor) return false;
  return trust.authors.some((login) => {
    if (login.endsWith('[bot]')) return actor.__typename === 'Bot' && (actor.login === login.slice(0, -5) || actor.login === login);
    return actor.__typename !== 'Bot' && actor.login === login;
  });
}

export type EditVerdict = { ok: true; writtenAt: string } | { ok: false; reason: string };

/**
 * Whether anyone but Charter edited `comment` after Charter last wrote it, from GitHub's own record of
 * edits: the latest editor (`editor`, and the newest entry of `userContentEdits`) must be Charter, and the
 * body must be the one that was verified. `writtenAt` is when Charter last wrote it.
 */
export async function checkUnedited(gh: GitHub, comment: StickyComment, trust: CommentTrust): Promise<EditVerdict> {
  if (!comment.nodeId) return { ok: false, reason: 'GitHub did not give its node id, so its edit history cannot be checked' };
  const { node } = await gh.graphql<CommentHistory>(HISTORY_QUERY, { id: comment.nodeId });
  if (!node || node.databaseId !== comment.id || !node.createdAt) return { ok: false, reason: 'its edit history could not be read' };
  if (!isCharter(node.author, trust)) return { ok: false, reason: `it was written by ${node.author?.login ?? 'a deleted account'}, not by Charter` };
  if (node.body !== comment.body) return { ok: false, reason: 'it changed while Charter was reading it' };
  const edits = (node.userContentEdits?.nodes ?? []).filter((e): e is { editedAt: string; editor: GraphActor | null } => Boolean(e));
  const newest = edits.reduce<(typeof edits)[number] | undefined>((latest, e) => (!latest || e.editedAt > latest.editedAt ? e : latest), undefined);
  const edited = Boolean(node.lastEditedAt) || (node.userContentEdits?.totalCount ?? 0) > 0;
  if (!edited) return { ok: true, writtenAt: node.createdAt };
  for (const editor of [node.editor, newest?.editor]) {
    if (!isCharter(editor, trust)) {
      return { ok: false, reason: `it was edited by ${editor?.login ?? 'a deleted account'} after Charter last wrote it (${node.lastEditedAt ?? newest?.editedAt})` };
    }
  }
  return { ok: true, writtenAt: node.lastEditedAt ?? newest?.editedAt ?? node.createdAt };
}

/**
 * Writes Charter's comment: updates `existing` in place, or creates the comment and then writes its final
 * body, whose meta names the new comment's id (known only once it exists; until then the meta does not
 * verify, so the first body is never trusted). An unchanged body is not written again.
 */
export async function writeCharterComment(
  gh: GitHub,
  repo: RepoRef,
  number: number,
  existing: StickyComment | undefined,
  body: (commentId: number | undefined) => string,
): Promise<{ id: number; created: boolean; updated: boolean; url: string }> {
  const check = (text: string) => {
    if (!text.trimStart().startsWith(COMMENT_MARKER)) throw new Error(`A Charter comment must start with ${COMMENT_MARKER}, or it could not be found again`);
    if (text.length > MAX_COMMENT_LENGTH) throw new Error(`The comment is ${text.length} characters long; GitHub accepts at most ${MAX_COMMENT_LENGTH}`);
    return text;
  };
  const update = (id: number, text: string) => gh.rest.issues.updateComment({ owner: repo.owner, repo: repo.repo, comment_id: id, body: check(text) });
  if (existing) {
    const text = body(existing.id);
    if (existing.body === text) return { id: existing.id, created: false, updated: false, url: existing.url };
    const { data } = await update(existing.id, text);
    return { id: data.id, created: false, updated: true, url: data.html_url };
  }
  const { data: created } = await gh.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: number, body: check(body(undefined)) });
  const { data } = await update(created.id, body(created.id));
  return { id: data.id, created: true, updated: true, url: data.html_url };
}
