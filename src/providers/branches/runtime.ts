/**
 * BranchPipelines plan and apply. One plan costs, per region: ListPipelines (all pages), one
 * ListTagsForResource per pipeline named `<namePrefix>-…`, and GetPipeline only for Charter's pipelines
 * whose `charter:applied` tag does not vouch for them (changed since apply, or the policy changed); per
 * repository: the branch listing (GitHub, 100 per page). No other per-pipeline call.
 *
 * Apply runs each change alone: create (with the tags, the applied tag included), update (then re-tag),
 * delete (the cleanup build first, with BRANCH set, waited for; a failing build keeps the pipeline and
 * fails the change; ownership is re-read right before the delete).
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { diagnosticAt, policyId, type PolicyDocument } from '../../core/document.js';
import { compareStrings, type Json } from '../../core/json.js';
import type { Change, ChangeResult } from '../../core/plan.js';
import type { BranchList, DiffResult, ProviderRuntime, RuntimeContext } from '../../core/provider.js';
import type { ProjectSpec, ProjectView } from '../../aws/codebuild-project.js';
import { desiredTopics, pipelineArn, type PipelineDeclaration } from './desired.js';
import { planProjects, projectPrefix, projectRegions, type LiveProject } from './projects.js';
import { normalizeLive } from './diff.js';
import { APPLIED_TAG, approvalTopicPrefix, hasPrefix, OWNER_TAG } from './names.js';
import { appliedTag, desiredPipelines, planPolicy, planTopics, quotaProblem, unchangedSinceApply, type LivePipeline, type LiveSubscription, type LiveTopic } from './reconcile.js';
import { awsServices } from './aws.js';
import type { BranchPipelinesSpec } from './spec.generated.js';
import { mapLimit } from '../../core/concurrency.js';

type Doc = PolicyDocument<BranchPipelinesSpec>;

export interface PipelineSummary {
  name: string;
  version?: number;
}

/** The CodePipeline calls this provider makes, in one region (src/aws wraps the SDK). */
export interface PipelineApi {
  listPipelines(): Promise<PipelineSummary[]>;
  listTags(arn: string): Promise<Record<string, string>>;
  /** The `pipeline` object of GetPipeline, or undefined for PipelineNotFoundException. */
  getPipeline(name: string): Promise<unknown>;
  /** Returns the new pipeline's version. */
  createPipeline(declaration: PipelineDeclaration, tags: Record<string, string>): Promise<number>;
  /** Returns the pipeline's version after the update. */
  updatePipeline(declaration: PipelineDeclaration): Promise<number>;
  tagResource(arn: string, tags: Record<string, string>): Promise<void>;
  /** False when the pipeline was already gone. */
  deletePipeline(name: string): Promise<boolean>;
}

/** The CodeBuild calls of the cleanup build. */
export interface BuildApi {
  /** Starts a build of `project` with these plaintext environment variables; returns the build id. */
  startBuild(project: string, variables: Record<string, string>): Promise<string>;
  /** Waits until the build finishes; its final status (SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED). */
  waitForBuild(id: string, timeoutMs: number, pollIntervalMs: number): Promise<string>;
}

/** The CodeBuild project calls for the projects Charter creates from buildspec templates. */
export interface ProjectApi {
  /** Every project name of the region (ListProjects, all pages). */
  listNames(): Promise<string[]>;
  /** The named projects that exist, reduced to what Charter compares, with their tags (BatchGetProjects, 100 a call). */
  get(names: string[]): Promise<Array<{ name: string; view: ProjectView; tags: Record<string, string> }>>;
  create(project: ProjectSpec, tags: Record<string, string>): Promise<void>;
  update(project: ProjectSpec, tags: Record<string, string>): Promise<void>;
  /** False when it was already gone. */
  delete(name: string): Promise<boolean>;
}

