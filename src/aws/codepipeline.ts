/**
 * AWS CodePipeline: the pipeline, tag and execution calls Charter makes, one client per region. ListPipelines
 * returns no tags, so ownership is read with ListTagsForResource per pipeline ARN. Requests are rate-limited
 * per service (default 5 requests/second, `requestsPerSecond.codepipeline` overrides it).
 */
import {
  CodePipelineClient,
  CreatePipelineCommand,
  DeletePipelineCommand,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  ListTagsForResourceCommand,
  StartPipelineExecutionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePipelineCommand,
  type PipelineDeclaration,
  type PipelineExecutionSummary,
  type PipelineSummary,
} from '@aws-sdk/client-codepipeline';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';
import { pollUntil, type Waits } from './wait.js';

export type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';

export function codePipelineClient(settings: AwsSettings, region: string): CodePipelineClient {
  return cachedClient(settings, `codepipeline|${region}`, () => withRateLimit(new CodePipelineClient(clientConfig(settings, 'codepipeline', region)), settings, 'codepipeline', region));
}

const errorName = (error: unknown): string | undefined => (error as { name?: string })?.name;

export interface LivePipeline {
  declaration: PipelineDeclaration;
  arn: string;
}

/** Every pipeline of the region (names and versions), following nextToken. */
export async function listPipelines(client: CodePipelineClient): Promise<PipelineSummary[]> {
  const out: PipelineSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListPipelinesCommand({ maxResults: 1000, nextToken }));
    out.push(...(page.pipelines ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** The pipeline's declaration and ARN, or undefined when there is none of that name (PipelineNotFoundException). */
export async function getPipeline(client: CodePipelineClient, name: string): Promise<LivePipeline | undefined> {
  try {
    const out = await client.send(new GetPipelineCommand({ name }));
    if (!out.pipeline) return undefined;
    return { declaration: out.pipeline, arn: out.metadata?.pipelineArn ?? '' };
  } catch (error) {
    if (errorName(error) === 'PipelineNotFoundException') return undefined;
    throw error;
  }
}

export async function listTags(client: CodePipelineClient, arn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTagsForResourceCommand({ resourceArn: arn, nextToken }));
    for (const t of page.tags ?? []) if (t.key) tags[t.key] = t.value ?? '';
    nextToken = page.nextToken;
  } while (nextToken);
  return tags;
}

const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));

export async function createPipeline(client: CodePipelineClient, pipeline: PipelineDeclaration, tags: Record<string, string>): Promise<void> {
  const list = tagList(tags);
  await client.send(new CreatePipelineCommand({ pipeline, ...(list.length > 0 ? { tags: list } : {}) }));
}

/** UpdatePipeline replaces the whole declaration; the version is CodePipeline's to bump. */
export async function updatePipeline(client: CodePipelineClient, pipeline: PipelineDeclaration): Promise<void> {
  const { version: _version, ...rest } = pipeline;
  await client.send(new UpdatePipelineCommand({ pipeline: rest as PipelineDeclaration }));
}

export async function deletePipeline(client: CodePipelineClient, name: string): Promise<void> {
  await client.send(new DeletePipelineCommand({ name }));
}

export async function tagPipeline(client: CodePipelineClient, arn: string, tags: Record<string, string>): Promise<void> {
  const list = tagList(tags);
  if (list.length > 0) await client.send(new TagResourceCommand({ resourceArn: arn, tags: list }));
}

export async function untagPipeline(client: CodePipelineClient, arn: string, keys: string[]): Promise<void> {
  if (keys.length > 0) await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: keys }));
}

export async function startExecution(client: CodePipelineClient, name: string, variables?: Record<string, string>): Promise<string> {
  const vars = variables ? Object.entries(variables).map(([n, value]) => ({ name: n, value })) : undefined;
  const out = await client.send(new StartPipelineExecutionCommand({ name, ...(vars && vars.length > 0 ? { variables: vars } : {}) }));
  return out.pipelineExecutionId ?? '';
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Stopped', 'Cancelled', 'Superseded']);

/** Polls GetPipelineExecution until the execution is no longer in progress; returns its final status. */
export async function waitForExecution(client: CodePipelineClient, pipelineName: string, pipelineExecutionId: string, waits: Waits): Promise<string> {
  const read = async () => (await client.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }))).pipelineExecution?.status ?? 'InProgress';
  return pollUntil(read, (s) => FINISHED.has(s), waits, (s) => new Error(`pipeline ${pipelineName} execution ${pipelineExecutionId} still ${s} after ${waits.waitTimeoutMs} ms`));
}

/** The most recent executions first, following nextToken up to `limit`. */
export async function listExecutions(client: CodePipelineClient, pipelineName: string, limit = 100): Promise<PipelineExecutionSummary[]> {
  const out: PipelineExecutionSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListPipelineExecutionsCommand({ pipelineName, maxResults: Math.min(100, limit - out.length), nextToken }));
    out.push(...(page.pipelineExecutionSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken && out.length < limit);
  return out;
}
