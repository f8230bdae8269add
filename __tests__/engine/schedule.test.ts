import { describe, expect, it } from 'vitest';
import { execute } from '../../src/core/engine.js';
import type { Change, Plan } from '../../src/core/plan.js';
import type { Provider, ProviderRuntime } from '../../src/core/provider.js';

const quiet = { debug() {}, info() {}, warn() {} };
const change = (name: string): Change =>
  ({ address: `fake/p/${name}`, kind: 'Fake', policy: 'p', file: 'p.yml', line: 1, column: 1, action: 'create', title: name, before: null, after: null, risk: 'safe', reason: 'test', phase: 0 }) as Change;

/** A kind with a graph: `after` waits for `quick`; `slow` weighs 100, the others 1. Records the order changes start in. */
function fakeProvider(started: string[]): Provider {
  const runtime: ProviderRuntime = {
    plan: async () => ({ changes: [], diagnostics: [], inputs: {} }),
    apply: async () => [],
    graph: {
      dependsOn: (c) => (c.title === 'after' ? ['fake/p/quick'] : []),
      weight: (c) => (c.title === 'slow' ? 100 : 1),
    },
    applyGroup: async (changes) => {
      started.push(...changes.map((c) => c.title));
      await new Promise((r) => setTimeout(r, 5));
      return changes.map((c) => ({ address: c.address, status: 'applied' as const }));
    },
  };
  return { kind: 'Fake', prefix: 'fake', schemaFile: 'fake.schema.json', order: 0, lint: async () => [], loadRuntime: async () => runtime };
}

describe('execute: which ready change starts first', () => {
  it('starts the change with the longest chain of weights ahead of it first, then in plan order', async () => {
    const started: string[] = [];
    const changes = ['tiny', 'quick', 'after', 'slow'].map(change);
    const report = await execute({ changes } as Plan, [], {
      cwd: '.',
      paths: [],
      providers: [fakeProvider(started)],
      salt: {},
      runtime: { aws: {}, log: quiet, pollIntervalMs: 1, waitTimeoutMs: 1_000 },
      execution: { concurrency: 1 },
    });
    expect(report.ok).toBe(true);
    // slow (100) before quick (1 + after's 1) before tiny (1); after once quick has applied.
    expect(started).toEqual(['slow', 'quick', 'tiny', 'after']);
  });
});