/** The SNS calls for the approval topics Charter owns. */
export interface TopicApi {
  /** Every topic ARN of the region. */
  listTopics(): Promise<string[]>;
  /** The topic's tags, or undefined when it does not exist. */
  listTags(arn: string): Promise<Record<string, string> | undefined>;
  /** Email subscriptions of the topic, pending (no ARN) or confirmed. */
  listEmails(arn: string): Promise<LiveSubscription[]>;
  /** The topic's access policy (JSON text). */
  getPolicy(arn: string): Promise<string | undefined>;
  setPolicy(arn: string, policy: string): Promise<void>;
  /** Deletes a confirmed subscription; false when it was already gone. */
  unsubscribe(subscriptionArn: string): Promise<boolean>;
  /** Creates the topic with its tags (idempotent); returns its ARN. */
  createTopic(name: string, tags: Record<string, string>): Promise<string>;
  tagTopic(arn: string, tags: Record<string, string>): Promise<void>;
  subscribeEmail(arn: string, email: string): Promise<void>;
  deleteTopic(arn: string): Promise<void>;
}

export const branchesRuntime: ProviderRuntime<BranchPipelinesSpec> = branchesRuntimeWith(awsServices);

export interface Services {
  pipelines(region: string): PipelineApi;
  builds(region: string): BuildApi;
  topics(region: string): TopicApi;
  projects(region: string): ProjectApi;
}

/** Reads in flight at once per region (the rate limiter still spaces them). */
const READ_CONCURRENCY = 8;


/** The runtime over the given AWS services (the SDK in production; tests pass the same over the sandbox or moto). */
export function branchesRuntimeWith(services: (ctx: RuntimeContext) => Services): ProviderRuntime<BranchPipelinesSpec> {
  return {
    plan: (docs, ctx) => plan(docs, ctx, services(ctx)),
    apply: (changes, docs, ctx) => apply(changes, docs, ctx, services(ctx)),
  };
}

async function listings(docs: Doc[], ctx: RuntimeContext): Promise<Map<Doc, BranchList | Diagnostic>> {
  const out = new Map<Doc, BranchList | Diagnostic>();
  for (const doc of docs) {
    if (!ctx.branches) {
      out.set(doc, diagnosticAt(doc, ['spec', 'repository'], 'branches/no-github', 'warning', `Not planned: this run has no GitHub access to list the branches of ${doc.spec.repository}`, 'The Action and the app use their GitHub token; the CLI reads GITHUB_TOKEN (and GITHUB_API_URL on GitHub Enterprise Server).'));
      continue;
    }
    try {
      out.set(doc, await ctx.branches.listBranches(doc.spec.repository));
    } catch (error) {
      if ((error as { code?: string }).code === 'repository-not-allowed') {
        out.set(doc, diagnosticAt(doc, ['spec', 'repository'], 'branches/repository-not-allowed', 'warning', `Not planned: ${(error as Error).message}`, 'A BranchPipelines policy manages the pipelines of the repository it lives in; put it in that repository.'));
        continue;
      }
      const status = (error as { status?: number }).status;
      out.set(doc, diagnosticAt(doc, ['spec', 'repository'], 'branches/github-error', 'error', `Cannot list the branches of ${doc.spec.repository}: ${status ? `GitHub answered ${status}` : (error as Error).message}`, 'Check that the repository exists and that the token (or the app installation) can read it.'));
    }
  }
  return out;
}

