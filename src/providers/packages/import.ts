/**
 * `charter import` for PackagePublishing: from a policy naming the format, domain, repository and regions
 * (and, optionally, only the pipeline's name), the spec that describes the live setup, so that the first
 * plan changes nothing but ownership. Read: the repository in every region (description, external
 * connection, tags), and the named pipeline (role, artifact buckets, GitHub source, build project) with the
 * service role of its publish project. Nothing is written to AWS: a setup without `charter:policy` tags
 * gets `adopt: true`, and the first apply tags it, a change the plan shows.
 */
import { codeArtifactClient, describeDomain, describeRepository, listTags, type LiveRepository } from '../../aws/codeartifact.js';
import { codeBuildClient, getProjects } from '../../aws/codebuild.js';
import { codePipelineClient, getPipeline, listTags as listPipelineTags } from '../../aws/codepipeline.js';
import type { Json } from '../../core/json.js';
import type { ImportedPolicy, RuntimeContext } from '../../core/provider.js';
import { buildProjectName, desiredPipeline, OWNER_TAG, pipelineDiff, pipelineLines, publishProjectName, regionsOf, type Doc, type PipelineDecl } from './model.js';
import type { PackagePublishingSpec, PublishingPipeline } from './spec.generated.js';

interface RegionRead {
  region: string;
  domain: boolean;
  repository?: LiveRepository;
  tags: Record<string, string>;
}

/** Tags the policy declares: the live ones without Charter's own (charter:*) or AWS's (aws:*). */
const userTags = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('charter:') && !k.startsWith('aws:')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

export async function importPackages(doc: Doc, ctx: RuntimeContext): Promise<ImportedPolicy> {
  const spec = doc.spec;
  const clients = (region: string) => ({ codeartifact: codeArtifactClient(ctx.aws, region), codebuild: codeBuildClient(ctx.aws, region), codepipeline: codePipelineClient(ctx.aws, region) });
  const notices: string[] = [];
  const reads: RegionRead[] = await Promise.all(
    regionsOf(spec).map(async (region) => {
      const ca = clients(region).codeartifact;
      const [domain, repository] = await Promise.all([describeDomain(ca, spec.domain), describeRepository(ca, spec.domain, spec.repository)]);
      return { region, domain: domain !== undefined, repository, tags: repository ? await listTags(ca, repository.arn) : {} };
    }),
  );
  const found = reads.filter((r) => r.repository);
  if (!found.length) throw new Error(`${doc.name}: no repository ${spec.domain}/${spec.repository} in ${regionsOf(spec).join(', ')}: nothing to import`);
  // The primary's settings describe the policy; where it has none, the first region that has the repository.
  const source = found[0];
  const out: Record<string, Json> = JSON.parse(JSON.stringify(spec)) as Record<string, Json>;
  const description = source.repository!.description;
  if (description) out.description = description;
  else delete out.description;
  const connection = source.repository!.externalConnections[0];
  if (connection) out.externalConnection = connection;
  else delete out.externalConnection;
  const tags = userTags(source.tags);
  if (Object.keys(tags).length) out.tags = tags;
  else delete out.tags;

  let adopt = false;
  for (const r of reads) {
    if (!r.repository) {
      notices.push(`${r.region}: no repository ${spec.domain}/${spec.repository}${r.domain ? '' : ` (nor domain ${spec.domain})`}: the first plan creates it`);
      continue;
    }
    const owner = r.tags[OWNER_TAG];
    if (owner === undefined) adopt = true;
    else if (owner !== doc.name) notices.push(`${r.region}: the repository is owned by policy ${owner}: it stays left alone (import never takes over another policy's resources)`);
    const differs = [
      r.repository.description !== description ? 'description' : '',
      (r.repository.externalConnections[0] ?? '') !== (connection ?? '') ? 'external connection' : '',
      !same(userTags(r.tags), tags) ? 'tags' : '',
    ].filter(Boolean);
    if (differs.length) notices.push(`${r.region}: the repository's ${differs.join(', ')} differ${differs.length === 1 ? 's' : ''} from ${source.region}'s: the first plan aligns ${differs.length === 1 ? 'it' : 'them'} with ${source.region}`);
  }

  if (spec.pipeline) {
    const imported = await importPipeline(doc, clients, notices);
    if (imported) {
      out.pipeline = imported.pipeline as unknown as Json;
      if (imported.codeBuildRoleArn) out.codeBuildRoleArn = imported.codeBuildRoleArn;
      adopt ||= imported.untagged;
    }
  }
  if (adopt) {
    out.adopt = true;
    notices.push(`adopt: true: the first plan tags the untagged resources ${OWNER_TAG}=${doc.name} (a visible change); after that apply, adopt may be removed`);
  }
  return { spec: out, notices, comments: adopt ? [{ path: ['adopt'], text: ` Set by charter import: the first apply tags the existing setup ${OWNER_TAG}=${doc.name}.` }] : [] };
}

