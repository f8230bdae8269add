/**
 * PackagePublishing desired state: the names Charter derives from a policy (CodeBuild projects, pipeline
 * actions), the CodeBuild projects and the V2 pipeline declaration it writes, and the readable, per stage
 * and action view of a pipeline that plans show instead of a JSON blob. Pure: no SDK, no network.
 */
import type { PolicyDocument } from '../../core/document.js';
import { compareStrings } from '../../core/json.js';
import { DEFAULT_IMAGE, type ProjectSpec } from '../../aws/codebuild-project.js';
import { template } from '../../core/templates.js';
import type { PackagePublishingSpec, WatchedPackage } from './spec.generated.js';

export type Doc = PolicyDocument<PackagePublishingSpec>;

/** Charter's ownership tag on what it creates; its value is the policy's metadata.name. */
export const OWNER_TAG = 'charter:policy';
export const PUBLISH_TEMPLATE = 'buildspec-publish.yml.hbs';
export const REPLICATE_TEMPLATE = 'buildspec-replicate.yml.hbs';
/** CodeBuild project names: `^[A-Za-z0-9][A-Za-z0-9\-_]{1,149}$`. */
export const PROJECT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$/;
export const PIPELINE_NAME_MAX = 100;
/** What a pipeline needs besides its name to be planned; `charter import` fills them from the live pipeline. */
export const PIPELINE_REQUIRED = ['roleArn', 'artifactBuckets', 'source', 'build'] as const;
/** The lint code for a pipeline missing one of them: it blocks plan, not `charter import`. */
export const PIPELINE_INCOMPLETE = 'packages/pipeline-incomplete';
/** Tags on the primary repository (with prune on) listing the replica regions, so a dropped one can be found. */
export const REPLICAS_TAG = 'charter:replicas';
const TAG_VALUE_MAX = 256;

/** The replica regions as tag values: space-separated, split over `charter:replicas`, `charter:replicas-2`, ... at 256 characters. */
export function replicaTags(regions: readonly string[]): Record<string, string> {
  const chunks: string[] = [];
  for (const region of [...regions].sort(compareStrings)) {
    const last = chunks.length - 1;
    if (last >= 0 && chunks[last].length + 1 + region.length <= TAG_VALUE_MAX) chunks[last] += ` ${region}`;
    else chunks.push(region);
  }
  return Object.fromEntries(chunks.map((c, i) => [i === 0 ? REPLICAS_TAG : `${REPLICAS_TAG}-${i + 1}`, c]));
}

/** The regions a repository's `charter:replicas*` tags list. */
export function replicasFromTags(tags: Readonly<Record<string, string>> | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key === REPLICAS_TAG || key.startsWith(`${REPLICAS_TAG}-`)) out.push(...value.split(' ').filter(Boolean));
  }
  return [...new Set(out)].sort(compareStrings);
}

/** The public external connection for each format that has one. */
export const CONNECTION_FORMAT: Readonly<Record<string, string>> = {
  'public:npmjs': 'npm',
  'public:pypi': 'pypi',
  'public:maven-central': 'maven',
  'public:maven-googleandroid': 'maven',
  'public:maven-gradleplugins': 'maven',
  'public:maven-commonsware': 'maven',
  'public:maven-clojars': 'maven',
  'public:nuget-org': 'nuget',
  'public:ruby-gems-org': 'ruby',
  'public:crates-io': 'cargo',
};

/** Formats whose publish and replicate buildspecs Charter ships (templates/buildspec-*.yml.hbs). */
export const PUBLISHABLE_FORMATS: ReadonlySet<string> = new Set(['pypi', 'npm', 'maven', 'nuget', 'generic']);
/** Formats a replicate CodeBuild project repairs; generic versions Charter copies itself. */
export const BUILD_REPLICATED_FORMATS: ReadonlySet<string> = new Set(['pypi', 'npm', 'maven', 'nuget']);
/** Formats whose packages have a namespace, and those that require one. */
export const NAMESPACE_FORMATS: ReadonlySet<string> = new Set(['npm', 'maven', 'generic', 'swift']);
export const NAMESPACE_REQUIRED: ReadonlySet<string> = new Set(['maven', 'generic', 'swift']);

