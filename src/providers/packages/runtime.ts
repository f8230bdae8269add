/**
 * PackagePublishing plan and apply. Every region of a policy is read at once, each on its own clients and
 * rate limit (CodeArtifact's quotas are per region). Per region a plan costs, at most:
 * - CodeArtifact: DescribeDomain 1, DescribeRepository 1, ListTagsForResource 1 (repository), and one
 *   ListPackageVersions per watched package and 1000 Published versions (so 200 versions are one page);
 *   ListPackageVersionAssets only for a version whose revision differs between the primary and a replica;
 * - CodeBuild: BatchGetProjects 1 (every project of the region in one call);
 * - CodePipeline (primary only): GetPipeline 1, and ListTagsForResource 1 when the pipeline exists.
 * With prune on, also ListRepositoriesInDomain 1 and ListTagsForResource per undeclared repository; and per
 * region dropped from replicaRegions (as the primary's charter:replicas tags record them), the same reads
 * as a replica plus the domain's tags.
 * A region that cannot be read (AccessDenied, throttling past the SDK's retries) is reported as a warning
 * for that region, and the other regions are planned as usual.
 */
import { createHash } from 'node:crypto';
import type { CodeartifactClient } from '@aws-sdk/client-codeartifact';
import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { awsErrorMessage } from '../../aws/clients.js';
import { AwsCredentialsError } from '../../aws/credentials.js';
import {
  associateExternalConnection,
  codeArtifactClient,
  createDomain,
  createRepository,
  describeDomain,
  describeRepository,
  disassociateExternalConnection,
  getAsset,
  listAssets,
  listRepositoriesInDomain,
  deleteDomain,
  deleteRepository,
  listPublished,
  listTags as listRepositoryTags,
  publishAsset,
  tagResource,
  updateRepositoryDescription,
  type LiveRepository,
  type PackageRef,
  type PublishedVersion,
} from '../../aws/codeartifact.js';
import { codeBuildClient, createProject, deleteProject, getProjects, setProjectTags, startBuild, updateProject, waitForBuilds, type Project } from '../../aws/codebuild.js';
import { changedProjectFields, liveProjectView, projectInput, projectTags, projectView } from '../../aws/codebuild-project.js';
import { codePipelineClient, createPipeline, getPipeline, listTags as listPipelineTags, tagPipeline, updatePipeline, type LivePipeline, type PipelineDeclaration } from '../../aws/codepipeline.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { changeAt, diagnosticAt, type PathSegment } from '../../core/document.js';
import { compareStrings, type Json } from '../../core/json.js';
import type { Change, ChangeResult } from '../../core/plan.js';
import type { DiffResult, ProviderRuntime, RuntimeContext } from '../../core/provider.js';
import {
  creationTags,
  desiredPipeline,
  desiredProjects,
  OWNER_TAG,
  packageLabel,
  pipelineDiff,
  pipelineLines,
  PRUNE_TAG,
  regionsOf,
  replicasFromTags,
  replicaTags,
  replicateProjectName,
  repositoryTags,
  REPLICAS_TAG,
  type DesiredProject,
  type Doc,
  type PipelineDecl,
} from './model.js';
import { importPackages } from './import.js';
import type { WatchedPackage } from './spec.generated.js';
import { mapLimit } from '../../core/concurrency.js';

/**
 * Dependency order inside a policy. Pruning comes after the pipeline stops publishing to a dropped region,
 * a domain after its repositories, and the primary's record of the replica regions last, so that a prune
 * that fails leaves the dropped region recorded for the next plan.
 */
const PHASE = { domain: 0, repository: 1, repositorySettings: 2, project: 3, pipeline: 4, repair: 5, pruneRepository: 6, pruneProject: 6, pruneDomain: 7, replicas: 8 } as const;
/** ListPackageVersions calls in flight per region (the region's rate limiter still spaces them). */
const VERSION_READ_CONCURRENCY = 8;
/** Versions named in one message before it says "and N more". */
const LISTED = 10;

interface Clients {
  codeartifact: CodeartifactClient;
  codebuild: CodeBuildClient;
  codepipeline: CodePipelineClient;
}

/** One client per service and region for the whole run. */
function clientsFor(ctx: RuntimeContext): (region: string) => Clients {
  const cache = new Map<string, Clients>();
  return (region) => {
    let c = cache.get(region);
    if (!c) cache.set(region, (c = { codeartifact: codeArtifactClient(ctx.aws, region), codebuild: codeBuildClient(ctx.aws, region), codepipeline: codePipelineClient(ctx.aws, region) }));
    return c;
  };
}

interface RegionLive {
  region: string;
  domainArn?: string;
  repository?: LiveRepository;
  repositoryTags?: Record<string, string>;
  projects: Map<string, Project>;
  /** Published INTERNAL versions per watched package (key from packageKey); read only when the repository exists. */
  versions: Map<string, PublishedVersion[]>;
  pipeline?: LivePipeline;
  pipelineTags?: Record<string, string>;
  /**
   * With prune on: the domain's other repositories to delete: this policy's (tag charter:policy, renamed
   * away) and those of a PackagePublishing policy no longer in the run that had prune on (charter:prune).
   */
  prunable: Array<{ name: string; arn: string; owner: string }>;
  /** With prune on: the names of every repository in the domain. */
  domainRepositories?: string[];
  /** A region dropped from the policy (read only with prune on): the domain's tags. */
  domainTags?: Record<string, string>;
  /** Set when the region could not be read; nothing else is then known. */
  error?: string;
}

