/**
 * The signed plan meta: the one owner of the hidden block in Charter's sticky pull request comment that says
 * which plan was reviewed (its fingerprint and one digest per change), at which head, whether destructive
 * changes were allowed at review, and what happened to it. A merge applies a plan only through this block,
 * so this module writes it, signs it, parses it and verifies it; its shape is stated once, in
 * plan-meta.schema.json, from which the type and the validator are generated (scripts/gen-types.mjs).
 *
 * The signature is an HMAC-SHA256 over the canonical JSON of every field but `sig`, keyed by a secret that
 * lives outside the repository (the app's configuration, the Action's `plan-signing-key` input). Pure apart
 * from node:crypto.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './json.js';
import { changeDigest, type Plan } from './plan.js';
import type { PolicyScope } from './scope.js';
import { validatePlanMetaDocument, type PlanMetaDocument } from './plan-meta.generated.js';

export type { PlanMetaDocument } from './plan-meta.generated.js';

export type CommentState = PlanMetaDocument['state'];

/** The meta as Charter uses it: the document without its version and signature. */
export type PlanMeta = Omit<PlanMetaDocument, 'v' | 'sig'>;

/** Where a meta belongs; every field is covered by the signature. */
export interface MetaContext {
  /** `owner/name` (compared case-insensitively: GitHub names are). */
  repository?: string;
  pullRequest?: number;
  commentId?: number;
  /** Head commit of the pull request the plan was reviewed at. */
  head?: string;
  /** Commit the plan was computed (or applied) at. */
  sha?: string;
  /** Destructive and disruptive changes allowed at review. */
  allowDestructive?: boolean;
  /** Forced past the change threshold at review (src/core/safety.ts). */
  force?: boolean;
  /** The plan covered only the policies the pull request changed (src/core/scope.ts); unset: every policy. */
  scope?: PolicyScope;
}

/** Longest JSON (before base64) embedded with its per-change list; beyond it only the fingerprint is kept. */
export const META_MAX_CHARS = 20_000;

const META_FORMAT = 2;
/** Separates this use of the key from any other (a key shared with something else cannot be replayed here). */
const SIGNING_CONTEXT = 'charter plan meta v2\n';
const BLOCK = /<!-- charter:meta ([A-Za-z0-9+/]+={0,2}) -->/;

/**
 * The key of the HMAC that puts each secret a policy reads into the plan fingerprint, derived from the plan
 * signing key: one secret to configure, two keys that never double as each other.
 */
export function secretDigestKey(planSigningKey: string): string {
  return Buffer.from(hkdfSync('sha256', planSigningKey, 'charter', 'charter secret fingerprint key v1', 32)).toString('hex');
}

export function planMeta(plan: Plan, state: CommentState, context: MetaContext = {}): PlanMeta {
  const meta: PlanMeta = {
    ...(context.repository ? { repository: context.repository.toLowerCase() } : {}),
    ...(context.pullRequest !== undefined ? { pullRequest: context.pullRequest } : {}),
    ...(context.commentId !== undefined ? { commentId: context.commentId } : {}),
    ...(context.head ? { head: context.head } : {}),
    ...(context.sha ? { sha: context.sha } : {}),
    fingerprint: plan.fingerprint,
    state,
    ...(context.allowDestructive !== undefined ? { allowDestructive: context.allowDestructive } : {}),
    ...(context.force ? { force: true } : {}),
    ...(context.scope === 'changed' ? { scope: 'changed' as const } : {}),
    changes: plan.changes.map((c): [string, string] => [c.address, changeDigest(c)]),
  };
  if (JSON.stringify({ v: META_FORMAT, ...meta }).length > META_MAX_CHARS) {
    meta.changes = [];
    meta.truncated = true;
  }
  return meta;
}

function signature(document: Omit<PlanMetaDocument, 'sig'>, key: string): string {
  return createHmac('sha256', key).update(SIGNING_CONTEXT).update(canonicalJson(document)).digest('hex');
}

/**
 * The hidden HTML comment that carries `meta`: base64 JSON, so no value can end the comment early. Signed
 * when a key is given.
 */
export function embedMeta(meta: PlanMeta, key?: string): string {
  const document: PlanMetaDocument = { v: META_FORMAT, ...meta };
  if (key) document.sig = signature(document, key);
  return `<!-- charter:meta ${Buffer.from(JSON.stringify(document), 'utf8').toString('base64')} -->`;
}

/**
 * Reads the meta block of a comment as written, signature included; `undefined` when there is none or it
 * does not match the schema. Reading is not trusting: see `verifyMeta`.
 */
export function parseMetaDocument(commentBody: string): PlanMetaDocument | undefined {
  const match = BLOCK.exec(commentBody);
  if (!match) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(match[1], 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  return validatePlanMetaDocument(value) ? value : undefined;
}

/** The meta of a comment without its version and signature (unverified). */
export function parseMeta(commentBody: string): PlanMeta | undefined {
  const document = parseMetaDocument(commentBody);
  if (!document) return undefined;
  const { v: _v, sig: _sig, ...meta } = document;
  return meta;
}

export interface MetaExpectation {
  repository: string;
  pullRequest: number;
  /** The id of the comment the meta was read from. */
  commentId: number;
  /** Without a key only the binding to repository, pull request and comment is checked. */
  key?: string;
}

export type MetaVerdict = { ok: true; meta: PlanMeta } | { ok: false; reason: string };

/**
 * Whether the meta in `commentBody` is one Charter wrote into this very comment: it names this repository,
 * pull request and comment id, and (with a key) carries a valid signature over every field. The reason says
 * which check failed, in words for the refusal message.
 */
export function verifyMeta(commentBody: string, expected: MetaExpectation): MetaVerdict {
  const document = parseMetaDocument(commentBody);
  if (!document) return { ok: false, reason: 'it carries no readable plan meta' };
  if (expected.key) {
    if (!document.sig) return { ok: false, reason: 'its plan meta is not signed' };
    const { sig, ...unsigned } = document;
    const want = Buffer.from(signature(unsigned, expected.key), 'hex');
    if (!timingSafeEqual(want, Buffer.from(sig, 'hex'))) {
      return { ok: false, reason: 'the signature of its plan meta does not match (the meta was changed after Charter wrote it, or signed with another key)' };
    }
  }
  if (document.repository !== expected.repository.toLowerCase() || document.pullRequest !== expected.pullRequest) {
    return { ok: false, reason: 'its plan meta belongs to another repository or pull request' };
  }
  if (document.commentId !== expected.commentId) return { ok: false, reason: 'its plan meta was written for another comment' };
  const { v: _v, sig: _sig, ...meta } = document;
  return { ok: true, meta };
}
