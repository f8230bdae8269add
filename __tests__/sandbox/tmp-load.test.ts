import { test, expect } from 'vitest';
import { loadSandboxState } from '../../src/sandbox/index.js';
test('loads example', async () => { const s = await loadSandboxState('policies/examples/sandbox-account.json'); expect(s.route53.hostedZones).toHaveLength(2); });