const packageKey = (p: WatchedPackage) => `${p.namespace ?? ''}/${p.name}`;


function refOf(doc: Doc, p: WatchedPackage): PackageRef {
  return { domain: doc.spec.domain, repository: doc.spec.repository, format: doc.spec.format, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name };
}

/** What a region read needs besides the policy: whether the policy dropped the region, and the run's policies. */
interface ReadScope {
  /** The region is no longer the policy's (found in the primary's charter:replicas tags). */
  dropped: boolean;
  /** metadata.name of every PackagePublishing policy of the run. */
  policies: ReadonlySet<string>;
}

/** The policy as it was with `region` among its replicas: the names of what Charter created there. */
const withReplica = (doc: Doc, region: string): Doc['spec'] => ({ ...doc.spec, replicaRegions: [...doc.spec.replicaRegions, region] });

async function readRegion(doc: Doc, region: string, clients: Clients, scope: ReadScope): Promise<RegionLive> {
  const spec = doc.spec;
  const live: RegionLive = { region, projects: new Map(), versions: new Map(), prunable: [] };
  try {
    const projectNames = desiredProjects(scope.dropped ? withReplica(doc, region) : spec, region).map((p) => p.name);
    if (region === spec.primaryRegion && spec.pipeline?.build?.project) projectNames.push(spec.pipeline.build.project);
    const [domainArn, repository, projects] = await Promise.all([
      describeDomain(clients.codeartifact, spec.domain),
      describeRepository(clients.codeartifact, spec.domain, spec.repository),
      projectNames.length ? getProjects(clients.codebuild, projectNames) : Promise.resolve(new Map<string, Project>()),
    ]);
    live.domainArn = domainArn;
    live.repository = repository;
    live.projects = projects;
    const reads: Array<Promise<unknown>> = [];
    if (repository) {
      reads.push(listRepositoryTags(clients.codeartifact, repository.arn).then((t) => (live.repositoryTags = t)));
    }
    if (repository && !scope.dropped) {
      const packages = spec.packages ?? [];
      reads.push(
        mapLimit(packages, VERSION_READ_CONCURRENCY, async (p) => {
          live.versions.set(packageKey(p), await listPublished(clients.codeartifact, refOf(doc, p)));
        }),
      );
    }
    if (spec.prune && domainArn) {
      // Only with prune on: one ListRepositoriesInDomain, and the tags of each repository not declared.
      reads.push(
        listRepositoriesInDomain(clients.codeartifact, spec.domain).then(async (all) => {
          live.domainRepositories = all.map((r) => r.name);
          for (const r of all.filter((x) => x.name !== spec.repository)) {
            const tags = await listRepositoryTags(clients.codeartifact, r.arn);
            const owner = tags[OWNER_TAG];
            if (owner === doc.name || (owner !== undefined && !scope.policies.has(owner) && tags[PRUNE_TAG] === 'true')) live.prunable.push({ ...r, owner });
          }
        }),
      );
      if (scope.dropped) reads.push(listRepositoryTags(clients.codeartifact, domainArn).then((t) => (live.domainTags = t)));
    }
    if (region === spec.primaryRegion && spec.pipeline && !scope.dropped) {
      reads.push(
        getPipeline(clients.codepipeline, spec.pipeline.name).then(async (p) => {
          live.pipeline = p;
          if (p) live.pipelineTags = await listPipelineTags(clients.codepipeline, p.arn);
        }),
      );
    }
    await Promise.all(reads);
  } catch (error) {
    // No credentials is no region's fault: the whole plan stops with the explanation.
    if (error instanceof AwsCredentialsError) throw error;
    return { region, projects: new Map(), versions: new Map(), prunable: [], error: awsErrorMessage(error) };
  }
  return live;
}

// ---------------------------------------------------------------------------------------------
// Plan

async function plan(docs: Doc[], ctx: RuntimeContext): Promise<DiffResult> {
  const clients = clientsFor(ctx);
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const inputs: Record<string, Json> = {};
  // Policies of the run, planned or not (scope changed leaves some out): only others count as removed.
  const policies = new Set([...docs.map((d) => d.name), ...[...(ctx.policiesOfRun ?? [])].flatMap((id) => (id.startsWith('PackagePublishing/') ? [id.slice('PackagePublishing/'.length)] : []))]);
  const owned: Record<string, number> = {};
  // A removed policy's repository is deleted by the first pruning policy (in plan order) that finds it.
  const claimed = new Set<string>();
  // A domain several policies share is created by the first of them in apply order (policy name).
  const domains = new Set<string>();
  for (const doc of [...docs].sort((a, b) => compareStrings(a.name, b.name))) {
    const lives = await Promise.all(regionsOf(doc.spec).map((region) => readRegion(doc, region, clients(region), { dropped: false, policies })));
    // Regions this policy no longer lists, as its primary repository recorded them (prune on only).
    const primary = lives[0];
    const recorded = doc.spec.prune && primary.repositoryTags?.[OWNER_TAG] === doc.name ? replicasFromTags(primary.repositoryTags) : [];
    const droppedRegions = recorded.filter((r) => !regionsOf(doc.spec).includes(r));
    const dropped = await Promise.all(droppedRegions.map((region) => readRegion(doc, region, clients(region), { dropped: true, policies })));
    owned[`PackagePublishing/${doc.name}`] = [...lives, ...dropped].reduce((n, l) => n + ownedIn(l), 0);
    const result = await diffPolicy(doc, lives, dropped, clients, claimed, domains);
    changes.push(...result.changes);
    diagnostics.push(...result.diagnostics);
    const failed = lives.filter((l) => l.error).map((l) => l.region);
    if (failed.length) inputs[`PackagePublishing/${doc.name}`] = { unreadRegions: failed };
  }
  return { changes, diagnostics, inputs, owned };
}

