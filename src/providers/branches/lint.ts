/**
 * Offline rules for BranchPipelines policies (docs/diagnostics-branches.md lists every code): what the
 * schema cannot say about names, accounts, ARNs, globs, environments and approval targets. The branch
 * list and the account's pipelines are only known at plan time (reconcile.ts: quota, taken names).
 */
import { sortDiagnostics, type Diagnostic, type Severity } from '../../core/diagnostics.js';
import { diagnosticAt, type PathSegment, type PolicyDocument } from '../../core/document.js';
import { stepSourceProblems } from '../../aws/codebuild-project.js';
import type { LintContext } from '../../core/provider.js';
import { pipelineAccount } from './desired.js';
import { globProblem } from './glob.js';
import { createsProjects } from './projects.js';
import { BRANCH_PLACEHOLDER, STACK_NAME_MAX } from './names.js';
import type { BranchPipelinesSpec } from './spec.generated.js';

type Doc = PolicyDocument<BranchPipelinesSpec>;
type Add = (path: PathSegment[], code: string, severity: Severity, message: string, hint?: string) => void;

const RESERVED_STAGES = new Set(['source', 'build']);
/** Approval emails per environment: each becomes an SNS subscription the owner must confirm. */
const MAX_APPROVAL_EMAILS = 20;
const RESERVED_ACTIONS = new Set(['approval', 'deploy']);
const RESERVED_TAG_PREFIXES = ['aws:', 'charter:'];

interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
}

function arnParts(arn: string): ArnParts {
  const [, partition = '', service = '', region = '', account = ''] = arn.split(':');
  return { partition, service, region, account };
}

export async function lintBranchPipelines(docs: Doc[], _ctx: LintContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const prefixes = new Map<string, Doc>();
  for (const doc of docs) {
    const add: Add = (path, code, severity, message, hint) => out.push(diagnosticAt(doc, path, code, severity, message, hint));
    const spec = doc.spec;
    const key = `${spec.region}/${spec.namePrefix}`;
    const first = prefixes.get(key);
    if (first) {
      const at = first.position(['spec', 'namePrefix']);
      add(['spec', 'namePrefix'], 'branches/duplicate-prefix', 'error', `namePrefix ${spec.namePrefix} in ${spec.region} is already used by BranchPipelines policy "${first.name}" (${at.file}:${at.line})`, 'Two policies with one prefix would need the same pipeline names: give each its own namePrefix.');
    } else {
      prefixes.set(key, doc);
    }
    lintArns(doc, add);
    lintGlobs(spec, add);
    lintTags(spec, add);
    lintEnvironments(spec, add);
    lintProjectSteps(doc, add);
  }
  return sortDiagnostics(out);
}

function lintArns(doc: Doc, add: Add): void {
  const spec = doc.spec;
  const account = pipelineAccount(spec);
  const partition = arnParts(spec.roleArn).partition;
  const check = (path: PathSegment[], arn: string | undefined) => {
    if (arn && arnParts(arn).partition !== partition) {
      add(path, 'branches/partition-mismatch', 'error', `${arn} is in partition ${arnParts(arn).partition}, the pipeline role in ${partition}`, 'Every ARN of a pipeline is in the partition of its account (aws, aws-cn, aws-us-gov).');
    }
  };
  check(['spec', 'connectionArn'], spec.connectionArn);
  const connection = arnParts(spec.connectionArn);
  if (connection.account !== account) {
    add(['spec', 'connectionArn'], 'branches/connection-account', 'error', `The connection is in account ${connection.account}, the pipelines in ${account} (the account of roleArn)`, 'A pipeline uses a connection of its own account: create the GitHub connection there.');
  }
  for (const [region, store] of Object.entries(spec.artifactStores)) {
    if (!store?.kmsKeyArn) continue;
    check(['spec', 'artifactStores', region, 'kmsKeyArn'], store.kmsKeyArn);
    const key = arnParts(store.kmsKeyArn);
    if (key.region !== region) add(['spec', 'artifactStores', region, 'kmsKeyArn'], 'branches/kms-key-region', 'error', `The artifact store for ${region} names a KMS key in ${key.region}`, 'An artifact bucket is encrypted with a key of its own region.');
  }
  (spec.stages.environments ?? []).forEach((env, i) => {
    const base: PathSegment[] = ['spec', 'stages', 'environments', i];
    if (env.deploy) {
      for (const field of ['roleArn', 'cloudFormationRoleArn'] as const) {
        const arn = env.deploy[field];
        if (!arn) continue;
        check([...base, 'deploy', field], arn);
        if (arnParts(arn).account !== env.account) {
          add([...base, 'deploy', field], 'branches/role-account', 'error', `${env.name} deploys to account ${env.account}, but ${field} ${arn} is in account ${arnParts(arn).account}`, 'The deploy roles live in the target account (the post\'s ChildAccountDeployerRole and ChildAccountFormationRole).');
        }
      }
    }
    if (env.approval && (env.approval.topicArn === undefined) === (env.approval.emails === undefined)) {
      add([...base, 'approval'], 'branches/approval-target', 'error', `The approval of ${env.name} needs exactly one target: topicArn or emails`, 'Name your SNS topic with topicArn, or list approvers under emails for a topic Charter creates and owns.');
    }
    if (env.approval?.emails && env.approval.emails.length > MAX_APPROVAL_EMAILS) {
      add([...base, 'approval', 'emails'], 'branches/approval-emails', 'error', `The approval of ${env.name} lists ${env.approval.emails.length} addresses; at most ${MAX_APPROVAL_EMAILS}`, 'Use a mailing list address, or your own topic (topicArn).');
    }
    if (env.approval?.topicArn) {
      const topic = arnParts(env.approval.topicArn);
      check([...base, 'approval', 'topicArn'], env.approval.topicArn);
      const region = spec.region;
      if (topic.region !== region) add([...base, 'approval', 'topicArn'], 'branches/approval-topic-region', 'error', `The approval of ${env.name} notifies a topic in ${topic.region}; the approval action runs in ${region}`, 'Use an SNS topic in the pipeline\'s region.');
      if (topic.account !== account) add([...base, 'approval', 'topicArn'], 'branches/approval-topic-account', 'warning', `The approval of ${env.name} notifies a topic in account ${topic.account}, not the pipelines' account ${account}`, 'The topic\'s access policy must allow the pipeline role to publish; a topic in the pipelines\' account needs nothing more.');
    }
  });
}

