import { readFileSync } from 'node:fs';
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
