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
    expect(Object.keys(validators).sort()).toEqual(['branch-pipelines.schema.json', 'email-security.schema.json', 'package-publishing.schema.json', 'policy.schema.json', 'protection-groups.schema.json', 'redshift-grants.schema.json']);
    const envelope = validators['policy.schema.json'];
    expect(envelope({ apiVersion: 'charter/v1', kind: 'EmailSecurity', metadata: { name: 'x' }, spec: {} })).toBe(true);
    expect(envelope({ apiVersion: 'charter/v1', kind: 'EmailSecurity', metadata: { name: 'x' }, spec: {}, extra: 1 })).toBe(false);
  });
});

describe('the editor schema (policies/schemas/charter.schema.json)', () => {
  it('composes the envelope and every kind, and agrees with Charter on the examples', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { Ajv } = await import('ajv');
    const { parseAllDocuments } = await import('yaml');
    const dir = join(repoRoot, 'policies/schemas');
    const ajv = new Ajv({ allErrors: true, strict: false });
    // Editors resolve the relative $refs against the file; here every schema is registered under its file name.
    for (const file of readdirSync(dir)) ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')), file);
    const check = ajv.getSchema('charter.schema.json')!;
    const examples = readdirSync(join(repoRoot, 'policies/examples')).filter((f) => f.endsWith('.yml'));
    expect(examples.length).toBeGreaterThan(0);
    for (const file of examples) {
      for (const doc of parseAllDocuments(readFileSync(join(repoRoot, 'policies/examples', file), 'utf8'))) {
        expect(check(doc.toJS()), `${file}: ${JSON.stringify(check.errors)}`).toBe(true);
      }
    }
    const typo = { apiVersion: 'charter/v1', kind: 'EmailSecurity', metadata: { name: 'x' }, spec: { domain: 'example.com', mtaSTS: { mode: 'testing' } } };
    expect(check(typo)).toBe(false);
    expect(check.errors?.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'mtaSTS')).toBe(true);
  });
});
