import { describe, expect, it } from 'vitest';
import { buildPlan, changeDigest, fingerprint, type Change } from '../../src/core/plan.js';
import { canonicalJson } from '../../src/core/json.js';

function change(address: string, over: Partial<Change> = {}): Change {
  return {
    address,
    kind: 'EmailSecurity',
    policy: address.split('/')[1],
    file: 'policies/a.yml',
    line: 1,
    column: 1,
    action: 'create',
    title: address,
    before: null,
    after: { value: address },
    risk: 'safe',
    reason: 'r',
    phase: 4,
    ...over,
  };
}

const kindOrder = () => 0;

describe('plan model', () => {
  it('orders changes by policy, phase, action and address whatever the input order', () => {
    const changes = [
      change('email/b/route53/TXT/x.'),
      change('email/a/route53/TXT/z.'),
      change('email/a/s3/bucket/key', { phase: 2 }),
      change('email/a/route53/TXT/y.', { action: 'delete', after: null }),
      change('email/a/acm/certificate', { phase: 0 }),
    ];
    const a = buildPlan({ changes, diagnostics: [], inputs: {}, policies: [], salt: {}, kindOrder });
    const b = buildPlan({ changes: [...changes].reverse(), diagnostics: [], inputs: {}, policies: [], salt: {}, kindOrder });
    expect(a.changes.map((c) => c.address)).toEqual([
      'email/a/acm/certificate',
      'email/a/s3/bucket/key',
      'email/a/route53/TXT/z.',
      'email/a/route53/TXT/y.',
      'email/b/route53/TXT/x.',
    ]);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('fingerprint is stable, salted, and covers live inputs but not presentation', () => {
    const changes = [change('email/a/route53/TXT/z.')];
    const base = fingerprint(changes, { 'EmailSecurity/a': { mx: ['mx1.example.com'] } }, { repository: 'o/r', pullRequest: 1 });
    expect(fingerprint(changes, { 'EmailSecurity/a': { mx: ['mx1.example.com'] } }, { repository: 'o/r', pullRequest: 1 })).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint(changes, { 'EmailSecurity/a': { mx: ['mx1.example.com'] } }, { repository: 'o/r', pullRequest: 2 })).not.toBe(base);
    expect(fingerprint(changes, { 'EmailSecurity/a': { mx: ['mx1.example.com'] } }, { repository: 'o/other', pullRequest: 1 })).not.toBe(base);
    expect(fingerprint(changes, { 'EmailSecurity/a': { mx: ['mx2.example.com'] } }, { repository: 'o/r', pullRequest: 1 })).not.toBe(base);
    const moved = [change('email/a/route53/TXT/z.', { line: 40, reason: 'reworded', title: 'other' })];
    expect(fingerprint(moved, { 'EmailSecurity/a': { mx: ['mx1.example.com'] } }, { repository: 'o/r', pullRequest: 1 })).toBe(base);
    const edited = [change('email/a/route53/TXT/z.', { after: { value: 'other' } })];
    expect(fingerprint(edited, { 'EmailSecurity/a': { mx: ['mx1.example.com'] } }, { repository: 'o/r', pullRequest: 1 })).not.toBe(base);
    expect(changeDigest(edited[0])).not.toBe(changeDigest(changes[0]));
  });

  it('orders by code units, whatever the locale (uppercase before lowercase, _ after letters)', () => {
    const changes = [change('email/a/route53/TXT/b.'), change('email/a/route53/TXT/_a.'), change('email/a/route53/TXT/B.')];
    const p = buildPlan({ changes, diagnostics: [], inputs: {}, policies: [], salt: {}, kindOrder });
    expect(p.changes.map((c) => c.address.split('/').pop())).toEqual(['B.', '_a.', 'b.']);
  });

  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('summarises actions and risks', () => {
    const p = buildPlan({
      changes: [change('email/a/x', { risk: 'destructive', action: 'delete', after: null }), change('email/a/y', { action: 'update', risk: 'disruptive' }), change('email/a/z')],
      diagnostics: [{ code: 'c', severity: 'warning', message: 'm', file: 'f', line: 1, column: 1 }],
      inputs: {},
      policies: ['EmailSecurity/a'],
      salt: {},
      kindOrder,
    });
    expect(p.summary).toEqual({ create: 1, update: 1, delete: 1, replace: 0, run: 0, total: 3, destructive: 1, disruptive: 1, errors: 0, warnings: 1 });
  });
});