/** Each build, test and cleanup step: an existing project or a shipped buildspec template, and the role for Charter's projects. */
function lintProjectSteps(doc: Doc, add: Add): void {
  const spec = doc.spec;
  const steps: Array<{ path: PathSegment[]; label: string; step: { project?: string; buildspec?: string } }> = [{ path: ['spec', 'stages', 'build'], label: 'The build', step: spec.stages.build }];
  (spec.stages.environments ?? []).forEach((env, i) => (env.tests ?? []).forEach((test, t) => steps.push({ path: ['spec', 'stages', 'environments', i, 'tests', t], label: `Test ${test.name} of ${env.name}`, step: test })));
  if (spec.onDelete) steps.push({ path: ['spec', 'onDelete'], label: 'The onDelete cleanup', step: spec.onDelete });
  for (const { path, label, step } of steps) {
    const { source, templateMissing } = stepSourceProblems(step);
    if (source) {
      add(path, 'branches/step-source', 'error', `${label} names ${source === 'both' ? 'both an existing project and a buildspec template' : 'neither an existing project nor a buildspec template'}`, 'Set exactly one of project (an existing CodeBuild project) or buildspec (a template under templates/, for which Charter creates and owns the project).');
    }
    if (templateMissing) {
      add([...path, 'buildspec'], 'branches/buildspec-template-missing', 'error', `No buildspec template ${step.buildspec} in templates/`, 'Use a shipped template (buildspec-branch-build.yml.hbs, buildspec-branch-test.yml.hbs, buildspec-branch-cleanup.yml.hbs) or add the file under templates/ and run npm run gen:types.');
    }
  }
  if (createsProjects(spec) && !spec.codeBuildRoleArn) {
    add(['spec'], 'branches/codebuild-role-required', 'error', 'A step is a buildspec template, so Charter creates its CodeBuild project and needs that project\'s service role', 'Set spec.codeBuildRoleArn to a role CodeBuild can assume in the pipelines\' account.');
  }
  if (spec.codeBuildRoleArn && arnParts(spec.codeBuildRoleArn).account !== pipelineAccount(spec)) {
    add(['spec', 'codeBuildRoleArn'], 'branches/role-account', 'error', `codeBuildRoleArn ${spec.codeBuildRoleArn} is in account ${arnParts(spec.codeBuildRoleArn).account}, the pipelines in ${pipelineAccount(spec)}`, 'Charter creates the projects in the pipelines\' account; their service role lives there too.');
  }
}

function lintGlobs(spec: BranchPipelinesSpec, add: Add): void {
  for (const list of ['include', 'exclude'] as const) {
    (spec.branches?.[list] ?? []).forEach((glob, i) => {
      const problem = globProblem(glob);
      if (problem) add(['spec', 'branches', list, i], 'branches/invalid-glob', 'error', `Branch pattern "${glob}" ${problem}`, 'Patterns use * (no /), ** (any) and ? (one character, not /); everything else is literal.');
    });
  }
  if (spec.branches?.include && spec.branches.include.length === 0) {
    add(['spec', 'branches', 'include'], 'branches/include-empty', 'warning', 'include is empty: only the default branch gets a pipeline', 'Remove include to match every branch, or list patterns.');
  }
}

function lintTags(spec: BranchPipelinesSpec, add: Add): void {
  for (const key of Object.keys(spec.tags ?? {})) {
    const prefix = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
    if (prefix) add(['spec', 'tags', key], 'branches/reserved-tag-key', 'error', `Tag key "${key}" uses the reserved prefix ${prefix}`, prefix === 'aws:' ? 'AWS reserves the aws: prefix for its own tags.' : 'Charter writes charter:policy, charter:branch and charter:applied itself to mark the pipelines it owns.');
  }
}