/** What a policy owns in one region (the safety threshold's base): domain, repository, build projects, pipeline, prunable repositories. */
function ownedIn(l: RegionLive): number {
  return (l.domainArn ? 1 : 0) + (l.repository ? 1 : 0) + l.projects.size + (l.pipeline ? 1 : 0) + l.prunable.length;
}

const regionPath = (doc: Doc, region: string): PathSegment[] => {
  const i = doc.spec.replicaRegions.indexOf(region);
  return i < 0 ? ['spec', 'primaryRegion'] : ['spec', 'replicaRegions', i];
};

function listSome(items: readonly string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

async function diffPolicy(doc: Doc, lives: RegionLive[], dropped: RegionLive[], clients: (region: string) => Clients, claimed: Set<string>, domains: Set<string>): Promise<{ changes: Change[]; diagnostics: Diagnostic[] }> {
  const spec = doc.spec;
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const base = `packages/${doc.name}`;
  const tags = creationTags(doc);
  const adoptable = (owner: string | undefined) => owner === undefined && spec.adopt === true;
  /** Regions whose repository Charter may write (owned, or created by this plan). */
  const writable = new Set<string>();

  for (const live of lives) {
    const { region } = live;
    const at = regionPath(doc, region);
    if (live.error) {
      diagnostics.push(diagnosticAt(doc, at, 'packages/region-failed', 'warning', `${region} could not be read (${live.error}); nothing is planned there this run, the other regions are planned as usual`, 'Check the role can read CodeArtifact, CodeBuild and CodePipeline in that region; the next plan retries it.'));
      continue;
    }
    if (!live.domainArn && !domains.has(`${region}/${spec.domain}`)) {
      domains.add(`${region}/${spec.domain}`);
      changes.push(changeAt(doc, at, { address: `${base}/${region}/domain`, action: 'create', title: `CodeArtifact domain ${spec.domain} (${region})`, before: null, after: { domain: spec.domain, region, tags }, risk: 'safe', reason: `No domain ${spec.domain} in ${region}`, phase: PHASE.domain, data: { op: 'domain', region, domain: spec.domain, tags } }));
    }
    const repo = live.repository;
    if (!repo) {
      writable.add(region);
      const created = { ...repositoryTags(doc, undefined), ...(spec.prune && region === spec.primaryRegion ? replicaTags(spec.replicaRegions) : {}) };
      const after = { repository: spec.repository, description: spec.description ?? '', tags: created };
      changes.push(changeAt(doc, at, { address: `${base}/${region}/repository`, action: 'create', title: `CodeArtifact repository ${spec.domain}/${spec.repository} (${region})`, before: null, after, risk: 'safe', reason: `No repository ${spec.repository} in domain ${spec.domain} in ${region}`, phase: PHASE.repository, data: { op: 'repository', region, domain: spec.domain, repository: spec.repository, description: spec.description ?? '', tags: created } }));
      if (spec.externalConnection) changes.push(connectionChange(doc, region, [], spec.externalConnection));
    } else {
      const owner = live.repositoryTags?.[OWNER_TAG];
      const adopting = adoptable(owner);
      if (owner !== doc.name && !adopting) {
        diagnostics.push(
          diagnosticAt(doc, at, 'packages/repository-left-alone', 'notice', `Repository ${spec.domain}/${spec.repository} in ${region} exists and is ${owner === undefined ? 'not tagged as Charter\'s' : `owned by policy ${owner}`}: it is left alone (no settings, tags or repairs)`, `To let this policy manage it, tag it ${OWNER_TAG}=${doc.name} (charter import adopts an existing setup).`),
        );
      } else {
        writable.add(region);
        if ((spec.description ?? '') !== repo.description) {
          changes.push(changeAt(doc, ['spec', 'description'], { address: `${base}/${region}/repository/description`, action: 'update', title: `Description of ${spec.domain}/${spec.repository} (${region})`, before: repo.description, after: spec.description ?? '', risk: 'safe', reason: 'The description differs from the policy', phase: PHASE.repositorySettings, data: { op: 'description', region, domain: spec.domain, repository: spec.repository, description: spec.description ?? '' } }));
        }
        const set = tagsToSet(repositoryTags(doc, live.repositoryTags), live.repositoryTags);
        if (Object.keys(set).length) {
          const before = Object.fromEntries(Object.keys(set).filter((k) => live.repositoryTags?.[k] !== undefined).map((k) => [k, live.repositoryTags![k]]));
          const reason = adopting ? `Adopts the repository (adopt: true; it carries no ${OWNER_TAG} tag): sets ${Object.keys(set).sort().join(', ')}` : `Tags differ from the policy: sets ${Object.keys(set).sort().join(', ')}`;
          changes.push(changeAt(doc, adopting ? ['spec', 'adopt'] : ['spec', 'tags'], { address: `${base}/${region}/repository/tags`, action: 'update', title: `Tags of ${spec.domain}/${spec.repository} (${region})`, before, after: set, risk: 'safe', reason, phase: PHASE.repositorySettings, data: { op: 'tags', region, arn: repo.arn, set }, ...(adopting && owner === undefined ? { adopts: true as const } : {}) }));
        }
        const wanted = spec.externalConnection;
        const current = repo.externalConnections;
        if ((wanted && (current.length !== 1 || current[0] !== wanted)) || (!wanted && current.length)) changes.push(connectionChange(doc, region, current, wanted));
      }
    }
    changes.push(...pruneRepositories(doc, live, claimed));
    // CodeBuild projects Charter creates in this region.
    for (const p of desiredProjects(spec, region)) {
      const current = live.projects.get(p.name);
      const address = `${base}/${region}/codebuild/${p.name}`;
      const path: PathSegment[] = p.role === 'replicate' ? ['spec', 'packages'] : p.role === 'build' ? ['spec', 'pipeline', 'build'] : ['spec', 'pipeline'];
      if (!current) {
        changes.push(changeAt(doc, path, { address, action: 'create', title: `CodeBuild project ${p.name} (${region}, ${p.role})`, before: null, after: projectView(p) as unknown as Json, risk: 'safe', reason: `Charter's ${p.role} project is missing in ${region}`, phase: PHASE.project, data: { op: 'project-create', region, project: p as unknown as Json, tags } }));
        continue;
      }
      const owner = projectTags(current)[OWNER_TAG];
      if (adoptable(owner)) {
        const set = tagsToSet(tags, projectTags(current));
        changes.push(changeAt(doc, ['spec', 'adopt'], { address: `${address}/tags`, action: 'update', title: `Tags of CodeBuild project ${p.name} (${region})`, before: {}, after: set, risk: 'safe', reason: `Adopts the project (adopt: true; it carries no ${OWNER_TAG} tag): sets ${Object.keys(set).sort().join(', ')}`, adopts: true, phase: PHASE.project, data: { op: 'project-tags', region, name: p.name, tags: { ...projectTags(current), ...set } } }));
      } else if (owner !== doc.name) {
        diagnostics.push(diagnosticAt(doc, path, 'packages/project-left-alone', 'warning', `CodeBuild project ${p.name} in ${region} exists and is ${owner === undefined ? 'not Charter\'s' : `owned by policy ${owner}`}: it is left alone, and the ${p.role} step uses it as it is`, `Tag it ${OWNER_TAG}=${doc.name} to let this policy manage it, or rename the pipeline.`));
        continue;
      }
      const liveView = liveProjectView(current);
      const wantedView = projectView(p);
      const fields = changedProjectFields(liveView, wantedView);
      if (fields.length) {
        const before = Object.fromEntries(fields.map((k) => [k, liveView[k]]));
        const after = Object.fromEntries(fields.map((k) => [k, wantedView[k]]));
        changes.push(changeAt(doc, path, { address, action: 'update', title: `CodeBuild project ${p.name} (${region}, ${p.role})`, before, after, risk: 'safe', reason: `Differs from the policy: ${fields.join(', ')}`, phase: PHASE.project, data: { op: 'project-update', region, project: p as unknown as Json } }));
      }
    }
  }

  const primary = lives[0];
  if (!primary.error) {
    const build = spec.pipeline?.build?.project;
    if (build && !primary.projects.has(build)) {
      diagnostics.push(diagnosticAt(doc, ['spec', 'pipeline', 'build', 'project'], 'packages/build-project-missing', 'error', `CodeBuild project ${build} does not exist in ${spec.primaryRegion}`, 'Create it first, or let Charter create one from a template (build.buildspec).'));
    }
    changes.push(...planPipeline(doc, primary, diagnostics));
    const repairs = await planRepairs(doc, lives, writable, clients, diagnostics);
    changes.push(...repairs);
  }
  if (spec.prune) {
    for (const live of dropped) {
      const pruned = pruneDroppedRegion(doc, live, claimed);
      changes.push(...pruned.changes);
      diagnostics.push(...pruned.diagnostics);
    }
    const replicas = replicasChange(doc, primary, dropped);
    if (replicas) changes.push(replicas);
  }
  return { changes, diagnostics };
}

/** The tags of `wanted` that `live` lacks or holds with another value. */
function tagsToSet(wanted: Readonly<Record<string, string>>, live: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(wanted)) if (live?.[k] !== v) set[k] = v;
  return set;
}