/** The pipeline named in the policy, as a policy declares it; undefined (with a notice) when it does not exist. */
async function importPipeline(doc: Doc, clients: (region: string) => { codebuild: ReturnType<typeof codeBuildClient>; codepipeline: ReturnType<typeof codePipelineClient> }, notices: string[]): Promise<{ pipeline: PublishingPipeline; codeBuildRoleArn?: string; untagged: boolean } | undefined> {
  const spec = doc.spec;
  const named = spec.pipeline!;
  const { codepipeline, codebuild } = clients(spec.primaryRegion);
  const live = await getPipeline(codepipeline, named.name);
  if (!live) {
    notices.push(`pipeline ${named.name} does not exist in ${spec.primaryRegion}: kept as written${desiredPipeline(spec) ? '; the first plan creates it' : ''}`);
    return undefined;
  }
  const decl = live.declaration as unknown as PipelineDecl;
  const actions = decl.stages.flatMap((s) => s.actions.map((a) => ({ stage: s.name, ...a })));
  const sourceAction = actions.find((a) => a.actionTypeId.provider === 'CodeStarSourceConnection');
  const buildAction = actions.find((a) => a.stage === 'Build' && a.actionTypeId.provider === 'CodeBuild') ?? actions.find((a) => a.actionTypeId.provider === 'CodeBuild');
  const artifactBuckets: Record<string, string> = {};
  for (const [region, store] of Object.entries(decl.artifactStores ?? {})) artifactBuckets[region] = store.location;
  if (decl.artifactStore) artifactBuckets[spec.primaryRegion] = decl.artifactStore.location;
  const pipeline: PublishingPipeline = { name: named.name, roleArn: decl.roleArn, artifactBuckets };
  const config = sourceAction?.configuration ?? {};
  if (config.ConnectionArn && config.FullRepositoryId && config.BranchName) pipeline.source = { connectionArn: config.ConnectionArn, repository: config.FullRepositoryId, branch: config.BranchName };
  else notices.push(`pipeline ${named.name} has no GitHub source through a CodeStar connection: write pipeline.source before planning`);
  const buildProject = buildAction?.configuration?.ProjectName;
  // A build project Charter would create from the written template stays a template; any other is named.
  if (buildProject && named.build?.buildspec && buildProject === buildProjectName({ ...spec, pipeline: { ...named, build: { buildspec: named.build.buildspec } } })) pipeline.build = { ...named.build };
  else if (buildProject) pipeline.build = { project: buildProject, ...(named.build?.image ? { image: named.build.image } : {}) };
  else notices.push(`pipeline ${named.name} has no CodeBuild build action: write pipeline.build before planning`);
  if (!pipeline.source || !pipeline.build) return { pipeline: { ...named, ...pipeline }, untagged: false };

  const importedSpec: PackagePublishingSpec = { ...spec, pipeline };
  const publish = (await getProjects(codebuild, [publishProjectName(importedSpec)!])).get(publishProjectName(importedSpec)!);
  const liveTags = await listPipelineTags(codepipeline, live.arn);
  const owner = liveTags[OWNER_TAG];
  if (owner !== undefined && owner !== doc.name) notices.push(`pipeline ${named.name} is owned by policy ${owner}: it stays left alone`);
  const diff = pipelineDiff(pipelineLines(decl, spec.primaryRegion), pipelineLines(desiredPipeline(importedSpec)!, spec.primaryRegion));
  if (diff.length) notices.push(`pipeline ${named.name} differs from the shape Charter keeps (Source → Build → one Publish action per region): the first plan shows ${diff.length} difference(s) per stage and action`);
  return { pipeline, ...(publish?.serviceRole ? { codeBuildRoleArn: publish.serviceRole } : {}), untagged: owner === undefined };
}
