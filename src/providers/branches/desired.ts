/**
 * The desired pipeline of one branch, built from the policy alone (pure): the CodePipeline V2 declaration
 * Charter writes, in the API's own shape (so apply sends it as is), plus the tags, and a one-line-per-action
 * view that plans show instead of a JSON blob.
 *
 * Stages: Source (the branch through the CodeStar connection, plus one source action per test repository),
 * Build (the CodeBuild project, BRANCH set), then one stage per environment that applies to the branch
 * (`branches: default` environments only on the default branch), whose actions run in this order: the
 * manual approval, the CloudFormation deployment, the tests (in parallel: same runOrder).
 */
import { canonicalJson, sha256, type Json } from '../../core/json.js';
import { buildProject, testProject } from './projects.js';
import { approvalTopicName, BRANCH_TAG, OWNER_TAG, pipelineName, stackName } from './names.js';
import type { BranchPipelinesSpec, Environment, Variables } from './spec.generated.js';

/** Source, Build, Deploy, Approval or Test; owner AWS for every action Charter writes. */
export interface ActionTypeId {
  category: string;
  owner: string;
  provider: string;
  version: string;
}

export interface ActionDeclaration {
  name: string;
  actionTypeId: ActionTypeId;
  runOrder: number;
  configuration: Record<string, string>;
  inputArtifacts: Array<{ name: string }>;
  outputArtifacts: Array<{ name: string }>;
  roleArn?: string;
  region?: string;
}

export interface StageDeclaration {
  name: string;
  actions: ActionDeclaration[];
}

export interface ArtifactStore {
  type: 'S3';
  location: string;
  encryptionKey?: { id: string; type: 'KMS' };
}

/** The parts of CodePipeline's PipelineDeclaration Charter writes and compares. */
export interface PipelineDeclaration {
  name: string;
  roleArn: string;
  pipelineType: 'V2';
  artifactStore?: ArtifactStore;
  artifactStores?: Record<string, ArtifactStore>;
  stages: StageDeclaration[];
}

export interface DesiredPipeline {
  name: string;
  branch: string;
  declaration: PipelineDeclaration;
  /** Tags the pipeline carries: the policy's plus charter:policy and charter:branch. */
  tags: Record<string, string>;
  /** Short digest of the declaration and tags, kept in the charter:applied tag after apply. */
  digest: string;
}

export const SOURCE_OUTPUT = 'SourceOutput';
export const BUILD_OUTPUT = 'BuildOutput';
const CAPABILITIES = 'CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND';

/** Whether an environment's stage is in this branch's pipeline. */
export function environmentApplies(env: Environment, branch: string, defaultBranch: string): boolean {
  return (env.branches ?? 'all') === 'all' || branch === defaultBranch;
}

/** The account the pipelines live in: the pipeline role's. */
export function pipelineAccount(spec: Pick<BranchPipelinesSpec, 'roleArn'>): string {
  return spec.roleArn.split(':')[4];
}

export function pipelineArn(spec: Pick<BranchPipelinesSpec, 'roleArn' | 'region'>, name: string): string {
  const partition = spec.roleArn.split(':')[1];
  return `arn:${partition}:codepipeline:${spec.region}:${pipelineAccount(spec)}:${name}`;
}

/** The topic an environment's approval notifies: the policy's `topicArn`, else the topic Charter owns for its `emails`. */
export function approvalTopicArn(spec: Pick<BranchPipelinesSpec, 'roleArn' | 'region' | 'namePrefix'>, env: Environment): string {
  if (env.approval?.topicArn) return env.approval.topicArn;
  const partition = spec.roleArn.split(':')[1];
  return `arn:${partition}:sns:${spec.region}:${pipelineAccount(spec)}:${approvalTopicName(spec.namePrefix, env.name)}`;
}

/** An SNS topic Charter creates and owns for an environment's approval emails, in the pipelines' region and account. */
export interface DesiredTopic {
  name: string;
  arn: string;
  /** Index of the environment in `stages.environments` (for the change's source position). */
  envIndex: number;
  environment: string;
  emails: string[];
  tags: Record<string, string>;
  /** The access policy Charter sets (canonical JSON), or null when the policy leaves the topic's own alone. */
  policy: string | null;
}

