/** The pure parts of the change threshold (src/core/safety.ts) and of scope (src/core/scope.ts). */
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/plan.js';
import { checkSafety, describeShare, exceededPolicies, MIN_OWNED_FOR_THRESHOLD, parseThresholdPercent } from '../../src/core/safety.js';
import { policyFiles, selectChanged } from '../../src/core/scope.js';

function change(policy: string, action: Change['action'], i: number): Change {
  return { address: `shield/${policy}/g/${i}`, kind: 'ProtectionGroups', policy, file: 'p.yml', line: 1, column: 1, action, title: '', before: null, after: null, risk: 'safe', reason: '', phase: 0 };
}
const many = (policy: string, action: Change['action'], n: number) => Array.from({ length: n }, (_, i) => change(policy, action, i));

describe('checkSafety', () => {
  it('refuses strictly above the share, updates and deletes each on their own; creates never count', () => {
    const owned = { 'ProtectionGroups/a': 10, 'ProtectionGroups/b': 10, 'ProtectionGroups/c': 10 };
    const check = checkSafety([...many('a', 'update', 3), ...many('a', 'delete', 3), ...many('a', 'create', 50), ...many('b', 'replace', 4), ...many('c', 'delete', 4)], owned);
    expect(check.policies.map((p) => [p.policy, p.updates, p.deletes, p.exceeded])).toEqual([
      ['ProtectionGroups/a', 3, 3, false],
      ['ProtectionGroups/b', 4, 0, true],
      ['ProtectionGroups/c', 0, 4, true],
    ]);
    expect(exceededPolicies(check).map((p) => p.policy)).toEqual(['ProtectionGroups/b', 'ProtectionGroups/c']);
  });

  it('does not count adopting what no policy owned (charter import), only real updates', () => {
    const adoptions = many('a', 'update', 12).map((c) => ({ ...c, adopts: true as const }));
    const check = checkSafety([...adoptions, ...many('a', 'update', 3)], { 'ProtectionGroups/a': 12 });
    expect(check.policies).toEqual([{ policy: 'ProtectionGroups/a', owned: 12, updates: 3, deletes: 0, exceeded: false }]);
    expect(exceededPolicies(checkSafety([...adoptions, ...many('a', 'update', 4)], { 'ProtectionGroups/a': 12 }))).toHaveLength(1);
  });

  it(`exempts policies owning fewer than ${MIN_OWNED_FOR_THRESHOLD} things, like octoDNS`, () => {
    expect(exceededPolicies(checkSafety(many('a', 'delete', 9), { 'ProtectionGroups/a': 9 }))).toEqual([]);
    expect(exceededPolicies(checkSafety(many('a', 'delete', 10), { 'ProtectionGroups/a': 10 }))).toHaveLength(1);
  });

  it('takes a configured share and records whether the run is forced', () => {
    const changes = many('a', 'update', 5);
    expect(exceededPolicies(checkSafety(changes, { 'ProtectionGroups/a': 10 }, { thresholdPercent: 50 }))).toEqual([]);
    const zero = checkSafety(many('a', 'update', 1), { 'ProtectionGroups/a': 10 }, { thresholdPercent: 0, force: true });
    expect(zero.forced).toBe(true);
    expect(describeShare(exceededPolicies(zero)[0], 0)).toBe('ProtectionGroups/a updates 1 (10 %) and deletes 0 (0 %) of the 10 live things it owns; the threshold is 0 %');
  });

  it('parses percentages and rejects anything else, naming the setting', () => {
    expect(parseThresholdPercent('30', 'x')).toBe(30);
    expect(parseThresholdPercent('12.5%', 'x')).toBe(12.5);
    for (const bad of ['', 'abc', '-1', '101', 'Infinity']) expect(() => parseThresholdPercent(bad, 'Input change-threshold')).toThrow(/Input change-threshold must be a percentage/);
  });
});

describe('scope changed', () => {
  const doc = (file: string, name: string, spec: unknown = {}) => ({ file, kind: 'EmailSecurity', name, spec });

  it('a policy depends on its own file and the files it names, relative to it (never outside paths)', () => {
    const d = doc('policies/mail/a.yml', 'a', { bimi: { logo: { file: 'assets/logo.svg' }, vmc: { file: '../shared/vmc.pem' } }, other: [{ file: '/etc/passwd' }] });
    expect(policyFiles(d)).toEqual(['policies/mail/a.yml', 'policies/mail/assets/logo.svg', 'policies/shared/vmc.pem']);
  });

  it('selects the touched policies and lists the others, sorted', () => {
    const docs = [doc('policies/b.yml', 'b'), doc('policies/a.yml', 'a', { logo: { file: 'logo.svg' } }), doc('policies/c.yml', 'c')];
    const { planned, skipped } = selectChanged(docs, ['policies/logo.svg', 'README.md', './policies/b.yml']);
    expect(planned.map((d) => d.name)).toEqual(['b', 'a']);
    expect(skipped).toEqual(['EmailSecurity/c']);
  });
});