/**
 * Deletes of the domain's other repositories the region's read found prunable: this policy's (renamed away),
 * and a removed pruning policy's, claimed by the first pruning policy that finds it.
 */
function pruneRepositories(doc: Doc, live: RegionLive, claimed: Set<string>): Change[] {
  const spec = doc.spec;
  const out: Change[] = [];
  for (const r of live.prunable) {
    const key = `${live.region}/${spec.domain}/${r.name}`;
    if (claimed.has(key)) continue;
    claimed.add(key);
    const reason =
      r.owner === doc.name
        ? `Created by this policy (${OWNER_TAG}=${doc.name}) and no longer declared, with prune: true. Its package versions are deleted with it.`
        : `Created by PackagePublishing policy ${r.owner} (${OWNER_TAG}=${r.owner}, ${PRUNE_TAG}=true), which is no longer in the repository; found by this policy's prune in domain ${spec.domain}. Its package versions are deleted with it.`;
    out.push(changeAt(doc, ['spec', 'prune'], { address: `packages/${doc.name}/${live.region}/repository/${r.name}`, action: 'delete', title: `CodeArtifact repository ${spec.domain}/${r.name} (${live.region})`, before: { repository: r.name, region: live.region, owner: r.owner }, after: null, risk: 'destructive', reason, phase: PHASE.pruneRepository, data: { op: 'repository-delete', region: live.region, domain: spec.domain, repository: r.name } }));
  }
  return out;
}

