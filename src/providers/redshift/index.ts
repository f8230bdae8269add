import type { Provider } from '../../core/provider.js';
import { lintRedshiftGrants } from './lint.js';
import type { RedshiftGrantsSpec } from './spec.generated.js';

export const redshiftGrants: Provider<RedshiftGrantsSpec> = {
  kind: 'RedshiftGrants',
  prefix: 'redshift',
  schemaFile: 'redshift-grants.schema.json',
  order: 20,
  lint: lintRedshiftGrants,
  // pg and the Redshift Data API client load only when a plan needs a database.
  loadRuntime: async () => (await import('./runtime.js')).redshiftRuntime,
};