/** The Sid of the statement Charter writes into an approval topic's access policy. */
export const PUBLISH_SID = 'CharterPipelinePublish';

/** Whether Charter sets the topic's access policy: asked for, or the environment is in another account. */
export function wantsTopicPolicy(spec: Pick<BranchPipelinesSpec, 'roleArn'>, env: Environment): boolean {
  return env.approval?.topicPolicy ?? env.account !== pipelineAccount(spec);
}

/**
 * The access policy of an approval topic that must accept CodePipeline's notifications from a pipeline
 * role (CodePipeline User Guide, "Grant Amazon SNS permissions to a CodePipeline service role"): sns:Publish
 * for the pipeline role, and for the environment's account when it is not the pipelines' own.
 */
export function topicPolicyDocument(spec: Pick<BranchPipelinesSpec, 'roleArn'>, env: Environment, topicArn: string): Json {
  const partition = spec.roleArn.split(':')[1];
  const principals = [spec.roleArn];
  if (env.account !== pipelineAccount(spec)) principals.push(`arn:${partition}:iam::${env.account}:root`);
  return {
    Version: '2012-10-17',
    Id: `${topicArn.slice(topicArn.lastIndexOf(':') + 1)}-policy`,
    Statement: [{ Sid: PUBLISH_SID, Effect: 'Allow', Principal: { AWS: principals }, Action: 'sns:Publish', Resource: topicArn }],
  };
}

/**
 * The policy SNS gives a new topic (only the owner account may use it), which Charter restores when an
 * environment stops asking for its own: SNS has no call that removes a topic's policy.
 */
export function defaultTopicPolicy(topicArn: string): Json {
  const account = topicArn.split(':')[4];
  const actions = ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'];
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [{ Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' }, Action: actions, Resource: topicArn, Condition: { StringEquals: { 'AWS:SourceOwner': account } } }],
  };
}

/** One line per statement of an access policy, for plans ("Allow sns:Publish to arn:…role/x"). */
export function describeTopicPolicy(text: string | undefined): string[] {
  if (!text) return ['access policy: none'];
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text) as { Statement?: unknown };
  } catch {
    return ['access policy: not JSON'];
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (!statements.length) return ['access policy: no statements'];
  return statements.map((raw) => {
    const st = (raw ?? {}) as Record<string, unknown>;
    const principal = st.Principal && typeof st.Principal === 'object' ? list((st.Principal as Record<string, unknown>).AWS ?? st.Principal) : list(st.Principal);
    const condition = st.Condition ? ` if ${JSON.stringify(st.Condition)}` : '';
    return `access policy${st.Sid ? ` ${String(st.Sid)}` : ''}: ${String(st.Effect ?? '?')} ${list(st.Action).join(', ')} to ${principal.join(', ') || '?'}${condition}`;
  });
}

/** The approval topics of a policy, by name (every environment with `approval.emails`, whichever branches it runs on). */
export function desiredTopics(spec: BranchPipelinesSpec, policy: string): Map<string, DesiredTopic> {
  const out = new Map<string, DesiredTopic>();
  (spec.stages.environments ?? []).forEach((env, envIndex) => {
    if (!env.approval?.emails || env.approval.topicArn) return;
    const arn = approvalTopicArn(spec, env);
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.tags ?? {})) if (v !== undefined) tags[k] = v;
    tags[OWNER_TAG] = policy;
    const access = wantsTopicPolicy(spec, env) ? canonicalJson(topicPolicyDocument(spec, env, arn)) : null;
    out.set(name, { name, arn, envIndex, environment: env.name, emails: [...new Set(env.approval.emails)].sort(), tags, policy: access });
  });
  return out;
}

function envVars(branch: string, extra: Variables | undefined, more: Record<string, string> = {}): string {
  const vars = [{ name: 'BRANCH', value: branch, type: 'PLAINTEXT' }];
  for (const [name, value] of Object.entries({ ...more, ...(extra ?? {}) }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value !== undefined && name !== 'BRANCH') vars.push({ name, value, type: 'PLAINTEXT' });
  }
  return JSON.stringify(vars);
}

const testSourceArtifact = (envIndex: number, testIndex: number) => `TestSource${envIndex + 1}_${testIndex + 1}`;