/**
 * A region dropped from replicaRegions (prune on): the repository this policy owns there, the CodeBuild
 * projects it created there, the domain's other prunable repositories, and the domain itself when this
 * policy created it (charter:policy) and no repository would be left in it.
 */
function pruneDroppedRegion(doc: Doc, live: RegionLive, claimed: Set<string>): { changes: Change[]; diagnostics: Diagnostic[] } {
  const spec = doc.spec;
  const { region } = live;
  const base = `packages/${doc.name}/${region}`;
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  if (live.error) {
    diagnostics.push(diagnosticAt(doc, ['spec', 'prune'], 'packages/region-failed', 'warning', `${region}, dropped from replicaRegions, could not be read (${live.error}); nothing is pruned there this run`, 'The primary repository keeps the region recorded, so the next plan retries it.'));
    return { changes, diagnostics };
  }
  const deleted = new Set<string>();
  if (live.repository) {
    const owner = live.repositoryTags?.[OWNER_TAG];
    if (owner === doc.name) {
      deleted.add(spec.repository);
      changes.push(changeAt(doc, ['spec', 'replicaRegions'], { address: `${base}/repository/${spec.repository}`, action: 'delete', title: `CodeArtifact repository ${spec.domain}/${spec.repository} (${region})`, before: { repository: spec.repository, region }, after: null, risk: 'destructive', reason: `${region} is no longer in replicaRegions, with prune: true. The replica's package versions are deleted with it (the primary keeps its own).`, phase: PHASE.pruneRepository, data: { op: 'repository-delete', region, domain: spec.domain, repository: spec.repository } }));
    } else {
      diagnostics.push(diagnosticAt(doc, ['spec', 'replicaRegions'], 'packages/repository-left-alone', 'notice', `Repository ${spec.domain}/${spec.repository} in ${region}, dropped from replicaRegions, is ${owner === undefined ? 'not tagged as Charter\'s' : `owned by policy ${owner}`}: it is left alone`, `prune deletes only what carries ${OWNER_TAG}=${doc.name}.`));
    }
  }
  const others = pruneRepositories(doc, live, claimed);
  for (const c of others) deleted.add(String((c.data as Data).repository));
  changes.push(...others);
  for (const p of live.projects.values()) {
    if (projectTags(p)[OWNER_TAG] !== doc.name || !p.name) continue;
    changes.push(changeAt(doc, ['spec', 'replicaRegions'], { address: `${base}/codebuild/${p.name}`, action: 'delete', title: `CodeBuild project ${p.name} (${region})`, before: { project: p.name, region }, after: null, risk: 'safe', reason: `${region} is no longer in replicaRegions, with prune: true: the pipeline no longer publishes there and nothing is replicated there`, phase: PHASE.pruneProject, data: { op: 'project-delete', region, name: p.name } }));
  }
  const remaining = (live.domainRepositories ?? []).filter((r) => !deleted.has(r));
  if (live.domainArn && live.domainTags?.[OWNER_TAG] === doc.name && !remaining.length) {
    changes.push(changeAt(doc, ['spec', 'replicaRegions'], { address: `${base}/domain`, action: 'delete', title: `CodeArtifact domain ${spec.domain} (${region})`, before: { domain: spec.domain, region }, after: null, risk: 'destructive', reason: `Created by this policy (${OWNER_TAG}=${doc.name}) for ${region}, which is no longer in replicaRegions, and it holds no other repository`, phase: PHASE.pruneDomain, data: { op: 'domain-delete', region, domain: spec.domain } }));
  }
  return { changes, diagnostics };
}

/**
 * With prune on, the primary repository records the replica regions (charter:replicas), so a region dropped
 * later is found. Written last, and only once every dropped region was read: until its prune succeeds, a
 * dropped region stays recorded.
 */
function replicasChange(doc: Doc, primary: RegionLive, dropped: RegionLive[]): Change | undefined {
  const spec = doc.spec;
  const repo = primary.repository;
  if (primary.error || !repo || dropped.some((d) => d.error)) return undefined;
  const owner = primary.repositoryTags?.[OWNER_TAG];
  if (owner !== doc.name && !(owner === undefined && spec.adopt)) return undefined;
  const wanted = replicaTags(spec.replicaRegions);
  const live = Object.fromEntries(Object.entries(primary.repositoryTags ?? {}).filter(([k]) => k === REPLICAS_TAG || k.startsWith(`${REPLICAS_TAG}-`)));
  const set = tagsToSet(wanted, live);
  // A chunk no longer needed is emptied (an empty value lists no region).
  for (const k of Object.keys(live)) if (!(k in wanted) && live[k] !== '') set[k] = '';
  if (!Object.keys(set).length) return undefined;
  const before = Object.fromEntries(Object.keys(set).filter((k) => k in live).map((k) => [k, live[k]]));
  return changeAt(doc, ['spec', 'replicaRegions'], {
    address: `packages/${doc.name}/${spec.primaryRegion}/repository/replicas`,
    action: 'update',
    title: `Replica regions recorded on ${spec.domain}/${spec.repository} (${spec.primaryRegion})`,
    before,
    after: set,
    risk: 'safe',
    reason: `prune: true: the primary repository lists the replica regions (${REPLICAS_TAG}) so that a region dropped later is found and pruned`,
    phase: PHASE.replicas,
    data: { op: 'tags', region: spec.primaryRegion, arn: repo.arn, set, awaits: dropped.map((d) => d.region) },
  });
}

