import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { validators } from '../../src/core/schema-validators.generated.js';
import { repoRoot } from '../helpers/aws.js';

describe('code generated from the schemas and templates', () => {
  it('matches its sources (types, validators, templates): the schema is the single source of truth', () => {
    // Exits 1 and names the stale file when a schema or template changed without `npm run gen:types`.
    expect(() => execFileSync(process.execPath, ['scripts/gen-types.mjs', '--check'], { cwd: repoRoot, stdio: 'pipe' })).not.toThrow();
  });

  it('has a validator for the envelope and every kind', () => {
    expect(Object.keys(validators).sort()).toEqual(['email-security.schema.json', 'policy.schema.json']);
    const envelope = validators['policy.schema.json'];
    expect(envelope({ apiVersion: 'charter/v1', kind: 'EmailSecurity', metadata: { name: 'x' }, spec: {} })).toBe(true);
    expect(envelope({ apiVersion: 'charter/v1', kind: 'EmailSecurity', metadata: { name: 'x' }, spec: {}, extra: 1 })).toBe(false);
  });
});
