/**
 * `charter import` for ProtectionGroups: the account's protection groups (ListProtectionGroups, every page,
 * and each group's tags, which say who owns it) written as a policy whose first plan has no group changes.
 *
 * Ownership decides what is imported: groups this policy owns (`charter:policy=<metadata.name>`) and groups
 * the policy file already lists always; a group with no owner only when named (`--group ID`) or with
 * `--adopt`; a group another policy owns only when named. Adopting means the group gets Charter's tag:
 * every imported group carries a `tags` key, so the first plan shows one tag change per adopted group
 * (adds `charter:policy=<name>`, safe) and the first apply writes it; from then on the plan is empty and
 * prune may delete the group if the policy stops listing it.
 */
import { describeSubscription, listProtectionGroups, listTags, shieldClient, type LiveGroup } from '../../aws/shield.js';
import type { PolicyDocument } from '../../core/document.js';
import { compareStrings, type Json } from '../../core/json.js';
import type { ImportedPolicy, ImportOptions, RuntimeContext } from '../../core/provider.js';
import { OWNER_TAG, RESERVED_TAG_PREFIXES } from './lint.js';
import type { ProtectionGroupsSpec } from './spec.generated.js';
import { mapLimit } from '../../core/concurrency.js';

/** Tag reads in flight at once (the client's rate limiter still spaces them). */
const TAG_READ_CONCURRENCY = 8;
/** Ids named in one notice before it says "and N more". */
const LISTED_IDS = 10;
/** The schema's member ARN pattern (protection-groups.schema.json#/definitions/memberArn), to say which live members a policy cannot hold. */
const MEMBER_ARN =
  /^(arn:aws[a-z-]*:cloudfront::[0-9]{12}:distribution\/[A-Z0-9]{1,32}|arn:aws[a-z-]*:route53:::hostedzone\/[A-Z0-9]{1,32}|arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:eip-allocation\/eipalloc-[0-9a-f]{1,64}|arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}|arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer\/[A-Za-z0-9-]{1,32}|arn:aws[a-z-]*:globalaccelerator::[0-9]{12}:accelerator\/[0-9a-f-]{1,64})$/;

function listIds(ids: readonly string[]): string {
  return ids.length <= LISTED_IDS ? ids.join(', ') : `${ids.slice(0, LISTED_IDS).join(', ')} and ${ids.length - LISTED_IDS} more`;
}


export async function importProtectionGroups(doc: PolicyDocument<ProtectionGroupsSpec>, ctx: RuntimeContext, options: ImportOptions): Promise<ImportedPolicy> {
  const client = shieldClient(ctx.aws);
  if (!(await describeSubscription(client))) throw new Error('This account has no AWS Shield Advanced subscription, so it has no protection groups to import');
  const live = (await listProtectionGroups(client)).sort((a, b) => compareStrings(a.id, b.id));
  const byId = new Map(live.map((g) => [g.id, g]));
  const named = new Set(options.groups ?? []);
  const missing = [...named].filter((id) => !byId.has(id));
  if (missing.length) throw new Error(`No protection group ${missing.join(', ')} in this account (--group names an existing group id)`);
  const listed = new Set((doc.spec.groups ?? []).map((g) => g.id));
  // Every group's tags: they say who owns it (one call per group, the rate limiter spaces them).
  const tags = await mapLimit(live, TAG_READ_CONCURRENCY, (g) => listTags(client, g.arn));
  const notices: string[] = [];
  /** What the policy cannot hold as it is live: said, never dropped silently. */
  const warnings: string[] = [];
  const imported: Array<{ group: LiveGroup; tags: Record<string, string> }> = [];
  const unowned: string[] = [];
  const othersOwn = new Map<string, string[]>();
  const adopted: string[] = [];
  live.forEach((group, i) => {
    const owner = tags[i][OWNER_TAG];
    const chosen = owner === doc.name || listed.has(group.id) || named.has(group.id) || (owner === undefined && options.adoptUnowned);
    if (!chosen) {
      if (owner === undefined) unowned.push(group.id);
      else othersOwn.set(owner, [...(othersOwn.get(owner) ?? []), group.id]);
      return;
    }
    if (owner !== doc.name) {
      adopted.push(group.id);
      if (owner !== undefined) notices.push(`protection group ${group.id} belongs to policy ${owner} (${OWNER_TAG}=${owner}); the first plan moves it to ${doc.name}, so remove it from ${owner} too`);
    }
    imported.push({ group, tags: tags[i] });
  });
  if (unowned.length) notices.push(`${unowned.length} protection group(s) no Charter policy owns were left out: ${listIds(unowned)}; name each with --group ID, or pass --adopt to import them all`);
  for (const [owner, ids] of othersOwn) notices.push(`${ids.length} protection group(s) of policy ${owner} were left out: ${listIds(ids)} (name one with --group ID to move it here)`);
  if (adopted.length) {
    notices.push(`adopting ${adopted.length} group(s): ${listIds(adopted)}. The first plan shows one safe tag change for each (adds ${OWNER_TAG}=${doc.name}, which marks it as this policy's); apply it, and the plan is empty from then on`);
  }

  const groups: Json[] = [];
  for (const { group, tags: liveTags } of imported) {
    const out: Record<string, Json> = { id: group.id, aggregation: group.aggregation, pattern: group.pattern };
    if (group.pattern === 'BY_RESOURCE_TYPE' && group.resourceType) out.resourceType = group.resourceType;
    if (group.pattern === 'ARBITRARY') {
      const members = group.members.filter((m) => MEMBER_ARN.test(m));
      const unsupported = group.members.filter((m) => !MEMBER_ARN.test(m));
      if (unsupported.length) warnings.push(`protection group ${group.id}: member(s) ${listIds(unsupported)} are not an ARN a policy can list; the first plan would remove them from the group`);
      if (!members.length) {
        warnings.push(`protection group ${group.id} is ARBITRARY with no member a policy can list (the schema needs at least one); it was left out`);
        continue;
      }
      out.members = members;
    }
    // Every tag but Charter's own is the policy's from now on; a key the policy may not write is left out (and kept on the group).
    const kept = Object.create(null) as Record<string, Json>; // user keys: `__proto__` stays data
    for (const key of Object.keys(liveTags).sort(compareStrings)) {
      if (key === OWNER_TAG) continue;
      if (RESERVED_TAG_PREFIXES.some((p) => key.toLowerCase().startsWith(p))) {
        warnings.push(`protection group ${group.id}: tag ${key} uses a reserved prefix a policy cannot write; it is left out of the policy and stays on the group`);
        continue;
      }
      kept[key] = liveTags[key];
    }
    out.tags = kept;
    groups.push(out);
  }
  if (!groups.length) notices.push('no protection group was imported; the policy lists none');
  // Keys import does not produce (prune) stay as the file had them.
  const spec: Record<string, Json> = {};
  if (doc.spec.prune !== undefined) spec.prune = doc.spec.prune;
  spec.groups = groups;
  return { spec, notices, warnings, comments: [] };
}