function lintEnvironments(spec: BranchPipelinesSpec, add: Add): void {
  const envs = spec.stages.environments ?? [];
  const names = new Map<string, number>();
  const account = pipelineAccount(spec);
  envs.forEach((env, i) => {
    const base: PathSegment[] = ['spec', 'stages', 'environments', i];
    const lower = env.name.toLowerCase();
    const first = names.get(lower);
    if (first !== undefined) {
      add([...base, 'name'], 'branches/duplicate-environment', 'error', `Environment ${env.name} is already declared (environment ${first + 1})`, 'Each environment is one stage, and stage names are unique in a pipeline: give each environment its own name.');
    } else {
      names.set(lower, i);
    }
    if (RESERVED_STAGES.has(lower)) add([...base, 'name'], 'branches/reserved-stage-name', 'error', `Environment name ${env.name} is taken by Charter's own ${lower === 'source' ? 'Source' : 'Build'} stage`, 'Choose another name, e.g. Alpha or Prod.');

    const region = env.region ?? spec.region;
    if (!spec.artifactStores[region]) {
      add(env.region ? [...base, 'region'] : ['spec', 'artifactStores'], 'branches/missing-artifact-store', 'error', `${env.name} runs in ${region}, which has no artifact store`, `Add artifactStores.${region} with a bucket in that region: CodePipeline needs a bucket in every region an action runs in.`);
    }
    const deploying = env.deploy && env.deploy.enabled !== false;
    if (deploying && env.account !== account && !spec.artifactStores[region]?.kmsKeyArn) {
      add([...base, 'account'], 'branches/cross-account-needs-kms', 'error', `${env.name} deploys to account ${env.account}, outside the pipelines' account ${account}, but the ${region} artifact store has no kmsKeyArn`, 'Artifacts encrypted with the default S3 key cannot be read from another account: set a customer managed KMS key whose policy lets that account decrypt.');
    }
    if (env.deploy) lintStackName(env.deploy.stackName, env.branches ?? 'all', [...base, 'deploy', 'stackName'], add);
    if (!env.approval && !deploying && !(env.tests ?? []).length) {
      add([...base], 'branches/empty-environment', 'warning', `${env.name} has no approval, no enabled deployment and no tests, so no stage`, 'Add an action, or remove the environment.');
    }
    const tests = new Map<string, number>();
    (env.tests ?? []).forEach((test, t) => {
      const key = test.name.toLowerCase();
      if (tests.has(key)) add([...base, 'tests', t, 'name'], 'branches/duplicate-action', 'error', `${env.name} already has a test named ${test.name}`, 'Action names are unique in a stage.');
      else tests.set(key, t);
      if (RESERVED_ACTIONS.has(key)) add([...base, 'tests', t, 'name'], 'branches/duplicate-action', 'error', `Test name ${test.name} is taken by the environment's own ${key === 'approval' ? 'Approval' : 'Deploy'} action`, 'Choose another name.');
      if (`${env.name}-${test.name}-source`.length > 100 && test.source) add([...base, 'tests', t, 'name'], 'branches/name-too-long', 'error', `The source action for ${env.name}/${test.name} would be named over 100 characters`, 'Shorten the environment or test name.');
    });
  });
}

function lintStackName(template: string, branches: 'default' | 'all', path: PathSegment[], add: Add): void {
  const fixed = template.split(BRANCH_PLACEHOLDER).join('');
  const count = template.split(BRANCH_PLACEHOLDER).length - 1;
  // Outside the placeholders: letters, digits and hyphens only (a stray { or } is a mistyped placeholder).
  if (!/^[A-Za-z0-9-]*$/.test(fixed)) {
    add(path, 'branches/stack-name-invalid', 'error', `Stack name "${template}" is not a valid CloudFormation stack name template`, 'Stack names start with a letter and contain letters, digits and hyphens; {branch} (the branch slug and hash) is the only placeholder, and it cannot come first.');
    return;
  }
  if (!/^[A-Za-z]/.test(template)) {
    add(path, 'branches/stack-name-invalid', 'error', `Stack name "${template}" does not start with a letter ({branch} can start with a digit)`, 'Put a letter first, e.g. app-{branch}.');
    return;
  }
  // Each {branch} takes at least one slug character, a hyphen and 8 hash digits.
  if (fixed.length + count * 10 > STACK_NAME_MAX) {
    add(path, 'branches/stack-name-invalid', 'error', `Stack name "${template}" leaves no room for {branch} within ${STACK_NAME_MAX} characters`, 'Shorten the stack name.');
    return;
  }
  if (count === 0 && branches === 'all') {
    add(path, 'branches/shared-stack', 'warning', `Every branch's pipeline deploys stack ${template}: branches overwrite each other's deployment`, 'Put {branch} in the stack name, or set branches: default on this environment.');
  }
}
