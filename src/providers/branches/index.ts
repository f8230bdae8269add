import type { Provider } from '../../core/provider.js';
import { lintBranchPipelines } from './lint.js';
import type { BranchPipelinesSpec } from './spec.generated.js';

export const branchPipelines: Provider<BranchPipelinesSpec> = {
  kind: 'BranchPipelines',
  prefix: 'branches',
  schemaFile: 'branch-pipelines.schema.json',
  order: 50,
  lint: lintBranchPipelines,
  loadRuntime: async () => (await import('./runtime.js')).branchesRuntime,
};
