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
  importFills: [PIPELINE_INCOMPLETE],
  loadRuntime: async () => (await import('./runtime.js')).packagesRuntime,
};
