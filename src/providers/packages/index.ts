import type { Provider } from '../../core/provider.js';
import { lintPackagePublishing } from './lint.js';
import { PIPELINE_INCOMPLETE } from './model.js';
import type { PackagePublishingSpec } from './spec.generated.js';

export const packagePublishing: Provider<PackagePublishingSpec> = {
  kind: 'PackagePublishing',
  prefix: 'packages',
  schemaFile: 'package-publishing.schema.json',
  order: 40,
  lint: lintPackagePublishing,
  // Import fills the pipeline from the live one, and codeBuildRoleArn from its publish project.
  importFills: [PIPELINE_INCOMPLETE, 'packages/codebuild-role-required'],
  loadRuntime: async () => (await import('./runtime.js')).packagesRuntime,
};