export function regionsOf(spec: PackagePublishingSpec): string[] {
  return [spec.primaryRegion, ...spec.replicaRegions];
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

export function buildProjectName(spec: PackagePublishingSpec): string | undefined {
  if (!spec.pipeline) return undefined;
  return spec.pipeline.build?.project ?? `${slug(spec.pipeline.name)}-build`;
}

export function publishProjectName(spec: PackagePublishingSpec): string | undefined {
  return spec.pipeline ? `${slug(spec.pipeline.name)}-publish` : undefined;
}

/** The replicate project of a replica region, when the format is repaired by a build and packages are watched. */
export function replicateProjectName(spec: PackagePublishingSpec): string | undefined {
  if (!BUILD_REPLICATED_FORMATS.has(spec.format) || !(spec.packages ?? []).length) return undefined;
  return `charter-${spec.domain}-${slug(spec.repository)}-replicate`;
}

export const publishActionName = (region: string) => `Publish-${region}`;

/** Whether Charter creates any CodeBuild project for this policy (and so needs codeBuildRoleArn). */
export function createsProjects(spec: PackagePublishingSpec): boolean {
  return spec.pipeline !== undefined || replicateProjectName(spec) !== undefined;
}

export function packageLabel(p: WatchedPackage, format: string): string {
  if (!p.namespace) return p.name;
  return format === 'npm' ? `@${p.namespace}/${p.name}` : `${p.namespace}/${p.name}`;
}

/**
 * On a repository of a policy with prune on: `true`, so that once the policy is removed, a pruning policy
 * of the same domain may delete the repository (DESIGN: removing a policy deletes what it owned only when
 * pruning was enabled for that policy). Set to `false` when prune is turned off.
 */
export const PRUNE_TAG = 'charter:prune';

/** The tags Charter keeps on a repository it owns: its creation tags and the prune marker. */
export function repositoryTags(doc: Doc, live: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const tags = creationTags(doc);
  if (doc.spec.prune) tags[PRUNE_TAG] = 'true';
  else if (live?.[PRUNE_TAG] === 'true') tags[PRUNE_TAG] = 'false';
  return tags;
}

/** The tags Charter writes on what it creates: the policy's plus its ownership tag. */
export function creationTags(doc: Doc): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.spec.tags ?? {})) if (v !== undefined) tags[k] = v;
  tags[OWNER_TAG] = doc.name;
  return tags;
}

// ---------------------------------------------------------------------------------------------
// CodeBuild projects

export type ProjectRole = 'build' | 'publish' | 'replicate';

/** A project Charter creates for a policy: the shared project fields, its region and what it does. */
export interface DesiredProject extends ProjectSpec {
  region: string;
  role: ProjectRole;
}

