/**
 * Names Charter derives from a branch. CodePipeline names are `[A-Za-z0-9.@\-_]{1,100}`; a branch can be
 * 250 characters of anything git allows (slashes, non-ASCII). So a pipeline is named
 * `<prefix>-<slug>-<8 hex of SHA-256(branch)>`: the slug keeps it readable, the hash keeps distinct
 * branches distinct (`feature/a` and `feature-a` share a slug, not a hash), and the branch itself is kept
 * in the `charter:branch` tag. The same slug and hash fill `{branch}` in stack names.
 */
import { sha256 } from '../../core/json.js';

export const PIPELINE_NAME_MAX = 100;
export const STACK_NAME_MAX = 128;
/** Charter's tags on every pipeline it creates. */
export const OWNER_TAG = 'charter:policy';
export const BRANCH_TAG = 'charter:branch';
/** `<pipeline version>.<digest of the declaration Charter wrote>`: lets plan skip GetPipeline for pipelines nobody changed. */
export const APPLIED_TAG = 'charter:applied';
/** CodePipeline accepts tag values up to 256 characters. */
export const TAG_VALUE_MAX = 256;
/**
 * Apply phases: Charter's CodeBuild projects exist and are current before anything runs them (the cleanup
 * project included), pipeline deletes then free quota, approval topics exist before the pipelines that
 * notify them, and a topic or project no step uses any more goes last, after the pipelines stopped naming it.
 */
export const PHASE = { project: 0, delete: 1, topic: 2, pipeline: 3, topicDelete: 4, projectDelete: 5 } as const;

const HASH_LENGTH = 8;
/** `{branch}` placeholder in stack names. */
export const BRANCH_PLACEHOLDER = '{branch}';

export function branchHash(branch: string): string {
  return sha256(branch).slice(0, HASH_LENGTH);
}

/** ASCII letters, digits and single hyphens from the branch name (accents dropped), at most `max` characters. */
export function branchSlug(branch: string, max: number): string {
  const ascii = branch.normalize('NFKD').replace(/\p{M}+/gu, '');
  const slug = ascii
    .replace(/[^A-Za-z0-9]+/g, '-')
    .slice(0, Math.max(1, max))
    .replace(/^-+/, '')
    .replace(/-+$/, '');
  return slug || 'b';
}

/** The pipeline for `branch`: deterministic, unique per branch, valid for any branch name. */
export function pipelineName(prefix: string, branch: string): string {
  const room = PIPELINE_NAME_MAX - prefix.length - HASH_LENGTH - 2;
  return `${prefix}-${branchSlug(branch, room)}-${branchHash(branch)}`;
}

/** Whether a pipeline name has the shape Charter gives the pipelines of `prefix`. */
export function hasPrefix(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}-`) && name.length > prefix.length + HASH_LENGTH + 2;
}

/** A stack name from a template: each `{branch}` becomes `<slug>-<hash>`, shortened so the name fits 128 characters. */
export function stackName(template: string, branch: string): string {
  const parts = template.split(BRANCH_PLACEHOLDER);
  const count = parts.length - 1;
  if (count === 0) return template;
  const fixed = parts.join('').length;
  const room = Math.floor((STACK_NAME_MAX - fixed) / count) - HASH_LENGTH - 1;
  return parts.join(`${branchSlug(branch, room)}-${branchHash(branch)}`);
}

/**
 * Approval topics Charter owns (an environment's `approval.emails`) are named
 * `<namePrefix slug>-approval-<environment slug>-<8 hex digits>`: SNS names allow only letters, digits,
 * `-` and `_`, so the hash of prefix and environment keeps `a.b` and `a-b` apart.
 */
export function approvalTopicPrefix(prefix: string): string {
  return `${branchSlug(prefix, 60)}-approval-`;
}

export function approvalTopicName(prefix: string, environment: string): string {
  return `${approvalTopicPrefix(prefix)}${branchSlug(environment, 100)}-${branchHash(`${prefix}\0${environment}`)}`;
}