function connectionChange(doc: Doc, region: string, current: string[], wanted: string | undefined): Change {
  const spec = doc.spec;
  const disassociate = current.filter((c) => c !== wanted);
  const associate = wanted && !current.includes(wanted) ? wanted : undefined;
  const parts = [...disassociate.map((c) => `disassociates ${c}`), ...(associate ? [`associates ${associate}`] : [])];
  return changeAt(doc, ['spec', 'externalConnection'], {
    address: `${packagesBase(doc)}/${region}/repository/external-connection`,
    action: current.length ? 'update' : 'create',
    title: `External connection of ${spec.domain}/${spec.repository} (${region})`,
    before: current.length ? current.join(', ') : null,
    after: wanted ?? null,
    // Without its upstream, installs of public packages through the repository stop resolving.
    risk: disassociate.length ? 'disruptive' : 'safe',
    reason: `${parts.join(', then ')}${disassociate.length ? ': packages not yet cached in the repository stop resolving from the public upstream' : ''}`,
    phase: PHASE.repositorySettings,
    data: { op: 'connection', region, domain: spec.domain, repository: spec.repository, disassociate, associate: associate ?? null },
  });
}

const packagesBase = (doc: Doc) => `packages/${doc.name}`;

function planPipeline(doc: Doc, primary: RegionLive, diagnostics: Diagnostic[]): Change[] {
  const spec = doc.spec;
  const desired = desiredPipeline(spec);
  if (!desired) return [];
  const address = `${packagesBase(doc)}/${spec.primaryRegion}/codepipeline/${desired.name}`;
  const after = pipelineLines(desired, spec.primaryRegion);
  const live = primary.pipeline;
  if (!live) {
    return [changeAt(doc, ['spec', 'pipeline'], {
      address,
      action: 'create',
      title: `CodePipeline ${desired.name} (${spec.primaryRegion})`,
      before: null,
      after,
      risk: 'safe',
      reason: `Builds once and publishes to ${regionsOf(spec).length} regions in parallel (${regionsOf(spec).join(', ')})`,
      phase: PHASE.pipeline,
      data: { op: 'pipeline-create', region: spec.primaryRegion, pipeline: desired as unknown as Json, tags: creationTags(doc) },
    })];
  }
  const owner = primary.pipelineTags?.[OWNER_TAG];
  const out: Change[] = [];
  if (owner === undefined && spec.adopt) {
    const set = tagsToSet(creationTags(doc), primary.pipelineTags);
    out.push(changeAt(doc, ['spec', 'adopt'], { address: `${address}/tags`, action: 'update', title: `Tags of CodePipeline ${desired.name} (${spec.primaryRegion})`, before: {}, after: set, risk: 'safe', reason: `Adopts the pipeline (adopt: true; it carries no ${OWNER_TAG} tag): sets ${Object.keys(set).sort().join(', ')}`, adopts: true, phase: PHASE.pipeline, data: { op: 'pipeline-tags', region: spec.primaryRegion, arn: live.arn, set } }));
  } else if (owner !== doc.name) {
    diagnostics.push(diagnosticAt(doc, ['spec', 'pipeline', 'name'], 'packages/pipeline-left-alone', 'warning', `Pipeline ${desired.name} in ${spec.primaryRegion} exists and is ${owner === undefined ? 'not Charter\'s' : `owned by policy ${owner}`}: it is left alone`, `Tag it ${OWNER_TAG}=${doc.name} to let this policy manage it (or set adopt: true), or choose another pipeline name.`));
    return [];
  }
  const before = pipelineLines(live.declaration as unknown as PipelineDecl, spec.primaryRegion);
  const diff = pipelineDiff(before, after);
  if (!diff.length) return out;
  const changedKeys = new Set(diff.map((line) => line.slice(2, line.indexOf(': '))));
  const pick = (view: Record<string, string>) => Object.fromEntries(Object.entries(view).filter(([k]) => changedKeys.has(k)));
  out.push(changeAt(doc, ['spec', 'pipeline'], {
    address,
    action: 'update',
    title: `CodePipeline ${desired.name} (${spec.primaryRegion})`,
    before: pick(before),
    after: pick(after),
    // Removing an action or a region's artifact store changes where packages get published.
    risk: diff.some((line) => line.startsWith('- ')) ? 'disruptive' : 'safe',
    reason: `UpdatePipeline: ${diff.join('; ')}`,
    phase: PHASE.pipeline,
    data: { op: 'pipeline-update', region: spec.primaryRegion, pipeline: desired as unknown as Json },
  }));
  return out;
}

/**
 * Versions Published in the primary and missing from a replica become one repair change per replica and
 * package. A version present in both with a different revision is compared asset by asset (SHA-256); a real
 * difference is reported, never repaired: Charter never deletes or overwrites a package version.
 */