/** The projects Charter creates in one region (an existing build project named in the policy is not one). */
export function desiredProjects(spec: PackagePublishingSpec, region: string): DesiredProject[] {
  const out: DesiredProject[] = [];
  const image = spec.pipeline?.build?.image ?? DEFAULT_IMAGE;
  const serviceRole = spec.codeBuildRoleArn ?? '';
  const view = { format: spec.format, domain: spec.domain, repository: spec.repository, primaryRegion: spec.primaryRegion, region };
  const pipeline = spec.pipeline;
  if (pipeline?.build?.buildspec && region === spec.primaryRegion && !pipeline.build.project) {
    out.push({ name: buildProjectName(spec)!, region, role: 'build', description: `Builds ${spec.repository} once for pipeline ${pipeline.name} (Charter)`, buildspec: template(pipeline.build.buildspec)(view), image, serviceRole, sourceType: 'CODEPIPELINE' });
  }
  if (pipeline) {
    out.push({ name: publishProjectName(spec)!, region, role: 'publish', description: `Publishes to ${spec.domain}/${spec.repository} in ${region} (Charter)`, buildspec: template(PUBLISH_TEMPLATE)(view), image, serviceRole, sourceType: 'CODEPIPELINE' });
  }
  const replicate = replicateProjectName(spec);
  if (replicate && region !== spec.primaryRegion) {
    out.push({ name: replicate, region, role: 'replicate', description: `Copies missing versions from ${spec.primaryRegion} to ${spec.domain}/${spec.repository} in ${region} (Charter)`, buildspec: template(REPLICATE_TEMPLATE)(view), image, serviceRole, sourceType: 'NO_SOURCE' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pipeline

export interface ActionDecl {
  name: string;
  actionTypeId: { category: string; owner: string; provider: string; version: string };
  runOrder?: number;
  region?: string;
  configuration?: Record<string, string>;
  inputArtifacts?: Array<{ name: string }>;
  outputArtifacts?: Array<{ name: string }>;
}

export interface PipelineDecl {
  name: string;
  roleArn: string;
  pipelineType?: string;
  artifactStores?: Record<string, { type: string; location: string }>;
  artifactStore?: { type: string; location: string };
  stages: Array<{ name: string; actions: ActionDecl[] }>;
  version?: number;
}

/** The V2 pipeline of the seed: Source → Build (once) → Publish (one action per region, same runOrder: parallel). */
export function desiredPipeline(spec: PackagePublishingSpec): PipelineDecl | undefined {
  const p = spec.pipeline;
  // Lint refuses a pipeline without these before any plan; import's skeleton may lack them.
  if (!p?.roleArn || !p.artifactBuckets || !p.source || !p.build) return undefined;
  const codeBuild = { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' };
  const artifactStores: Record<string, { type: string; location: string }> = {};
  for (const region of regionsOf(spec)) artifactStores[region] = { type: 'S3', location: p.artifactBuckets[region] ?? '' };
  return {
    name: p.name,
    roleArn: p.roleArn,
    pipelineType: 'V2',
    artifactStores,
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            runOrder: 1,
            configuration: { ConnectionArn: p.source.connectionArn, FullRepositoryId: p.source.repository, BranchName: p.source.branch },
            outputArtifacts: [{ name: 'SourceOutput' }],
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          { name: 'Build', actionTypeId: codeBuild, runOrder: 1, region: spec.primaryRegion, configuration: { ProjectName: buildProjectName(spec)! }, inputArtifacts: [{ name: 'SourceOutput' }], outputArtifacts: [{ name: 'BuildOutput' }] },
        ],
      },
      {
        name: 'Publish',
        actions: regionsOf(spec).map((region) => ({
          name: publishActionName(region),
          actionTypeId: codeBuild,
          runOrder: 1,
          region,
          configuration: { ProjectName: publishProjectName(spec)! },
          inputArtifacts: [{ name: 'BuildOutput' }],
        })),
      },
    ],
  };
}

/**
 * A pipeline as reviewers read it: one line per pipeline setting, artifact store and action, keyed
 * `pipeline.roleArn`, `artifactStore us-west-2`, `Publish/Publish-us-west-2`. Region defaults to the
 * pipeline's, runOrder to 1, as CodePipeline does.
 */
export function pipelineLines(d: PipelineDecl, pipelineRegion: string): Record<string, string> {
  const out: Record<string, string> = {};
  out['pipeline.roleArn'] = d.roleArn;
  out['pipeline.pipelineType'] = d.pipelineType ?? 'V1';
  if (d.artifactStore) out[`artifactStore ${pipelineRegion}`] = `${d.artifactStore.type} ${d.artifactStore.location}`;
  for (const [region, store] of Object.entries(d.artifactStores ?? {})) out[`artifactStore ${region}`] = `${store.type} ${store.location}`;
  for (const stage of d.stages) {
    for (const a of stage.actions) {
      const t = a.actionTypeId;
      const config = Object.entries(a.configuration ?? {})
        .sort(([x], [y]) => compareStrings(x, y))
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      const inputs = (a.inputArtifacts ?? []).map((x) => x.name).join(',');
      const outputs = (a.outputArtifacts ?? []).map((x) => x.name).join(',');
      out[`${stage.name}/${a.name}`] = `${t.category}/${t.owner}/${t.provider}@${t.version} in ${a.region ?? pipelineRegion}, runOrder ${a.runOrder ?? 1}${config ? `; ${config}` : ''}${inputs ? `; in ${inputs}` : ''}${outputs ? `; out ${outputs}` : ''}`;
    }
  }
  return out;
}

/** Readable differences between two pipeline views, per stage and action (`+` added, `-` removed, `~` changed). */
export function pipelineDiff(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const out: string[] = [];
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (b === a) continue;
    if (b === undefined) out.push(`+ ${key}: ${a}`);
    else if (a === undefined) out.push(`- ${key}: ${b}`);
    else out.push(`~ ${key}: ${b} → ${a}`);
  }
  return out;
}
