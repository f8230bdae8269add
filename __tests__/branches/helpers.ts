import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { PolicyDocument } from '../../src/core/document.js';
import type { BranchPipelinesSpec } from '../../src/providers/branches/spec.generated.js';
import { repoRoot } from '../helpers/aws.js';

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