async function planRepairs(doc: Doc, lives: RegionLive[], writable: Set<string>, clients: (region: string) => Clients, diagnostics: Diagnostic[]): Promise<Change[]> {
  const spec = doc.spec;
  const [primary, ...replicas] = lives;
  const changes: Change[] = [];
  if (!primary.repository) return changes;
  const replicate = replicateProjectName(spec);
  for (const [j, p] of (spec.packages ?? []).entries()) {
    const source = primary.versions.get(packageKey(p)) ?? [];
    if (!source.length) continue;
    const label = packageLabel(p, spec.format);
    for (const replica of replicas) {
      if (replica.error) continue;
      const there = new Map((replica.versions.get(packageKey(p)) ?? []).map((v) => [v.version, v.revision]));
      const missing = source.filter((v) => !there.has(v.version));
      const differing = source.filter((v) => there.has(v.version) && there.get(v.version) !== v.revision);
      const differs: string[] = [];
      for (const v of differing) {
        const ref = refOf(doc, p);
        const [a, b] = await Promise.all([listAssets(clients(primary.region).codeartifact, ref, v.version), listAssets(clients(replica.region).codeartifact, ref, v.version)]);
        const hashes = (list: typeof a) => list.map((x) => `${x.name}:${x.sha256}`).sort().join('\n');
        if (hashes(a) !== hashes(b)) differs.push(v.version);
      }
      const path: PathSegment[] = ['spec', 'packages', j];
      if (differs.length) {
        diagnostics.push(diagnosticAt(doc, path, 'packages/replica-version-differs', 'warning', `${label} ${listSome(differs)} in ${replica.region} differ${differs.length === 1 ? 's' : ''} from ${primary.region} (asset SHA-256)`, 'Charter never deletes or overwrites package versions: investigate, and publish a new version.'));
      }
      if (!missing.length) continue;
      const versions = missing.map((v) => v.version);
      if (!writable.has(replica.region)) {
        diagnostics.push(diagnosticAt(doc, path, 'packages/replica-gap', 'warning', `${label} ${listSome(versions)} ${versions.length === 1 ? 'is' : 'are'} Published in ${primary.region} and missing from ${replica.region}, whose repository Charter does not own: not repaired`, `Tag the repository ${OWNER_TAG}=${doc.name} to let Charter repair it.`));
        continue;
      }
      const mode = spec.format === 'generic' ? 'copy' : 'build';
      changes.push(
        changeAt(doc, path, {
          address: `${packagesBase(doc)}/${replica.region}/versions/${label}`,
          action: 'run',
          title: `Replicate ${label} to ${replica.region}`,
          before: { missing: versions },
          after: { publishedFrom: primary.region, versions },
          risk: 'safe',
          reason:
            mode === 'copy'
              ? `${versions.length} version(s) Published in ${primary.region} are missing from ${replica.region} (${listSome(versions)}): Charter copies each asset byte for byte (GetPackageVersionAsset, then PublishPackageVersion with its SHA-256)`
              : `${versions.length} version(s) Published in ${primary.region} are missing from ${replica.region} (${listSome(versions)}): one build of ${replicate} per version republishes it with the ${spec.format} client`,
          phase: PHASE.repair,
          data: { op: 'repair', mode, region: replica.region, source: primary.region, ref: refOf(doc, p) as unknown as Json, versions: missing as unknown as Json, ...(mode === 'build' ? { project: replicate ?? null } : {}) },
        }),
      );
    }
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Apply

type Data = Record<string, Json>;

/**
 * The regions a change needs: its own; a repair also its source; the pipeline every region it publishes to
 * (a pipeline must not publish to a repository whose creation failed).
 */
function regionsNeeded(c: Change, docs: Doc[]): string[] {
  const data = c.data as Data;
  if (data.op === 'pipeline-create' || data.op === 'pipeline-update') return docs[0] ? regionsOf(docs[0].spec) : [String(data.region)];
  if (data.op === 'repair') return [String(data.region), String(data.source)];
  // The primary's record of the replica regions waits for the prune of every dropped region.
  if (Array.isArray(data.awaits)) return [String(data.region), ...data.awaits.map(String)];
  return [String(data.region)];
}

/**
 * Plan order, stopping per region: after a change fails in a region, the changes that need that region are
 * not attempted, and the other regions go on (CodeArtifact and CodeBuild are separate per region).
 */
async function apply(changes: Change[], docs: Doc[], ctx: RuntimeContext): Promise<ChangeResult[]> {
  const clients = clientsFor(ctx);
  const results: ChangeResult[] = [];
  const failed = new Set<string>();
  for (const c of changes) {
    const blocked = regionsNeeded(c, docs).filter((r) => failed.has(r));
    if (blocked.length) {
      results.push({ address: c.address, status: 'not-attempted', detail: `not attempted: an earlier change in ${blocked.join(', ')} failed` });
      continue;
    }
    try {
      results.push({ address: c.address, status: 'applied', detail: await applyOne(c, clients, ctx) });
    } catch (error) {
      results.push({ address: c.address, status: 'failed', error: error instanceof RepairError ? error.message : awsErrorMessage(error) });
      failed.add(String((c.data as Data).region));
    }
  }
  return results;
}

class RepairError extends Error {}

async function applyOne(c: Change, clients: (region: string) => Clients, ctx: RuntimeContext): Promise<string> {
  const data = c.data as Data;
  const region = String(data.region);
  const { codeartifact, codebuild, codepipeline } = clients(region);
  const domain = String(data.domain);
  const repository = String(data.repository);
  switch (data.op) {
    case 'domain':
      await createDomain(codeartifact, domain, data.tags as Record<string, string>);
      return `created domain ${domain} in ${region}`;
    case 'repository':
      await createRepository(codeartifact, domain, repository, String(data.description), data.tags as Record<string, string>);
      return `created repository ${domain}/${repository} in ${region}`;
    case 'repository-delete':
      await deleteRepository(codeartifact, domain, repository);
      return `deleted repository ${domain}/${repository} in ${region}`;
    case 'domain-delete':
      await deleteDomain(codeartifact, domain);
      return `deleted domain ${domain} in ${region}`;
    case 'description':
      await updateRepositoryDescription(codeartifact, domain, repository, String(data.description));
      return `description of ${domain}/${repository} updated in ${region}`;
    case 'tags':
      await tagResource(codeartifact, String(data.arn), data.set as Record<string, string>);
      return `tags of the repository updated in ${region}`;
    case 'connection':
      for (const name of data.disassociate as string[]) await disassociateExternalConnection(codeartifact, domain, repository, name);
      if (typeof data.associate === 'string') await associateExternalConnection(codeartifact, domain, repository, data.associate);
      return `external connection of ${domain}/${repository} in ${region}: ${typeof data.associate === 'string' ? data.associate : 'none'}`;
    case 'project-create': {
      const p = data.project as unknown as DesiredProject;
      await createProject(codebuild, projectInput(p, data.tags as Record<string, string>));
      return `created CodeBuild project ${p.name} in ${region}`;
    }
    case 'project-tags':
      await setProjectTags(codebuild, String(data.name), data.tags as Record<string, string>);
      return `tagged CodeBuild project ${String(data.name)} in ${region}`;
    case 'project-delete':
      await deleteProject(codebuild, String(data.name));
      return `deleted CodeBuild project ${String(data.name)} in ${region}`;
    case 'pipeline-tags':
      await tagPipeline(codepipeline, String(data.arn), data.set as Record<string, string>);
      return `tagged pipeline in ${region}`;
    case 'project-update': {
      const p = data.project as unknown as DesiredProject;
      await updateProject(codebuild, projectInput(p));
      return `updated CodeBuild project ${p.name} in ${region}`;
    }
    case 'pipeline-create': {
      const p = data.pipeline as unknown as PipelineDeclaration;
      await createPipeline(codepipeline, p, data.tags as Record<string, string>);
      return `created pipeline ${String(p.name)} in ${region}`;
    }
    case 'pipeline-update': {
      const p = data.pipeline as unknown as PipelineDeclaration;
      await updatePipeline(codepipeline, p);
      return `updated pipeline ${String(p.name)} in ${region}`;
    }
    case 'repair':
      return data.mode === 'copy' ? copyVersions(data, clients) : replicateByBuild(data, codebuild, ctx);
    default:
      throw new Error(`Unknown PackagePublishing change operation ${String(data.op)}`);
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Generic versions, byte for byte: every asset read from the source, checked, published with its SHA-256, then verified in the replica. */
async function copyVersions(data: Data, clients: (region: string) => Clients): Promise<string> {
  const ref = data.ref as unknown as PackageRef;
  const from = clients(String(data.source)).codeartifact;
  const to = clients(String(data.region)).codeartifact;
  const done: string[] = [];
  for (const { version } of data.versions as unknown as PublishedVersion[]) {
    const assets = await listAssets(from, ref, version);
    if (!assets.length) throw new RepairError(`${ref.name} ${version} has no assets in ${String(data.source)}; copied so far: ${done.join(', ') || 'none'}`);
    for (const [i, asset] of assets.entries()) {
      const bytes = await getAsset(from, ref, version, asset.name);
      if (sha256(bytes) !== asset.sha256) throw new RepairError(`${ref.name} ${version} asset ${asset.name}: the bytes read do not match its SHA-256 in ${String(data.source)}; copied so far: ${done.join(', ') || 'none'}`);
      await publishAsset(to, ref, version, asset.name, bytes, i < assets.length - 1);
    }
    const copied = await listAssets(to, ref, version);
    const hashes = (list: typeof assets) => list.map((a) => `${a.name}:${a.sha256}`).sort().join('\n');
    if (hashes(copied) !== hashes(assets)) throw new RepairError(`${ref.name} ${version} in ${String(data.region)}: asset hashes differ from ${String(data.source)} after the copy`);
    done.push(`${version} (${assets.length} asset${assets.length === 1 ? '' : 's'}, SHA-256 verified)`);
  }
  return `copied ${ref.name} to ${String(data.region)}: ${done.join(', ')}`;
}

/** Other formats: one replicate build per missing version, started together, waited for, reported per version. */
async function replicateByBuild(data: Data, codebuild: CodeBuildClient, ctx: RuntimeContext): Promise<string> {
  const ref = data.ref as unknown as PackageRef;
  const project = String(data.project);
  const versions = (data.versions as unknown as PublishedVersion[]).map((v) => v.version);
  const ids: string[] = [];
  for (const version of versions) {
    ids.push(
      await startBuild(codebuild, project, {
        PACKAGE_FORMAT: ref.format,
        PACKAGE_NAME: ref.name,
        PACKAGE_NAMESPACE: ref.namespace ?? '',
        PACKAGE_VERSION: version,
        SOURCE_REGION: String(data.source),
      }),
    );
  }
  const status = await waitForBuilds(codebuild, ids, ctx);
  const outcome = versions.map((v, i) => `${v} ${status.get(ids[i]) ?? 'UNKNOWN'}`);
  if (ids.some((id) => status.get(id) !== 'SUCCEEDED')) throw new RepairError(`replicate builds of ${ref.name} in ${String(data.region)}: ${outcome.join(', ')}`);
  return `replicated ${ref.name} to ${String(data.region)} with ${project}: ${outcome.join(', ')}`;
}

export const packagesRuntime: ProviderRuntime<Doc['spec']> = { plan, apply, importPolicy: importPackages };