async function plan(docs: Doc[], ctx: RuntimeContext, services: Services): Promise<DiffResult> {
  const result: DiffResult = { changes: [], diagnostics: [], inputs: {} };
  const branchLists = await listings(docs, ctx);
  const regions = [...new Set(docs.map((d) => d.spec.region))].sort(compareStrings);
  const projectNames = new Map<string, string[]>();
  for (const region of regions) {
    const api = services.pipelines(region);
    const inRegion = docs.filter((d) => d.spec.region === region);
    const summaries = await api.listPipelines();
    let creates = 0;
    let deletes = 0;
    const planned: Doc[] = [];
    for (const doc of inRegion) {
      const listing = branchLists.get(doc)!;
      if (!('branches' in listing)) {
        result.diagnostics.push(listing);
        continue;
      }
      const candidates = summaries.filter((s) => hasPrefix(doc.spec.namePrefix, s.name));
      const tags = await mapLimit(candidates, READ_CONCURRENCY, (s) => api.listTags(pipelineArn(doc.spec, s.name)));
      const live: LivePipeline[] = candidates.map((s, i) => ({ name: s.name, version: s.version, tags: tags[i] }));
      const desired = desiredPipelines(doc, listing);
      // GetPipeline only for Charter's desired pipelines the applied tag does not vouch for.
      const toRead = live.filter((p) => {
        const want = desired.get(p.name);
        return want && p.tags?.[OWNER_TAG] === doc.name && !unchangedSinceApply(p, want);
      });
      const declarations = await mapLimit(toRead, READ_CONCURRENCY, (p) => api.getPipeline(p.name));
      toRead.forEach((p, i) => {
        if (declarations[i] !== undefined) p.declaration = normalizeLive(declarations[i]);
      });
      // A pipeline deleted between ListPipelines and GetPipeline is missing: plan creates it.
      const present = live.filter((p) => !toRead.includes(p) || p.declaration);
      const outcome = planPolicy(doc, listing, present);
      result.changes.push(...outcome.changes);
      result.diagnostics.push(...outcome.diagnostics);
      result.inputs[policyId(doc)] = outcome.inputs;
      // What the policy owns (the safety threshold's base): the pipelines tagged as its own, and below its approval topics.
      (result.owned ??= {})[policyId(doc)] = live.filter((p) => p.tags?.[OWNER_TAG] === doc.name).length;
      creates += outcome.changes.filter((c) => c.action === 'create').length;
      deletes += outcome.changes.filter((c) => c.action === 'delete').length;
      planned.push(doc);
    }
    if (planned.length) {
      // Approval topics: one ListTopics per region, tags of the topics named like a policy's, subscriptions of its own desired ones.
      const topics = services.topics(region);
      const arns = await topics.listTopics();
      for (const doc of planned) {
        const prefix = approvalTopicPrefix(doc.spec.namePrefix);
        const wanted = desiredTopics(doc.spec, doc.name);
        const named = arns.map((arn) => ({ arn, name: arn.slice(arn.lastIndexOf(':') + 1) })).filter((t) => t.name.startsWith(prefix));
        const tags = await mapLimit(named, READ_CONCURRENCY, (t) => topics.listTags(t.arn));
        const live: LiveTopic[] = named.flatMap((t, i) => (tags[i] ? [{ ...t, tags: tags[i]! }] : []));
        const own = live.filter((t) => wanted.has(t.name) && t.tags[OWNER_TAG] === doc.name);
        const subscriptions = await mapLimit(own, READ_CONCURRENCY, (t) => topics.listEmails(t.arn));
        const policies = await mapLimit(own, READ_CONCURRENCY, (t) => topics.getPolicy(t.arn));
        own.forEach((t, i) => {
          t.subscriptions = subscriptions[i];
          t.policy = policies[i];
        });
        result.owned![policyId(doc)] += own.length;
        const outcome = planTopics(doc, live);
        result.changes.push(...outcome.changes);
        result.diagnostics.push(...outcome.diagnostics);
      }
    }
    // Charter's CodeBuild projects: one ListProjects per region a policy may have one in, BatchGetProjects for the names with a policy's prefix.
    for (const doc of planned) {
      const prefix = projectPrefix(doc.spec.namePrefix);
      const live: LiveProject[] = [];
      for (const projectRegion of projectRegions(doc.spec)) {
        const projects = services.projects(projectRegion);
        const names = (projectNames.get(projectRegion) ?? (await cacheNames(projectNames, projectRegion, projects))).filter((n) => n.startsWith(prefix));
        if (names.length) for (const p of await projects.get(names)) live.push({ region: projectRegion, ...p });
      }
      const outcome = planProjects(doc, live);
      result.changes.push(...outcome.changes);
      result.diagnostics.push(...outcome.diagnostics);
    }
    const first = planned.sort((a, b) => compareStrings(a.name, b.name))[0];
    const problem = first && quotaProblem(first, summaries.length, creates, deletes);
    if (problem) result.diagnostics.push(problem);
  }
  return result;
}