function store(spec: BranchPipelinesSpec, region: string): ArtifactStore {
  const s = spec.artifactStores[region];
  const out: ArtifactStore = { type: 'S3', location: s?.bucket ?? '' };
  if (s?.kmsKeyArn) out.encryptionKey = { id: s.kmsKeyArn, type: 'KMS' };
  return out;
}

/** The pipeline of `branch`. Assumes a policy that passed lint (every region used has an artifact store). */
export function desiredPipeline(spec: BranchPipelinesSpec, policy: string, branch: string, defaultBranch: string): DesiredPipeline {
  const name = pipelineName(spec.namePrefix, branch);
  const environments = (spec.stages.environments ?? []).map((env, index) => ({ env, index })).filter(({ env }) => environmentApplies(env, branch, defaultBranch));

  const source: ActionDeclaration[] = [
    {
      name: 'Source',
      actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      runOrder: 1,
      configuration: { ConnectionArn: spec.connectionArn, FullRepositoryId: spec.repository, BranchName: branch, OutputArtifactFormat: 'CODE_ZIP' },
      inputArtifacts: [],
      outputArtifacts: [{ name: SOURCE_OUTPUT }],
    },
  ];
  const stages: StageDeclaration[] = [
    { name: 'Source', actions: source },
    {
      name: 'Build',
      actions: [
        {
          name: 'Build',
          actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
          runOrder: 1,
          configuration: { ProjectName: buildProject(spec), EnvironmentVariables: envVars(branch, spec.stages.build.variables) },
          inputArtifacts: [{ name: SOURCE_OUTPUT }],
          outputArtifacts: [{ name: BUILD_OUTPUT }],
        },
      ],
    },
  ];
  const regions = new Set([spec.region]);
  for (const { env, index } of environments) {
    const region = env.region && env.region !== spec.region ? env.region : undefined;
    if (region) regions.add(region);
    const actions: ActionDeclaration[] = [];
    let runOrder = 1;
    if (env.approval) {
      const configuration: Record<string, string> = { NotificationArn: approvalTopicArn(spec, env) };
      if (env.approval.message) configuration.CustomData = env.approval.message;
      actions.push({ name: 'Approval', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' }, runOrder: runOrder++, configuration, inputArtifacts: [], outputArtifacts: [] });
    }
    const deploy = env.deploy;
    if (deploy && deploy.enabled !== false) {
      const action: ActionDeclaration = {
        name: 'Deploy',
        actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' },
        runOrder: runOrder++,
        configuration: {
          ActionMode: 'CREATE_UPDATE',
          StackName: stackName(deploy.stackName, branch),
          RoleArn: deploy.cloudFormationRoleArn ?? deploy.roleArn,
          TemplatePath: `${BUILD_OUTPUT}::${deploy.template ?? 'template.yml'}`,
          Capabilities: CAPABILITIES,
        },
        inputArtifacts: [{ name: BUILD_OUTPUT }],
        outputArtifacts: [],
        roleArn: deploy.roleArn,
      };
      if (region) action.region = region;
      actions.push(action);
    }
    (env.tests ?? []).forEach((test, t) => {
      let input = SOURCE_OUTPUT;
      if (test.source) {
        input = testSourceArtifact(index, t);
        source.push({
          name: `${env.name}-${test.name}-source`.slice(0, 100),
          actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
          runOrder: 1,
          configuration: { ConnectionArn: spec.connectionArn, FullRepositoryId: test.source.repository, BranchName: test.source.branch ?? 'main', OutputArtifactFormat: 'CODE_ZIP' },
          inputArtifacts: [],
          outputArtifacts: [{ name: input }],
        });
      }
      const action: ActionDeclaration = {
        name: test.name,
        actionTypeId: { category: 'Test', owner: 'AWS', provider: 'CodeBuild', version: '1' },
        runOrder,
        configuration: { ProjectName: testProject(spec, env, t), EnvironmentVariables: envVars(branch, test.variables, { ENVIRONMENT: env.name, TARGET_ACCOUNT: env.account }) },
        inputArtifacts: [{ name: input }],
        outputArtifacts: [],
      };
      if (region) action.region = region;
      actions.push(action);
    });
    if (actions.length) stages.push({ name: env.name, actions });
  }

  const declaration: PipelineDeclaration = { name, roleArn: spec.roleArn, pipelineType: 'V2', stages };
  if (regions.size > 1) {
    declaration.artifactStores = Object.fromEntries([...regions].sort().map((r) => [r, store(spec, r)]));
  } else {
    declaration.artifactStore = store(spec, spec.region);
  }
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.tags ?? {})) if (v !== undefined) tags[k] = v;
  tags[OWNER_TAG] = policy;
  tags[BRANCH_TAG] = branch;
  return { name, branch, declaration, tags, digest: pipelineDigest(declaration, tags) };
}

