import type { Provider } from '../../core/provider.js';
import type { Reference } from '../../core/reach.js';
import { lintRedshiftGrants } from './lint.js';
import type { RedshiftGrantsSpec } from './spec.generated.js';

export const redshiftGrants: Provider<RedshiftGrantsSpec> = {
  kind: 'RedshiftGrants',
  prefix: 'redshift',
  schemaFile: 'redshift-grants.schema.json',
  order: 20,
  lint: lintRedshiftGrants,
  // The Data API target is chosen by the policy and used with the run's AWS credentials: each part is checked.
  references(doc) {
    const api = doc.spec.connection.dataApi;
    if (!api) return [];
    const at = (key: string) => ['spec', 'connection', 'dataApi', key];
    const refs: Reference[] = [{ kind: 'aws', value: 'the Redshift Data API', path: ['spec', 'connection', 'dataApi'] }];
    if (api.clusterIdentifier !== undefined) refs.push({ kind: 'redshift-cluster', value: api.clusterIdentifier, path: at('clusterIdentifier') });
    if (api.workgroupName !== undefined) refs.push({ kind: 'redshift-workgroup', value: api.workgroupName, path: at('workgroupName') });
    if (api.secretArn !== undefined) refs.push({ kind: 'redshift-secret', value: api.secretArn, path: at('secretArn') });
    if (api.dbUser !== undefined) refs.push({ kind: 'redshift-db-user', value: api.dbUser, path: at('dbUser') });
    return refs;
  },
  // pg and the Redshift Data API client load only when a plan needs a database.
  loadRuntime: async () => (await import('./runtime.js')).redshiftRuntime,
};
