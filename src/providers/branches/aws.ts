/** The provider's CodePipeline and CodeBuild services over the SDK wrappers in src/aws (one client per region). */
import { codeBuildClient, createProject, deleteProject, getProjects, listProjectNames, startBuild, updateProject, waitForBuilds } from '../../aws/codebuild.js';
import { liveProjectView, projectInput, projectTags } from '../../aws/codebuild-project.js';
import { codePipelineClient, createPipeline, deletePipeline, getPipeline, listPipelines, listTags, tagPipeline, updatePipeline, type PipelineDeclaration as SdkDeclaration } from '../../aws/codepipeline.js';
import { createTopic, deleteTopic, listSubscriptions, listTopics, setTopicPolicy, snsClient, subscribeEmail, tagTopic, topicPolicy, topicTags, unsubscribe } from '../../aws/sns.js';
import type { RuntimeContext } from '../../core/provider.js';
import type { PipelineDeclaration } from './desired.js';
import type { BuildApi, PipelineApi, ProjectApi, Services, TopicApi } from './runtime.js';

const sdk = (d: PipelineDeclaration) => d as unknown as SdkDeclaration;

/** Runs a delete; false when AWS answers that the thing is already gone (`notFound`, the service's error name). */
async function unlessGone(notFound: string, remove: () => Promise<void>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === notFound) return false;
    throw error;
  }
}

export function awsServices(ctx: RuntimeContext): Services {
  const pipelines = new Map<string, PipelineApi>();
  const builds = new Map<string, BuildApi>();
  const topics = new Map<string, TopicApi>();
  const projects = new Map<string, ProjectApi>();
  return {
    projects(region) {
      let api = projects.get(region);
      if (api) return api;
      const client = codeBuildClient(ctx.aws, region);
      api = {
        listNames: () => listProjectNames(client),
        get: async (names) => [...(await getProjects(client, names)).values()].map((p) => ({ name: p.name ?? '', view: liveProjectView(p), tags: projectTags(p) })),
        create: (project, tags) => createProject(client, projectInput(project, tags)),
        update: (project, tags) => updateProject(client, projectInput(project, tags)),
        delete: (name) => unlessGone('ResourceNotFoundException', () => deleteProject(client, name)),
      };
      projects.set(region, api);
      return api;
    },
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
        deletePipeline: (name) => unlessGone('PipelineNotFoundException', () => deletePipeline(client, name)),
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
    topics(region) {
      let api = topics.get(region);
      if (api) return api;
      const client = snsClient(ctx.aws, region);
      api = {
        listTopics: () => listTopics(client),
        listTags: (arn) => topicTags(client, arn),
        listEmails: async (arn) => (await listSubscriptions(client, arn)).filter((s) => s.protocol === 'email').map((s) => (s.arn ? { email: s.endpoint, arn: s.arn } : { email: s.endpoint })),
        getPolicy: (arn) => topicPolicy(client, arn),
        setPolicy: (arn, policy) => setTopicPolicy(client, arn, policy),
        unsubscribe: (subscriptionArn) => unlessGone('NotFoundException', () => unsubscribe(client, subscriptionArn)),
        createTopic: (name, tags) => createTopic(client, name, tags),
        tagTopic: (arn, tags) => tagTopic(client, arn, tags),
        subscribeEmail: (arn, email) => subscribeEmail(client, arn, email),
        deleteTopic: (arn) => deleteTopic(client, arn),
      };
      topics.set(region, api);
      return api;
    },
  };
}
