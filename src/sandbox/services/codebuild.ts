/**
 * CodeBuild (JSON 1.1, `CodeBuild_20161006.*`): projects and builds, per region. A build reports
 * IN_PROGRESS until BatchGetBuilds has seen it `settings.codebuild.buildCompleteAfterPolls` times, then
 * its outcome: the next entry of `codebuild.outcomes[<project>]` in the state (a queue a test fills, e.g.
 * `["FAILED"]`), else `settings.codebuild.buildOutcome` (SUCCEEDED by default).
 */
import { randomUUID } from 'node:crypto';
import { join, type Checker } from '../checker.js';
import { SandboxError } from '../errors.js';
import { defineSection, defineSettings, nextCounter, normalizeTags, type SandboxState, type Tag } from '../section.js';
import { jsonErrorResponse, jsonResponse, jsonTargetRouting, memberMustNotBeNull, parseJsonBody, stringMember, type JsonObject } from './json-protocol.js';
import type { ServiceContext, ServiceHandler, ServiceResponse } from './types.js';

// ---------------------------------------------------------------------------------------------
// State: the `codebuild` section of the account file and `settings.codebuild`

export type BuildStatus = 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'TIMED_OUT' | 'IN_PROGRESS' | 'STOPPED';
const FINAL_STATUSES: readonly BuildStatus[] = ['SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'];

export interface EnvironmentVariable {
  name: string;
  value: string;
  type: 'PLAINTEXT' | 'PARAMETER_STORE' | 'SECRETS_MANAGER';
}

export interface Project {
  region: string;
  name: string;
  arn: string;
  /** The project as CodeBuild returns it (source, artifacts, environment, serviceRole, ...). */
  config: JsonObject;
  tags: Tag[];
  created: string;
  lastModified: string;
}

export interface Build {
  region: string;
  id: string;
  arn: string;
  buildNumber: number;
  projectName: string;
  status: BuildStatus;
  /** The outcome it reaches when it finishes. */
  outcome: BuildStatus;
  pollsRemaining: number;
  startTime: string;
  endTime?: string;
  sourceVersion?: string;
  environmentVariables: EnvironmentVariable[];
}

export interface CodeBuildState {
  projects: Project[];
  builds: Build[];
  /** Outcomes for the next builds of a project, consumed in order by StartBuild. */
  outcomes: Record<string, BuildStatus[]>;
}

export interface CodeBuildSettings {
  buildCompleteAfterPolls: number;
  buildOutcome: BuildStatus;
}

declare module '../section.js' {
  interface SandboxState {
    codebuild: CodeBuildState;
  }
  interface SandboxSettings {
    codebuild: CodeBuildSettings;
  }
}

export const PROJECT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,149}$/;

function projectArn(region: string, accountId: string, name: string): string {
  return `arn:aws:codebuild:${region}:${accountId}:project/${name}`;
}

