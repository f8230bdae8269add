import type { Provider } from '../core/provider.js';
import { branchPipelines } from './branches/index.js';
import { emailSecurity } from './email/index.js';
import { redshiftGrants } from './redshift/index.js';
import { packagePublishing } from './packages/index.js';
import { protectionGroups } from './shield/index.js';

/** Every policy kind Charter knows, in plan order. Their AWS code loads only when a plan needs it. */
export const providers: readonly Provider[] = [emailSecurity as Provider, redshiftGrants as Provider, protectionGroups as Provider, branchPipelines as Provider, packagePublishing as Provider];
