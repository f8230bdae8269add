import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/aws.js';

describe('BranchPipelines diagnostic codes', () => {
  it('every branches/* code the provider raises is documented in docs/diagnostics-branches.md, and nothing else is', () => {
    const dir = join(repoRoot, 'src/providers/branches');
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const codes = [...new Set([...source.matchAll(/'(branches\/[a-z0-9-]+)'/g)].map((m) => m[1]))].sort();
    const docs = readFileSync(join(repoRoot, 'docs/diagnostics-branches.md'), 'utf8');
    const documented = [...new Set([...docs.matchAll(/^\| `(branches\/[a-z0-9-]+)`/gm)].map((m) => m[1]))].sort();
    expect(codes.length).toBeGreaterThan(20);
    expect(documented).toEqual(codes);
  });
});
