import type { Provider } from '../../core/provider.js';
import { lintProtectionGroups } from './lint.js';
import type { ProtectionGroupsSpec } from './spec.generated.js';

export const protectionGroups: Provider<ProtectionGroupsSpec> = {
  kind: 'ProtectionGroups',
  prefix: 'shield',
  schemaFile: 'protection-groups.schema.json',
  order: 30,
  lint: lintProtectionGroups,
  references: () => [{ kind: 'aws', value: 'AWS Shield', path: ['spec'] }],
  loadRuntime: async () => (await import('./runtime.js')).shieldRuntime,
};
