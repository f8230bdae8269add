/**
 * AWS CodeBuild: the project and build calls Charter makes, one client per region. BatchGetProjects and
 * BatchGetBuilds take at most 100 names per call, so reads are chunked. Requests are rate-limited per
 * service (default 5 requests/second, `requestsPerSecond.codebuild` overrides it).
 */
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CodeBuildClient,
  CreateProjectCommand,
  DeleteProjectCommand,
  ListProjectsCommand,
  StartBuildCommand,
  UpdateProjectCommand,
  type Build,
  type CreateProjectCommandInput,
  type Project,
  type UpdateProjectCommandInput,
} from '@aws-sdk/client-codebuild';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';
import { pollUntil, type Waits } from './wait.js';

export type { Build, CreateProjectCommandInput, Project } from '@aws-sdk/client-codebuild';

export const BATCH_SIZE = 100;

export function codeBuildClient(settings: AwsSettings, region: string): CodeBuildClient {
  return cachedClient(settings, `codebuild|${region}`, () => withRateLimit(new CodeBuildClient(clientConfig(settings, 'codebuild', region)), settings, 'codebuild', region));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The named projects that exist (by name); missing ones are simply absent. */
export async function getProjects(client: CodeBuildClient, names: readonly string[]): Promise<Map<string, Project>> {
  const out = new Map<string, Project>();
  for (const chunk of chunks([...new Set(names)], BATCH_SIZE)) {
    const res = await client.send(new BatchGetProjectsCommand({ names: chunk }));
    for (const p of res.projects ?? []) if (p.name) out.set(p.name, p);
  }
  return out;
}

export async function listProjectNames(client: CodeBuildClient): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListProjectsCommand({ nextToken }));
    out.push(...(page.projects ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export async function createProject(client: CodeBuildClient, input: CreateProjectCommandInput): Promise<void> {
  await client.send(new CreateProjectCommand(input));
}

/** UpdateProject: only the fields given change (tags, when given, replace the project's whole set). */
export async function updateProject(client: CodeBuildClient, input: UpdateProjectCommandInput): Promise<void> {
  await client.send(new UpdateProjectCommand(input));
}

/** Replaces a project's tags (UpdateProject with only `tags`: CodeBuild has no TagResource for projects). */
export async function setProjectTags(client: CodeBuildClient, name: string, tags: Record<string, string>): Promise<void> {
  await client.send(new UpdateProjectCommand({ name, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }));
}

export async function deleteProject(client: CodeBuildClient, name: string): Promise<void> {
  await client.send(new DeleteProjectCommand({ name }));
}

/** Starts one build with the given variables as environment overrides; returns the build id. */
export async function startBuild(client: CodeBuildClient, projectName: string, variables: Record<string, string>): Promise<string> {
  const environmentVariablesOverride = Object.entries(variables).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' as const }));
  const out = await client.send(new StartBuildCommand({ projectName, environmentVariablesOverride }));
  return out.build?.id ?? '';
}

/** Polls BatchGetBuilds (100 ids a call) until every build has finished; returns each build's final status by id. */
export async function waitForBuilds(client: CodeBuildClient, ids: readonly string[], waits: Waits): Promise<Map<string, string>> {
  const status = new Map<string, string>();
  const read = async (): Promise<Map<string, string>> => {
    const pending = ids.filter((id) => !status.has(id) || status.get(id) === 'IN_PROGRESS');
    for (const chunk of chunks(pending, BATCH_SIZE)) {
      const res = await client.send(new BatchGetBuildsCommand({ ids: chunk }));
      for (const b of res.builds ?? ([] as Build[])) if (b.id) status.set(b.id, b.buildStatus ?? 'IN_PROGRESS');
      for (const id of res.buildsNotFound ?? []) status.set(id, 'NOT_FOUND');
    }
    return status;
  };
  return pollUntil(read, (s) => ids.every((id) => s.has(id) && s.get(id) !== 'IN_PROGRESS'), waits, () => new Error(`builds still in progress after ${waits.waitTimeoutMs} ms`));
}
