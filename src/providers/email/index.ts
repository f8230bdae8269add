import type { Provider } from '../../core/provider.js';
import { lintEmailSecurity } from './lint.js';
import type { EmailSecuritySpec } from './spec.generated.js';

export const emailSecurity: Provider<EmailSecuritySpec> = {
  kind: 'EmailSecurity',
  prefix: 'email',
  schemaFile: 'email-security.schema.json',
  order: 10,
  lint: lintEmailSecurity,
  references: () => [{ kind: 'aws', value: 'Route 53', path: ['spec'] }],
  loadRuntime: async () => (await import('./runtime.js')).emailRuntime,
};