function status(c: Checker, v: string | undefined, path: string): BuildStatus | undefined {
  if (v === undefined) return undefined;
  if (!FINAL_STATUSES.includes(v as BuildStatus) && v !== 'IN_PROGRESS') {
    c.fail(path, `expected one of ${[...FINAL_STATUSES, 'IN_PROGRESS'].join(', ')}, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v as BuildStatus;
}

function loadCodeBuild(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const o = c.object(value, 'codebuild');
  if (!o) return;
  c.known(o, ['projects', 'builds', 'outcomes'], 'codebuild');
  c.array(o, 'projects', 'codebuild').forEach((v, i) => {
    const path = `codebuild.projects[${i}]`;
    const p = c.object(v, path);
    if (!p) return;
    c.known(p, ['region', 'name', 'arn', 'config', 'tags', 'created', 'lastModified'], path);
    const name = c.string(p, 'name', path, true);
    if (name === undefined) return;
    if (!PROJECT_NAME_RE.test(name)) c.fail(join(path, 'name'), `invalid project name ${JSON.stringify(name)}`);
    const region = c.string(p, 'region', path) ?? 'us-east-1';
    if (state.codebuild.projects.some((x) => x.region === region && x.name === name)) c.fail(path, `duplicate project ${name} in ${region}`);
    state.codebuild.projects.push({
      region,
      name,
      arn: c.string(p, 'arn', path) ?? projectArn(region, state.accountId, name),
      config: (p.config === undefined ? {} : c.object(p.config, join(path, 'config'))) ?? {},
      tags: normalizeTags(c, p.tags, join(path, 'tags')),
      created: c.timestamp(p, 'created', path) ?? iso,
      lastModified: c.timestamp(p, 'lastModified', path) ?? iso,
    });
  });
  c.array(o, 'builds', 'codebuild').forEach((v, i) => {
    const path = `codebuild.builds[${i}]`;
    const b = c.object(v, path);
    if (!b) return;
    c.known(b, ['region', 'id', 'arn', 'buildNumber', 'projectName', 'status', 'outcome', 'pollsRemaining', 'startTime', 'endTime', 'sourceVersion', 'environmentVariables'], path);
    const id = c.string(b, 'id', path, true);
    const projectName = c.string(b, 'projectName', path, true);
    if (id === undefined || projectName === undefined) return;
    const region = c.string(b, 'region', path) ?? 'us-east-1';
    const st = status(c, c.string(b, 'status', path), join(path, 'status')) ?? 'SUCCEEDED';
    const endTime = c.timestamp(b, 'endTime', path);
    const sourceVersion = c.string(b, 'sourceVersion', path);
    const env = c.array(b, 'environmentVariables', path).map((ev) => {
      const e = (ev ?? {}) as JsonObject;
      return { name: String(e.name), value: String(e.value ?? ''), type: (e.type as EnvironmentVariable['type']) ?? 'PLAINTEXT' };
    });
    state.codebuild.builds.push({
      region,
      id,
      arn: c.string(b, 'arn', path) ?? `arn:aws:codebuild:${region}:${state.accountId}:build/${id}`,
      buildNumber: c.integer(b, 'buildNumber', path, 1, Number.MAX_SAFE_INTEGER) ?? 1,
      projectName,
      status: st,
      outcome: status(c, c.string(b, 'outcome', path), join(path, 'outcome')) ?? (st === 'IN_PROGRESS' ? 'SUCCEEDED' : st),
      pollsRemaining: c.integer(b, 'pollsRemaining', path, 0, 1_000_000) ?? 0,
      startTime: c.timestamp(b, 'startTime', path) ?? iso,
      ...(endTime !== undefined ? { endTime } : {}),
      ...(sourceVersion !== undefined ? { sourceVersion } : {}),
      environmentVariables: env,
    });
  });
  if (o.outcomes !== undefined) {
    const outcomes = c.object(o.outcomes, 'codebuild.outcomes');
    for (const [project, list] of Object.entries(outcomes ?? {})) {
      const path = `codebuild.outcomes.${project}`;
      if (!Array.isArray(list)) {
        c.fail(path, 'expected a list of build statuses');
        continue;
      }
      state.codebuild.outcomes[project] = list.flatMap((s, j) => {
        const st = status(c, typeof s === 'string' ? s : String(s), `${path}[${j}]`);
        return st && st !== 'IN_PROGRESS' ? [st] : [];
      });
    }
  }
}

const codebuildState = defineSection({
  key: 'codebuild',
  empty: () => ({ projects: [], builds: [], outcomes: {} }),
  load: loadCodeBuild,
  settings: defineSettings({
    key: 'codebuild',
    defaults: () => ({ buildCompleteAfterPolls: 1, buildOutcome: 'SUCCEEDED' }),
    load(c, value, out) {
      const s = c.object(value, 'settings.codebuild');
      if (!s) return out;
      c.known(s, ['buildCompleteAfterPolls', 'buildOutcome'], 'settings.codebuild');
      out.buildCompleteAfterPolls = c.integer(s, 'buildCompleteAfterPolls', 'settings.codebuild', 0, 1_000_000) ?? out.buildCompleteAfterPolls;
      const o = status(c, c.string(s, 'buildOutcome', 'settings.codebuild'), 'settings.codebuild.buildOutcome');
      if (o !== undefined && o !== 'IN_PROGRESS') out.buildOutcome = o;
      return out;
    },
  }),
});

// ---------------------------------------------------------------------------------------------
// Operations

const TARGET_PREFIX = 'CodeBuild_20161006.';
const MUTATING = new Set(['CreateProject', 'UpdateProject', 'DeleteProject', 'StartBuild']);
const PAGE = 100;


function invalid(message: string): SandboxError {
  return new SandboxError(400, 'InvalidInputException', message);
}

function checkTags(raw: unknown): Tag[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid('tags must be a list');
  if (raw.length > 50) throw invalid('A project can have at most 50 tags');
  return (raw as JsonObject[]).map((t) => {
    const key = t?.key;
    const value = t?.value ?? '';
    if (typeof key !== 'string' || key.length < 1 || key.length > 127 || typeof value !== 'string' || value.length > 255) throw invalid('Invalid tag: keys are 1-127 characters, values 0-255');
    return { key, value };
  });
}

function checkEnvVars(raw: unknown, what: string): EnvironmentVariable[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid(`${what} must be a list`);
  return (raw as JsonObject[]).map((e) => {
    if (typeof e?.name !== 'string' || e.name === '' || typeof e.value !== 'string') throw invalid(`${what}: every variable needs a name and a value`);
    const type = e.type ?? 'PLAINTEXT';
    if (type !== 'PLAINTEXT' && type !== 'PARAMETER_STORE' && type !== 'SECRETS_MANAGER') throw invalid(`${what}: type must be PLAINTEXT, PARAMETER_STORE or SECRETS_MANAGER`);
    return { name: e.name, value: e.value, type };
  });
}

const CONFIG_KEYS = ['description', 'source', 'secondarySources', 'sourceVersion', 'artifacts', 'secondaryArtifacts', 'cache', 'environment', 'serviceRole', 'timeoutInMinutes', 'queuedTimeoutInMinutes', 'encryptionKey', 'logsConfig', 'concurrentBuildLimit'];

function checkConfig(body: JsonObject, creating: boolean): JsonObject {
  const out: JsonObject = {};
  for (const key of CONFIG_KEYS) if (body[key] !== undefined && body[key] !== null) out[key] = body[key];
  if (creating) for (const key of ['source', 'artifacts', 'environment', 'serviceRole']) if (out[key] === undefined) throw memberMustNotBeNull(key);
  if (typeof out.description === 'string' && out.description.length > 255) throw invalid('description must be at most 255 characters');
  const env = out.environment as JsonObject | undefined;
  if (env !== undefined) {
    for (const key of ['type', 'image', 'computeType']) if (typeof env[key] !== 'string') throw memberMustNotBeNull(`environment.${key}`);
    env.environmentVariables = checkEnvVars(env.environmentVariables, 'environment.environmentVariables');
  }
  const source = out.source as JsonObject | undefined;
  if (source !== undefined && typeof source.type !== 'string') throw memberMustNotBeNull('source.type');
  const artifacts = out.artifacts as JsonObject | undefined;
  if (artifacts !== undefined && typeof artifacts.type !== 'string') throw memberMustNotBeNull('artifacts.type');
  return out;
}

function projectView(p: Project): JsonObject {
  return {
    name: p.name,
    arn: p.arn,
    ...p.config,
    tags: p.tags.map((t) => ({ key: t.key, value: t.value ?? '' })),
    created: Date.parse(p.created) / 1000,
    lastModified: Date.parse(p.lastModified) / 1000,
  };
}

function buildView(b: Build): JsonObject {
  return {
    id: b.id,
    arn: b.arn,
    buildNumber: b.buildNumber,
    projectName: b.projectName,
    buildStatus: b.status,
    currentPhase: b.status === 'IN_PROGRESS' ? 'BUILD' : 'COMPLETED',
    buildComplete: b.status !== 'IN_PROGRESS',
    startTime: Date.parse(b.startTime) / 1000,
    ...(b.endTime ? { endTime: Date.parse(b.endTime) / 1000 } : {}),
    ...(b.sourceVersion ? { sourceVersion: b.sourceVersion } : {}),
    environment: { environmentVariables: b.environmentVariables },
  };
}

function findProject(ctx: ServiceContext, region: string, name: string): Project | undefined {
  return ctx.state.codebuild.projects.find((p) => p.region === region && (p.name === name || p.arn === name));
}

function nameList(body: JsonObject, key: string): string[] {
  const v = body[key];
  if (!Array.isArray(v)) throw memberMustNotBeNull(key);
  if (v.length < 1 || v.length > 100) throw invalid(`${key} must contain from 1 to 100 items`);
  if (v.some((x) => typeof x !== 'string' || x === '')) throw invalid(`${key} must contain non-empty strings`);
  return v as string[];
}

type Op = (body: JsonObject, ctx: ServiceContext, region: string) => ServiceResponse;

const operations: Record<string, Op> = {
  CreateProject(body, ctx, region) {
    const name = stringMember(body, 'name', memberMustNotBeNull) as string;
    if (!PROJECT_NAME_RE.test(name)) throw invalid(`Invalid project name: ${name}`);
    if (findProject(ctx, region, name)) throw new SandboxError(400, 'ResourceAlreadyExistsException', `Project already exists: ${name}`);
    const config = checkConfig(body, true);
    const now = ctx.now().toISOString();
    const p: Project = { region, name, arn: projectArn(region, ctx.state.accountId, name), config, tags: checkTags(body.tags), created: now, lastModified: now };
    ctx.state.codebuild.projects.push(p);
    ctx.changed();
    return jsonResponse({ project: projectView(p) });
  },
  UpdateProject(body, ctx, region) {
    const name = stringMember(body, 'name', memberMustNotBeNull) as string;
    const p = findProject(ctx, region, name);
    if (!p) throw new SandboxError(400, 'ResourceNotFoundException', `Failed to call UpdateProject, reason: Project cannot be found: arn:aws:codebuild:${region}:${ctx.state.accountId}:project/${name}`);
    p.config = { ...p.config, ...checkConfig(body, false) };
    if (body.tags !== undefined) p.tags = checkTags(body.tags);
    p.lastModified = ctx.now().toISOString();
    ctx.changed();
    return jsonResponse({ project: projectView(p) });
  },
  DeleteProject(body, ctx, region) {
    const name = stringMember(body, 'name', memberMustNotBeNull) as string;
    const before = ctx.state.codebuild.projects.length;
    ctx.state.codebuild.projects = ctx.state.codebuild.projects.filter((p) => !(p.region === region && (p.name === name || p.arn === name)));
    if (ctx.state.codebuild.projects.length !== before) ctx.changed();
    return jsonResponse({});
  },
  BatchGetProjects(body, ctx, region) {
    const names = nameList(body, 'names');
    const projects: JsonObject[] = [];
    const projectsNotFound: string[] = [];
    for (const n of names) {
      const p = findProject(ctx, region, n);
      if (p) projects.push(projectView(p));
      else projectsNotFound.push(n);
    }
    return jsonResponse({ projects, projectsNotFound });
  },
  ListProjects(body, ctx, region) {
    const token = stringMember(body, 'nextToken');
    let start = 0;
    if (token !== undefined) {
      start = Number(Buffer.from(token, 'base64').toString('utf8'));
      if (!Number.isInteger(start) || start < 0) throw invalid('Invalid next token');
    }
    const desc = body.sortOrder === 'DESCENDING';
    const all = ctx.state.codebuild.projects
      .filter((p) => p.region === region)
      .map((p) => p.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0) * (desc ? -1 : 1));
    const page = all.slice(start, start + PAGE);
    return jsonResponse({ projects: page, ...(start + PAGE < all.length ? { nextToken: Buffer.from(String(start + PAGE)).toString('base64') } : {}) });
  },
  StartBuild(body, ctx, region) {
    const name = stringMember(body, 'projectName', memberMustNotBeNull) as string;
    const p = findProject(ctx, region, name);
    if (!p) throw new SandboxError(400, 'ResourceNotFoundException', `Project cannot be found: arn:aws:codebuild:${region}:${ctx.state.accountId}:project/${name}`);
    const overrides = checkEnvVars(body.environmentVariablesOverride, 'environmentVariablesOverride');
    const base = ((p.config.environment as JsonObject | undefined)?.environmentVariables as EnvironmentVariable[] | undefined) ?? [];
    const env = [...base.filter((e) => !overrides.some((o) => o.name === e.name)), ...overrides];
    const settings = ctx.state.settings.codebuild;
    const outcome = ctx.state.codebuild.outcomes[p.name]?.shift() ?? settings.buildOutcome;
    const id = `${p.name}:${randomUUID()}`;
    const now = ctx.now().toISOString();
    const done = settings.buildCompleteAfterPolls === 0;
    const sourceVersion = stringMember(body, 'sourceVersion');
    const b: Build = {
      region,
      id,
      arn: `arn:aws:codebuild:${region}:${ctx.state.accountId}:build/${id}`,
      buildNumber: nextCounter(ctx.state, `codebuild:${region}:${p.name}`),
      projectName: p.name,
      status: done ? outcome : 'IN_PROGRESS',
      outcome,
      pollsRemaining: settings.buildCompleteAfterPolls,
      startTime: now,
      ...(done ? { endTime: now } : {}),
      ...(sourceVersion !== undefined ? { sourceVersion } : {}),
      environmentVariables: env,
    };
    ctx.state.codebuild.builds.push(b);
    ctx.changed();
    return jsonResponse({ build: buildView(b) });
  },
  BatchGetBuilds(body, ctx, region) {
    const ids = nameList(body, 'ids');
    const builds: JsonObject[] = [];
    const buildsNotFound: string[] = [];
    for (const id of ids) {
      const b = ctx.state.codebuild.builds.find((x) => x.region === region && (x.id === id || x.arn === id));
      if (!b) {
        buildsNotFound.push(id);
        continue;
      }
      if (b.status === 'IN_PROGRESS') {
        b.pollsRemaining = Math.max(0, b.pollsRemaining - 1);
        if (b.pollsRemaining === 0) {
          b.status = b.outcome;
          b.endTime = ctx.now().toISOString();
        }
        ctx.changed();
      }
      builds.push(buildView(b));
    }
    return jsonResponse({ builds, buildsNotFound });
  },
};

export const codebuild: ServiceHandler = {
  state: codebuildState,
  name: 'codebuild',
  ...jsonTargetRouting(TARGET_PREFIX),
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    const fn = operations[op];
    if (!fn) throw new SandboxError(400, 'UnknownOperationException', `The Charter sandbox does not implement CodeBuild operation ${op}`);
    return fn(parseJsonBody(req), ctx, req.region);
  },
  renderError: (e, req) => jsonErrorResponse(e, req),
  throttleError: () => new SandboxError(400, 'ThrottlingException', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(400, 'InvalidInputException', 'Injected failure (sandbox failNthWrite)'),
};