/**
 * The stacks a branch's pipeline deploys, `region|deploy role|stack` each (the STACKS variable of the
 * cleanup build, which deletes them with the deploy role of their account).
 */
export function branchStacks(spec: BranchPipelinesSpec, policy: string, branch: string, defaultBranch: string): string {
  const { declaration } = desiredPipeline(spec, policy, branch, defaultBranch);
  const out: string[] = [];
  for (const stage of declaration.stages) {
    for (const a of stage.actions) {
      if (a.actionTypeId.provider === 'CloudFormation') out.push(`${a.region ?? spec.region}|${a.roleArn ?? spec.roleArn}|${a.configuration.StackName}`);
    }
  }
  return out.join(' ');
}

/** Digest of what Charter writes (declaration and its own tags), kept in the charter:applied tag. */
export function pipelineDigest(declaration: PipelineDeclaration, tags: Record<string, string>): string {
  return sha256(canonicalJson({ declaration, tags })).slice(0, 16);
}

/** One line per action, in stage order: what reviewers read in a plan instead of the declaration's JSON. */
export function pipelineView(declaration: PipelineDeclaration): Json {
  const lines: string[] = [];
  for (const stage of declaration.stages) {
    for (const action of stage.actions) lines.push(`${stage.name} / ${action.name}: ${describeAction(action)}`);
  }
  const stores = declaration.artifactStores ?? (declaration.artifactStore ? { default: declaration.artifactStore } : {});
  for (const [region, s] of Object.entries(stores)) lines.push(`artifacts${region === 'default' ? '' : ` ${region}`}: s3://${s.location}${s.encryptionKey ? ` (KMS ${s.encryptionKey.id})` : ''}`);
  lines.push(`role: ${declaration.roleArn}`);
  return lines;
}

/** A readable summary of one action: its kind and the configuration that matters. */
export function describeAction(a: ActionDeclaration): string {
  const c = a.configuration ?? {};
  const where = `${a.region ? ` in ${a.region}` : ''}${a.roleArn ? ` as ${a.roleArn}` : ''}`;
  const order = ` [runOrder ${a.runOrder ?? 1}]`;
  const vars = c.EnvironmentVariables ? ` with ${variablesText(c.EnvironmentVariables)}` : '';
  switch (a.actionTypeId?.provider) {
    case 'CodeStarSourceConnection':
      return `GitHub ${c.FullRepositoryId ?? '?'} branch ${c.BranchName ?? '?'}${order}`;
    case 'CodeBuild':
      return `CodeBuild ${c.ProjectName ?? '?'}${vars}${where}${order}`;
    case 'CloudFormation':
      return `CloudFormation ${c.ActionMode ?? '?'} stack ${c.StackName ?? '?'} from ${c.TemplatePath ?? '?'} (stack role ${c.RoleArn ?? '?'})${where}${order}`;
    case 'Manual':
      return `manual approval, notifying ${c.NotificationArn ?? 'nobody'}${c.CustomData ? ` ("${c.CustomData}")` : ''}${order}`;
    default: {
      const t = a.actionTypeId;
      const config = Object.keys(c).sort().map((k) => `${k}=${c[k]}`).join(', ');
      return `${t ? `${t.category}/${t.owner}/${t.provider}` : 'unknown action'}${config ? ` (${config})` : ''}${where}${order}`;
    }
  }
}

function variablesText(json: string): string {
  try {
    const vars = JSON.parse(json) as Array<{ name: string; value: string }>;
    return vars.map((v) => `${v.name}=${v.value}`).join(', ');
  } catch {
    return json;
  }
}