async function cacheNames(cache: Map<string, string[]>, region: string, projects: ProjectApi): Promise<string[]> {
  const names = await projects.listNames();
  cache.set(region, names);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Apply

type Data = Record<string, Json>;

async function apply(changes: Change[], docs: Doc[], ctx: RuntimeContext, services: Services): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  for (const c of changes) {
    const doc = docs.find((d) => d.name === c.policy);
    try {
      if (!doc) throw new Error(`No BranchPipelines policy named ${c.policy}`);
      results.push({ address: c.address, status: 'applied', detail: await applyOne(doc, c, ctx, services) });
    } catch (error) {
      const e = error as { name?: string; message?: string };
      results.push({ address: c.address, status: 'failed', error: `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(error)}` });
      break;
    }
  }
  return results;
}

async function applyOne(doc: Doc, c: Change, ctx: RuntimeContext, services: Services): Promise<string> {
  const data = c.data as Data;
  const api = services.pipelines(doc.spec.region);
  const name = String(data.name);
  const arn = pipelineArn(doc.spec, name);
  const declaration = data.declaration as unknown as PipelineDeclaration;
  const digest = String(data.digest ?? '');
  switch (data.op) {
    case 'create': {
      const version = await api.createPipeline(declaration, { ...(data.tags as Record<string, string>), [APPLIED_TAG]: appliedTag(1, digest) });
      if (version !== 1) await api.tagResource(arn, { [APPLIED_TAG]: appliedTag(version, digest) });
      return `created pipeline ${name} for branch ${String(data.branch)}`;
    }
    case 'update':
    case 'tags': {
      await assertOwned(api, arn, doc, name);
      const version = data.op === 'update' ? await api.updatePipeline(declaration) : await currentVersion(api, name);
      await api.tagResource(arn, { ...(data.tags as Record<string, string>), [APPLIED_TAG]: appliedTag(version, digest) });
      return data.op === 'update' ? `updated pipeline ${name}` : `tags of pipeline ${name} updated`;
    }
    case 'delete': {
      await assertOwned(api, arn, doc, name);
      const cleanup = data.cleanup as Cleanup | null;
      const branch = String(data.branch);
      if (cleanup) await runCleanup(services.builds(doc.spec.region), cleanup, branch, name, ctx);
      const deleted = await api.deletePipeline(name);
      return `${deleted ? 'deleted' : 'already gone:'} pipeline ${name} (branch ${branch})${cleanup ? ` after cleanup build ${cleanup.project} succeeded` : ''}`;
    }
    case 'topic-create': {
      const topics = services.topics(doc.spec.region);
      const arn = await topics.createTopic(name, data.tags as Record<string, string>);
      // The policy first: CodePipeline may publish as soon as a pipeline names the topic.
      if (typeof data.policy === 'string') await topics.setPolicy(arn, data.policy);
      const emails = data.emails as string[];
      for (const email of emails) await topics.subscribeEmail(arn, email);
      return `created approval topic ${name}${typeof data.policy === 'string' ? ' with its access policy' : ''}; SNS mailed a confirmation link to ${emails.join(', ')}`;
    }
    case 'topic-update': {
      const topics = services.topics(doc.spec.region);
      const topicArn = String(data.arn);
      await assertTopicOwned(topics, topicArn, doc, name);
      await topics.tagTopic(topicArn, data.tags as Record<string, string>);
      if (typeof data.policy === 'string') await topics.setPolicy(topicArn, data.policy);
      const emails = data.emails as string[];
      for (const email of emails) await topics.subscribeEmail(topicArn, email);
      const removed = (data.unsubscribe ?? []) as Array<{ email: string; arn: string }>;
      for (const s of removed) await topics.unsubscribe(s.arn);
      const notes = [
        typeof data.policy === 'string' ? 'access policy set' : '',
        emails.length ? `SNS mailed a confirmation link to ${emails.join(', ')}` : '',
        removed.length ? `unsubscribed ${removed.map((s) => s.email).join(', ')}` : '',
      ].filter(Boolean);
      return `updated approval topic ${name}${notes.length ? `; ${notes.join('; ')}` : ''}`;
    }
    case 'topic-delete': {
      const topics = services.topics(doc.spec.region);
      const topicArn = String(data.arn);
      if (!(await topics.listTags(topicArn))) return `already gone: approval topic ${name}`;
      await assertTopicOwned(topics, topicArn, doc, name);
      await topics.deleteTopic(topicArn);
      return `deleted approval topic ${name}`;
    }
    case 'project-create':
    case 'project-update': {
      const projects = services.projects(String(data.region));
      const project = data.project as unknown as ProjectSpec;
      if (data.op === 'project-create') {
        await projects.create(project, data.tags as Record<string, string>);
        return `created CodeBuild project ${project.name} in ${String(data.region)}`;
      }
      await assertProjectOwned(projects, project.name, doc);
      await projects.update(project, data.tags as Record<string, string>);
      return `updated CodeBuild project ${project.name} in ${String(data.region)}`;
    }
    case 'project-delete': {
      const projects = services.projects(String(data.region));
      const exists = (await projects.get([name])).length > 0;
      if (!exists) return `already gone: CodeBuild project ${name}`;
      await assertProjectOwned(projects, name, doc);
      await projects.delete(name);
      return `deleted CodeBuild project ${name} in ${String(data.region)}`;
    }
    default:
      throw new Error(`Unknown BranchPipelines change operation ${String(data.op)}`);
  }
}

