/**
 * CodePipeline (JSON 1.1, `CodePipeline_20150709.*`): pipelines (V1/V2), their tags and executions,
 * per region. Names, structure rules, limits and error codes follow the API reference; an execution
 * reports InProgress until polled `settings.codepipeline.executionCompleteAfterPolls` times, then the
 * configured outcome (Succeeded by default), so tests can drive both.
 */
import { randomUUID } from 'node:crypto';
import { join, type Checker } from '../checker.js';
import { SandboxError } from '../errors.js';
import { defineSection, defineSettings, normalizeTags, type SandboxState, type Tag } from '../section.js';
import { jsonErrorResponse, jsonResponse, jsonTargetRouting, memberMustNotBeNull, parseJsonBody, stringMember, type JsonObject } from './json-protocol.js';
import type { ServiceContext, ServiceHandler, ServiceResponse } from './types.js';

// ---------------------------------------------------------------------------------------------
// State: the `codepipeline` section of the account file and `settings.codepipeline`

export type ExecutionStatus = 'Cancelled' | 'InProgress' | 'Stopped' | 'Stopping' | 'Succeeded' | 'Superseded' | 'Failed';

export interface PipelineExecution {
  id: string;
  status: ExecutionStatus;
  pipelineVersion: number;
  startTime: string;
  lastUpdateTime: string;
  /** GetPipelineExecution calls left before the execution reports its outcome. */
  pollsRemaining: number;
  variables?: Array<{ name: string; value: string }>;
}

export interface Pipeline {
  region: string;
  arn: string;
  /** The PipelineDeclaration as last written (its `version` kept current). */
  declaration: JsonObject;
  created: string;
  updated: string;
  tags: Tag[];
  executions: PipelineExecution[];
}

export interface CodePipelineState {
  pipelines: Pipeline[];
}

export interface CodePipelineSettings {
  /** GetPipelineExecution calls answered InProgress before the outcome. 0 = finished at once. */
  executionCompleteAfterPolls: number;
  /** The outcome every execution reaches. */
  executionOutcome: 'Succeeded' | 'Failed';
  /** Pipelines per region (AWS's quota is 1000). */
  maxPipelinesPerRegion: number;
}

declare module '../section.js' {
  interface SandboxState {
    codepipeline: CodePipelineState;
  }
  interface SandboxSettings {
    codepipeline: CodePipelineSettings;
  }
}

export const PIPELINE_NAME_RE = /^[A-Za-z0-9.@\-_]{1,100}$/;
const ROLE_ARN_RE = /^arn:aws(-[\w]+)*:iam::[0-9]{12}:role\/.*$/;
const MAX_TAGS = 50;

export function pipelineArn(region: string, accountId: string, name: string): string {
  return `arn:aws:codepipeline:${region}:${accountId}:${name}`;
}

function loadCodePipeline(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const o = c.object(value, 'codepipeline');
  if (!o) return;
  c.known(o, ['pipelines'], 'codepipeline');
  const seen = new Set<string>();
  c.array(o, 'pipelines', 'codepipeline').forEach((v, i) => {
    const path = `codepipeline.pipelines[${i}]`;
    const p = c.object(v, path);
    if (!p) return;
    c.known(p, ['region', 'arn', 'declaration', 'created', 'updated', 'tags', 'executions'], path);
    const region = c.string(p, 'region', path) ?? 'us-east-1';
    const declaration = c.object(p.declaration, join(path, 'declaration'));
    if (!declaration) return;
    const problem = declarationProblem(declaration);
    if (problem) c.fail(join(path, 'declaration'), problem.message);
    const name = String(declaration.name);
    if (seen.has(`${region}/${name}`)) c.fail(path, `duplicate pipeline ${name} in ${region}`);
    seen.add(`${region}/${name}`);
    const executions: PipelineExecution[] = [];
    c.array(p, 'executions', path).forEach((ev, j) => {
      const epath = `${path}.executions[${j}]`;
      const e = c.object(ev, epath);
      if (!e) return;
      c.known(e, ['id', 'status', 'pipelineVersion', 'startTime', 'lastUpdateTime', 'pollsRemaining', 'variables'], epath);
      const status = (c.string(e, 'status', epath) ?? 'Succeeded') as ExecutionStatus;
      executions.push({
        id: c.string(e, 'id', epath) ?? randomUUID(),
        status,
        pipelineVersion: c.integer(e, 'pipelineVersion', epath, 1, 1_000_000) ?? 1,
        startTime: c.timestamp(e, 'startTime', epath) ?? iso,
        lastUpdateTime: c.timestamp(e, 'lastUpdateTime', epath) ?? iso,
        pollsRemaining: c.integer(e, 'pollsRemaining', epath, 0, 1_000_000) ?? 0,
      });
    });
    state.codepipeline.pipelines.push({
      region,
      arn: c.string(p, 'arn', path) ?? pipelineArn(region, state.accountId, name),
      declaration: { ...declaration, version: typeof declaration.version === 'number' ? declaration.version : 1 },
      created: c.timestamp(p, 'created', path) ?? iso,
      updated: c.timestamp(p, 'updated', path) ?? iso,
      tags: normalizeTags(c, p.tags, join(path, 'tags')),
      executions,
    });
  });
}

