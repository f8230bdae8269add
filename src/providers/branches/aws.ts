/** The provider's CodePipeline and CodeBuild services over the SDK wrappers in src/aws (one client per region). */
import { codeBuildClient, startBuild, waitForBuilds } from '../../aws/codebuild.js';
import { codePipelineClient, createPipeline, deletePipeline, getPipeline, listPipelines, listTags, tagPipeline, updatePipeline, type PipelineDeclaration as SdkDeclaration } from '../../aws/codepipeline.js';
import type { RuntimeContext } from '../../core/provider.js';
import type { PipelineDeclaration } from './desired.js';
import type { BuildApi, PipelineApi, Services } from './runtime.js';

const sdk = (d: PipelineDeclaration) => d as unknown as SdkDeclaration;

export function awsServices(ctx: RuntimeContext): Services {
  const pipelines = new Map<string, PipelineApi>();
  const builds = new Map<string, BuildApi>();
  return {
    pipelines(region) {
      let api = pipelines.get(region);
      if (api) return api;
      const client = codePipelineClient(ctx.aws, region);
      const version = async (name: string) => (await getPipeline(client, name))?.declaration.version ?? 1;
      api = {
        listPipelines: async () => (await listPipelines(client)).filter((p) => p.name).map((p) => ({ name: p.name!, version: p.version })),
        listTags: (arn) => listTags(client, arn),
        getPipeline: async (name) => (await getPipeline(client, name))?.declaration,
        async createPipeline(declaration, tags) {
          await createPipeline(client, sdk(declaration), tags);
          return 1;
        },
        async updatePipeline(declaration) {
          await updatePipeline(client, sdk(declaration));
          return version(declaration.name);
        },
        tagResource: (arn, tags) => tagPipeline(client, arn, tags),
        async deletePipeline(name) {
          try {
            await deletePipeline(client, name);
            return true;
          } catch (error) {
            if ((error as { name?: string }).name === 'PipelineNotFoundException') return false;
            throw error;
          }
        },
      };
      pipelines.set(region, api);
      return api;
    },
    builds(region) {
      let api = builds.get(region);
      if (api) return api;
      const client = codeBuildClient(ctx.aws, region);
      api = {
        startBuild: (project, variables) => startBuild(client, project, variables),
        async waitForBuild(id, timeoutMs, pollIntervalMs) {
          const status = await waitForBuilds(client, [id], { waitTimeoutMs: timeoutMs, pollIntervalMs });
          return status.get(id) ?? 'NOT_FOUND';
        },
      };
      builds.set(region, api);
      return api;
    },
  };
}