async function currentVersion(api: PipelineApi, name: string): Promise<number> {
  const p = (await api.getPipeline(name)) as { version?: number } | undefined;
  if (!p) throw new Error(`Pipeline ${name} is gone`);
  return p?.version ?? 1;
}

/** Charter never changes a pipeline it does not own: the tags are read again right before each write. */
async function assertOwned(api: PipelineApi, arn: string, doc: Doc, name: string): Promise<void> {
  const tags = await api.listTags(arn);
  if (tags[OWNER_TAG] !== doc.name) {
    throw new Error(`Pipeline ${name} is not tagged ${OWNER_TAG}=${doc.name} (any more); Charter leaves it alone`);
  }
}

async function assertProjectOwned(projects: ProjectApi, name: string, doc: Doc): Promise<void> {
  const [p] = await projects.get([name]);
  if (p?.tags[OWNER_TAG] !== doc.name) throw new Error(`CodeBuild project ${name} is not tagged ${OWNER_TAG}=${doc.name} (any more); Charter leaves it alone`);
}

async function assertTopicOwned(topics: TopicApi, arn: string, doc: Doc, name: string): Promise<void> {
  const tags = await topics.listTags(arn);
  if (tags?.[OWNER_TAG] !== doc.name) throw new Error(`SNS topic ${name} is not tagged ${OWNER_TAG}=${doc.name} (any more); Charter leaves it alone`);
}

interface Cleanup {
  project: string;
  timeoutMinutes: number;
  /** The branch's deployed stacks, `region|deploy role|stack` separated by spaces. */
  stacks?: string;
}

/** Runs the cleanup build with BRANCH, PIPELINE and STACKS set and waits; anything but SUCCEEDED keeps the pipeline. */
async function runCleanup(builds: BuildApi, cleanup: Cleanup, branch: string, pipeline: string, ctx: RuntimeContext): Promise<void> {
  const id = await builds.startBuild(cleanup.project, { BRANCH: branch, PIPELINE: pipeline, STACKS: cleanup.stacks ?? '' });
  ctx.log.info(`cleanup build ${id} started for branch ${branch}`);
  let status: string;
  try {
    status = await builds.waitForBuild(id, cleanup.timeoutMinutes * 60_000, ctx.pollIntervalMs);
  } catch {
    throw new Error(`Cleanup build ${id} (${cleanup.project}, BRANCH=${branch}) still running after ${cleanup.timeoutMinutes} minutes: pipeline ${pipeline} is kept`);
  }
  if (status !== 'SUCCEEDED') throw new Error(`Cleanup build ${id} (${cleanup.project}, BRANCH=${branch}) ended ${status}: pipeline ${pipeline} is kept; fix the build and apply again`);
}