const codepipelineState = defineSection({
  key: 'codepipeline',
  empty: () => ({ pipelines: [] }),
  load: loadCodePipeline,
  settings: defineSettings({
    key: 'codepipeline',
    defaults: () => ({ executionCompleteAfterPolls: 1, executionOutcome: 'Succeeded', maxPipelinesPerRegion: 1000 }),
    load(c, value, out) {
      const s = c.object(value, 'settings.codepipeline');
      if (!s) return out;
      c.known(s, ['executionCompleteAfterPolls', 'executionOutcome', 'maxPipelinesPerRegion'], 'settings.codepipeline');
      out.executionCompleteAfterPolls = c.integer(s, 'executionCompleteAfterPolls', 'settings.codepipeline', 0, 1_000_000) ?? out.executionCompleteAfterPolls;
      out.maxPipelinesPerRegion = c.integer(s, 'maxPipelinesPerRegion', 'settings.codepipeline', 0, 1_000_000) ?? out.maxPipelinesPerRegion;
      const outcome = c.string(s, 'executionOutcome', 'settings.codepipeline');
      if (outcome !== undefined && outcome !== 'Succeeded' && outcome !== 'Failed') c.fail('settings.codepipeline.executionOutcome', `expected Succeeded or Failed, got ${JSON.stringify(outcome)}`);
      else if (outcome !== undefined) out.executionOutcome = outcome;
      return out;
    },
  }),
});

// ---------------------------------------------------------------------------------------------
// Validation of a PipelineDeclaration (the checks CodePipeline makes on Create/UpdatePipeline)

function err(code: string, message: string): SandboxError {
  return new SandboxError(400, code, message);
}

function validationName(what: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !PIPELINE_NAME_RE.test(value)) {
    return `1 validation error detected: Value '${String(value)}' at '${what}' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+ and have length between 1 and 100`;
  }
  return undefined;
}

