import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { awsRuntime } from '../../src/aws/settings.js';
import type { PolicyDocument } from '../../src/core/document.js';
import type { PlanOptions } from '../../src/core/engine.js';
import type { AwsSettings } from '../../src/core/provider.js';
import { createGitHub } from '../../src/github/client.js';
import { githubBranchSource } from '../../src/github/branches.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import type { BranchPipelinesSpec } from '../../src/providers/branches/spec.generated.js';
import { copyExamples, quietLog, repoRoot } from '../helpers/aws.js';

export const EXAMPLE = 'policies/examples/branch-pipelines.yml';

/** The example policy's spec (the post's Alpha/Beta/Gamma/Prod pipeline), as a fresh object. */
export function exampleSpec(): BranchPipelinesSpec {
  return parse(readFileSync(join(repoRoot, EXAMPLE), 'utf8')).spec as BranchPipelinesSpec;
}

/** A policy document without YAML positions (every change and diagnostic points at 1:1). */
export function doc(spec: BranchPipelinesSpec = exampleSpec(), name = 'petstore'): PolicyDocument<BranchPipelinesSpec> {
  return {
    apiVersion: 'charter/v1',
    kind: 'BranchPipelines',
    name,
    spec,
    file: 'policies/pipelines.yml',
    absoluteFile: '/dev/null',
    index: 0,
    position: () => ({ file: 'policies/pipelines.yml', line: 1, column: 1 }),
  };
}

const TOPIC_LINE = '          topicArn: arn:aws:sns:us-east-1:123456789012:petstore-prod-approvals';

/** Writes the example into `cwd` with Prod's approval sent to `emails` (Charter's own topic), or to the example's topic when null. */
export function writeApprovalEmails(cwd: string, emails: string[] | null): void {
  const text = readFileSync(join(repoRoot, EXAMPLE), 'utf8');
  if (!text.includes(TOPIC_LINE)) throw new Error('the example changed: update writeApprovalEmails');
  const replacement = emails ? `          emails:\n${emails.map((e) => `            - ${e}`).join('\n')}` : TOPIC_LINE;
  writeFileSync(join(cwd, EXAMPLE), text.replace(TOPIC_LINE, replacement));
}

/** Rewrites the example in `cwd` with the build, Beta's LoadTests and the cleanup given as buildspec templates (Charter's projects). */
export function writeBuildspecSteps(cwd: string): void {
  let text = readFileSync(join(cwd, EXAMPLE), 'utf8');
  const swaps: Array<[string, string]> = [
    ['  roleArn: arn:aws:iam::123456789012:role/petstore-pipeline\n', '  roleArn: arn:aws:iam::123456789012:role/petstore-pipeline\n  codeBuildRoleArn: arn:aws:iam::123456789012:role/petstore-codebuild\n'],
    ['      project: petstore-build\n', '      buildspec: buildspec-branch-build.yml.hbs\n'],
    ['            project: petstore-load-tests\n', '            buildspec: buildspec-branch-test.yml.hbs\n'],
    ['    project: petstore-destroy\n', '    buildspec: buildspec-branch-cleanup.yml.hbs\n'],
  ];
  for (const [from, to] of swaps) {
    if (!text.includes(from)) throw new Error(`the example changed (no ${from.trim()}): update writeBuildspecSteps`);
    text = text.replace(from, to);
  }
  writeFileSync(join(cwd, EXAMPLE), text);
}

/** A sandbox account and a loopback GitHub holding acme/petstore, with engine options over both (the example copied into `cwd`). */
export interface BranchWorld {
  cwd: string;
  sandbox: Sandbox;
  github: FakeGitHub;
  /** The AWS settings of the sandbox (rate limits lifted), for SDK clients in assertions. */
  settings: AwsSettings;
  options(): PlanOptions;
  close(): Promise<void>;
}

export async function startBranchWorld(opts: { state?: object; branches?: string[] } = {}): Promise<BranchWorld> {
  const sandbox = await startSandbox({ state: (opts.state ?? {}) as never });
  const github = await startFakeGitHub({ token: 't', repos: [{ fullName: 'acme/petstore', defaultBranch: 'main', branches: opts.branches ?? [] }] });
  const cwd = copyExamples();
  const octokit = createGitHub({ token: 't', baseUrl: github.url });
  const settings: AwsSettings = { endpoint: sandbox.endpoint, requestsPerSecond: { codepipeline: 1000, codebuild: 1000, sns: 1000 } };
  return {
    cwd,
    sandbox,
    github,
    settings,
    options: () => ({ cwd, paths: [EXAMPLE], providers, salt: {}, runtime: { ...awsRuntime(settings, quietLog), branches: githubBranchSource(octokit) } }),
    async close() {
      await sandbox.close();
      await github.close();
    },
  };
}