/** The first problem CodePipeline would report for this declaration, or undefined. */
export function declarationProblem(d: JsonObject): SandboxError | undefined {
  const nameProblem = validationName('pipeline.name', d.name);
  if (nameProblem) return err('ValidationException', nameProblem);
  if (typeof d.roleArn !== 'string' || !ROLE_ARN_RE.test(d.roleArn)) {
    return err('ValidationException', `1 validation error detected: Value '${String(d.roleArn)}' at 'pipeline.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[\\w]+)*:iam::[0-9]{12}:role/.*`);
  }
  const hasStore = d.artifactStore !== undefined && d.artifactStore !== null;
  const hasStores = d.artifactStores !== undefined && d.artifactStores !== null;
  if (hasStore === hasStores) return err('InvalidStructureException', 'Pipeline must have exactly one of artifactStore or artifactStores');
  if (d.pipelineType !== undefined && d.pipelineType !== 'V1' && d.pipelineType !== 'V2') return err('ValidationException', `Value '${String(d.pipelineType)}' at 'pipeline.pipelineType' failed to satisfy constraint: Member must satisfy enum value set: [V1, V2]`);
  const stages = Array.isArray(d.stages) ? (d.stages as JsonObject[]) : undefined;
  if (!stages || stages.length < 2) return err('InvalidStructureException', 'Pipeline must contain at least two stages');
  const stageNames = new Set<string>();
  for (const [i, s] of stages.entries()) {
    const sp = validationName(`pipeline.stages.${i + 1}.member.name`, s?.name);
    if (sp) return err('ValidationException', sp);
    const stageName = String(s.name);
    if (stageNames.has(stageName)) return err('InvalidStageDeclarationException', `Stage name ${stageName} is not unique`);
    stageNames.add(stageName);
    const actions = Array.isArray(s.actions) ? (s.actions as JsonObject[]) : [];
    if (actions.length === 0) return err('InvalidStructureException', `Stage ${stageName} must contain at least one action`);
    const actionNames = new Set<string>();
    for (const [j, a] of actions.entries()) {
      const ap = validationName(`pipeline.stages.${i + 1}.member.actions.${j + 1}.member.name`, a?.name);
      if (ap) return err('ValidationException', ap);
      const actionName = String(a.name);
      if (actionNames.has(actionName)) return err('InvalidActionDeclarationException', `Action name ${actionName} in stage ${stageName} is not unique`);
      actionNames.add(actionName);
      const typeId = (a.actionTypeId ?? {}) as JsonObject;
      const isSource = typeId.category === 'Source';
      if (i === 0 && !isSource) return err('InvalidStructureException', `The first stage may contain only source actions (${actionName} in ${stageName} is ${String(typeId.category)})`);
      if (i > 0 && isSource) return err('InvalidStructureException', `Source actions are allowed only in the first stage (${actionName} in ${stageName})`);
      if (a.runOrder !== undefined && (typeof a.runOrder !== 'number' || a.runOrder < 1 || a.runOrder > 999)) return err('ValidationException', `runOrder of ${actionName} must be from 1 to 999`);
      if (hasStores && a.region !== undefined && !(d.artifactStores as JsonObject)[String(a.region)]) {
        return err('InvalidStructureException', `Action ${actionName} runs in ${String(a.region)}, which has no artifact store in artifactStores`);
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Operations

const TARGET_PREFIX = 'CodePipeline_20150709.';
const MUTATING = new Set(['CreatePipeline', 'UpdatePipeline', 'DeletePipeline', 'TagResource', 'UntagResource', 'StartPipelineExecution']);


/** An opaque nextToken (the offset into a sorted listing). */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

export function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    // fall through
  }
  throw err('InvalidNextTokenException', 'The next token is not valid');
}

function maxResults(body: JsonObject, max: number, dflt: number): number {
  const v = body.maxResults;
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw err('ValidationException', `1 validation error detected: Value '${String(v)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  return v;
}

function find(ctx: ServiceContext, region: string, name: string): Pipeline {
  const p = ctx.state.codepipeline.pipelines.find((x) => x.region === region && x.declaration.name === name);
  if (!p) throw err('PipelineNotFoundException', `Account '${ctx.state.accountId}' does not have a pipeline with name '${name}'`);
  return p;
}

function checkTags(raw: unknown, existing: number): Tag[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw err('ValidationException', 'tags must be a list');
  const tags: Tag[] = [];
  for (const t of raw as JsonObject[]) {
    const key = t?.key;
    const value = t?.value;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || typeof value !== 'string' || value.length > 256) {
      throw err('InvalidTagsException', 'Tag keys must be 1-128 characters and values 0-256 characters');
    }
    if (key.startsWith('aws:')) throw err('InvalidTagsException', `Tag key ${key} uses the reserved prefix aws:`);
    tags.push({ key, value });
  }
  if (tags.length + existing > MAX_TAGS) throw err('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags`);
  return tags;
}

function mergeTags(current: Tag[], add: Tag[]): Tag[] {
  const out = current.filter((t) => !add.some((a) => a.key === t.key));
  return [...out, ...add];
}

function byArn(ctx: ServiceContext, region: string, body: JsonObject): Pipeline {
  const arn = stringMember(body, 'resourceArn', memberMustNotBeNull) as string;
  const m = /^arn:aws[a-z-]*:codepipeline:([a-z0-9-]+):(\d{12}):(.+)$/.exec(arn);
  if (!m) throw err('InvalidArnException', `The ARN ${arn} is not valid`);
  const p = ctx.state.codepipeline.pipelines.find((x) => x.arn === arn && x.region === region);
  if (!p) throw err('ResourceNotFoundException', `The resource ${arn} was not found`);
  return p;
}

function metadata(p: Pipeline): JsonObject {
  return { pipelineArn: p.arn, created: Date.parse(p.created) / 1000, updated: Date.parse(p.updated) / 1000 };
}

function summary(p: Pipeline): JsonObject {
  const d = p.declaration;
  return {
    name: d.name,
    version: d.version,
    pipelineType: d.pipelineType ?? 'V1',
    executionMode: d.executionMode ?? 'SUPERSEDED',
    created: Date.parse(p.created) / 1000,
    updated: Date.parse(p.updated) / 1000,
  };
}

function executionView(p: Pipeline, e: PipelineExecution): JsonObject {
  return {
    pipelineName: p.declaration.name,
    pipelineVersion: e.pipelineVersion,
    pipelineExecutionId: e.id,
    status: e.status,
    ...(e.variables ? { variables: e.variables.map((v) => ({ name: v.name, resolvedValue: v.value })) } : {}),
    executionMode: p.declaration.executionMode ?? 'SUPERSEDED',
    executionType: 'STANDARD',
  };
}

type Op = (body: JsonObject, ctx: ServiceContext, region: string) => ServiceResponse;

const operations: Record<string, Op> = {
  CreatePipeline(body, ctx, region) {
    const d = body.pipeline;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) throw memberMustNotBeNull('pipeline');
    const decl = { ...(d as JsonObject) };
    const problem = declarationProblem(decl);
    if (problem) throw problem;
    const name = String(decl.name);
    const pipelines = ctx.state.codepipeline.pipelines;
    if (pipelines.some((p) => p.region === region && p.declaration.name === name)) throw err('PipelineNameInUseException', `A pipeline with the name '${name}' already exists in account '${ctx.state.accountId}'`);
    if (pipelines.filter((p) => p.region === region).length >= ctx.state.settings.codepipeline.maxPipelinesPerRegion) {
      throw err('LimitExceededException', `The number of pipelines in ${region} has reached the limit of ${ctx.state.settings.codepipeline.maxPipelinesPerRegion}`);
    }
    const tags = checkTags(body.tags, 0);
    const now = ctx.now().toISOString();
    decl.version = 1;
    const p: Pipeline = { region, arn: pipelineArn(region, ctx.state.accountId, name), declaration: decl, created: now, updated: now, tags, executions: [] };
    pipelines.push(p);
    ctx.changed();
    return jsonResponse({ pipeline: decl, ...(tags.length > 0 ? { tags } : {}) });
  },
  GetPipeline(body, ctx, region) {
    const name = stringMember(body, 'name', memberMustNotBeNull) as string;
    const p = find(ctx, region, name);
    if (body.version !== undefined && body.version !== p.declaration.version) {
      throw err('PipelineVersionNotFoundException', `Pipeline '${name}' has no version ${String(body.version)} in the sandbox (only the current one)`);
    }
    return jsonResponse({ pipeline: p.declaration, metadata: metadata(p) });
  },
  UpdatePipeline(body, ctx, region) {
    const d = body.pipeline;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) throw memberMustNotBeNull('pipeline');
    const decl = { ...(d as JsonObject) };
    const problem = declarationProblem(decl);
    if (problem) throw problem;
    const p = find(ctx, region, String(decl.name));
    decl.version = Number(p.declaration.version) + 1;
    p.declaration = decl;
    p.updated = ctx.now().toISOString();
    ctx.changed();
    return jsonResponse({ pipeline: decl });
  },
  DeletePipeline(body, ctx, region) {
    const name = stringMember(body, 'name', memberMustNotBeNull) as string;
    // Deleting a pipeline that does not exist succeeds, as on AWS.
    const before = ctx.state.codepipeline.pipelines.length;
    ctx.state.codepipeline.pipelines = ctx.state.codepipeline.pipelines.filter((p) => !(p.region === region && p.declaration.name === name));
    if (ctx.state.codepipeline.pipelines.length !== before) ctx.changed();
    return jsonResponse({});
  },
  ListPipelines(body, ctx, region) {
    const size = maxResults(body, 1000, 1000);
    const start = decodeToken(stringMember(body, 'nextToken'));
    const all = ctx.state.codepipeline.pipelines
      .filter((p) => p.region === region)
      .sort((a, b) => (String(a.declaration.name) < String(b.declaration.name) ? -1 : 1));
    const page = all.slice(start, start + size);
    return jsonResponse({ pipelines: page.map(summary), ...(start + size < all.length ? { nextToken: encodeToken(start + size) } : {}) });
  },
  TagResource(body, ctx, region) {
    const p = byArn(ctx, region, body);
    const add = checkTags(body.tags ?? (() => { throw memberMustNotBeNull('tags'); })(), 0);
    const merged = mergeTags(p.tags, add);
    if (merged.length > MAX_TAGS) throw err('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags`);
    p.tags = merged;
    ctx.changed();
    return jsonResponse({});
  },
  UntagResource(body, ctx, region) {
    const p = byArn(ctx, region, body);
    const keys = body.tagKeys;
    if (!Array.isArray(keys)) throw memberMustNotBeNull('tagKeys');
    p.tags = p.tags.filter((t) => !keys.includes(t.key));
    ctx.changed();
    return jsonResponse({});
  },
  ListTagsForResource(body, ctx, region) {
    const p = byArn(ctx, region, body);
    const size = maxResults(body, 100, 100);
    const start = decodeToken(stringMember(body, 'nextToken'));
    const page = p.tags.slice(start, start + size);
    return jsonResponse({ tags: page.map((t) => ({ key: t.key, value: t.value ?? '' })), ...(start + size < p.tags.length ? { nextToken: encodeToken(start + size) } : {}) });
  },
  StartPipelineExecution(body, ctx, region) {
    const name = stringMember(body, 'name', memberMustNotBeNull) as string;
    const p = find(ctx, region, name);
    const now = ctx.now().toISOString();
    const settings = ctx.state.settings.codepipeline;
    const variables = Array.isArray(body.variables)
      ? (body.variables as JsonObject[]).map((v) => ({ name: String(v.name), value: String(v.value) }))
      : undefined;
    const e: PipelineExecution = {
      id: randomUUID(),
      status: settings.executionCompleteAfterPolls === 0 ? settings.executionOutcome : 'InProgress',
      pipelineVersion: Number(p.declaration.version),
      startTime: now,
      lastUpdateTime: now,
      pollsRemaining: settings.executionCompleteAfterPolls,
      ...(variables ? { variables } : {}),
    };
    p.executions.unshift(e);
    ctx.changed();
    return jsonResponse({ pipelineExecutionId: e.id });
  },
  GetPipelineExecution(body, ctx, region) {
    const name = stringMember(body, 'pipelineName', memberMustNotBeNull) as string;
    const id = stringMember(body, 'pipelineExecutionId', memberMustNotBeNull) as string;
    const p = find(ctx, region, name);
    const e = p.executions.find((x) => x.id === id);
    if (!e) throw err('PipelineExecutionNotFoundException', `Pipeline execution ${id} was not found in pipeline ${name}`);
    if (e.status === 'InProgress') {
      e.pollsRemaining = Math.max(0, e.pollsRemaining - 1);
      if (e.pollsRemaining === 0) {
        e.status = ctx.state.settings.codepipeline.executionOutcome;
        e.lastUpdateTime = ctx.now().toISOString();
      }
      ctx.changed();
    }
    return jsonResponse({ pipelineExecution: executionView(p, e) });
  },
  ListPipelineExecutions(body, ctx, region) {
    const name = stringMember(body, 'pipelineName', memberMustNotBeNull) as string;
    const p = find(ctx, region, name);
    const size = maxResults(body, 100, 100);
    const start = decodeToken(stringMember(body, 'nextToken'));
    const page = p.executions.slice(start, start + size);
    return jsonResponse({
      pipelineExecutionSummaries: page.map((e) => ({
        pipelineExecutionId: e.id,
        status: e.status,
        startTime: Date.parse(e.startTime) / 1000,
        lastUpdateTime: Date.parse(e.lastUpdateTime) / 1000,
        executionMode: p.declaration.executionMode ?? 'SUPERSEDED',
      })),
      ...(start + size < p.executions.length ? { nextToken: encodeToken(start + size) } : {}),
    });
  },
};

export const codepipeline: ServiceHandler = {
  state: codepipelineState,
  name: 'codepipeline',
  ...jsonTargetRouting(TARGET_PREFIX),
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    const fn = operations[op];
    if (!fn) throw new SandboxError(400, 'UnknownOperationException', `The Charter sandbox does not implement CodePipeline operation ${op}`);
    return fn(parseJsonBody(req), ctx, req.region);
  },
  renderError: (e, req) => jsonErrorResponse(e, req),
  throttleError: () => new SandboxError(400, 'ThrottlingException', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(400, 'ValidationException', 'Injected failure (sandbox failNthWrite)'),
};
