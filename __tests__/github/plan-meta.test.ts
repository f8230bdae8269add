import { describe, expect, it } from 'vitest';
import { changeDigest } from '../../src/core/plan.js';
import { COMMENT_MARKER, renderComment } from '../../src/core/render/index.js';
import {
  applicableFingerprint,
  compareWithReviewed,
  embedMeta,
  META_MAX_CHARS,
  parseMeta,
  planMeta,
  verifyMeta,
  type PlanMeta,
} from '../../src/github/plan-meta.js';
import { change, createsOnly, hugePlan, plan, riskyPlan, txt } from '../render/fixtures.js';

const KEY = 'k'.repeat(40);
const where = { repository: 'Acme/Mail', pullRequest: 7, commentId: 501 };

describe('the signed plan meta', () => {
  it('verifies only the meta Charter signed for this repository, pull request and comment', () => {
    const p = riskyPlan();
    const meta = planMeta(p, 'planned', { ...where, head: 'abc', sha: 'abc', allowDestructive: false });
    const body = embedMeta(meta, KEY);
    expect(verifyMeta(body, { ...where, key: KEY })).toEqual({ ok: true, meta });
    // Another key, another comment, another pull request: refused with the reason.
    expect(verifyMeta(body, { ...where, key: 'x'.repeat(40) })).toMatchObject({ ok: false, reason: expect.stringMatching(/signature .* does not match/) });
    expect(verifyMeta(body, { ...where, commentId: 502, key: KEY })).toMatchObject({ ok: false, reason: expect.stringMatching(/another comment/) });
    expect(verifyMeta(body, { ...where, pullRequest: 8, key: KEY })).toMatchObject({ ok: false, reason: expect.stringMatching(/another repository or pull request/) });
    // Without a key the binding is still checked; with one an unsigned meta is refused.
    expect(verifyMeta(embedMeta(meta), where).ok).toBe(true);
    expect(verifyMeta(embedMeta(meta), { ...where, key: KEY })).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed/) });
  });

  it('refuses every edit of a signed field: state, fingerprint, head, allow-destructive, comment id', () => {
    const meta = planMeta(riskyPlan(), 'refused', { ...where, head: 'abc', sha: 'def', allowDestructive: false });
    const signed = JSON.parse(Buffer.from(/charter:meta (\S+)/.exec(embedMeta(meta, KEY))![1], 'base64').toString('utf8')) as Record<string, unknown>;
    const encode = (value: unknown) => `<!-- charter:meta ${Buffer.from(JSON.stringify(value)).toString('base64')} -->`;
    for (const edit of [{ state: 'planned' }, { fingerprint: 'f'.repeat(64) }, { head: 'abd' }, { allowDestructive: true }, { changes: [] }]) {
      expect(verifyMeta(encode({ ...signed, ...edit }), { ...where, key: KEY }).ok, JSON.stringify(edit)).toBe(false);
    }
    expect(verifyMeta(encode(signed), { ...where, key: KEY }).ok).toBe(true);
  });
});

describe('plan meta', () => {
  it('round-trips through the hidden comment', () => {
    const p = riskyPlan();
    const meta = planMeta(p, 'planned', { sha: 'abc1234' });
    expect(meta).toEqual({
      fingerprint: p.fingerprint,
      state: 'planned',
      changes: p.changes.map((c) => [c.address, changeDigest(c)]),
      sha: 'abc1234',
    });
    const embedded = embedMeta(meta);
    expect(embedded).toMatch(/^<!-- charter:meta [A-Za-z0-9+/]+={0,2} -->$/);
    expect(parseMeta(`${COMMENT_MARKER}\n${embedded}\n## Charter plan`)).toEqual(meta);
  });

  it('is embedded in the rendered comment by default, and `-->` in values cannot end it early', () => {
    const p = plan([
      change({ address: 'email/x/route53/TXT/a-->b', action: 'create', after: txt('--> <!-- -->'), reason: '-->' }),
    ]);
    const body = renderComment({ plan: p, state: 'applied', commitSha: 'deadbeef' });
    expect(body.split('\n')[1]).toMatch(/^<!-- charter:meta [A-Za-z0-9+/=]+ -->$/);
    expect(parseMeta(body)).toEqual(planMeta(p, 'applied', { sha: 'deadbeef' }));
    // An explicit meta block is used verbatim.
    const custom = embedMeta({ fingerprint: 'f'.repeat(64), state: 'planned', changes: [] });
    expect(renderComment({ plan: p, state: 'planned', meta: custom }).split('\n')[1]).toBe(custom);
  });

  it('drops the per-change list beyond ~20,000 characters and keeps the fingerprint', () => {
    const p = hugePlan();
    const meta = planMeta(p, 'planned');
    expect(meta).toEqual({ fingerprint: p.fingerprint, state: 'planned', changes: [], truncated: true });
    expect(embedMeta(meta).length).toBeLessThan(META_MAX_CHARS);
    expect(parseMeta(embedMeta(meta))).toEqual(meta);
    expect(compareWithReviewed(meta, createsOnly())).toEqual([]);
  });

  it('rejects missing or malformed blocks', () => {
    expect(parseMeta('just a comment')).toBeUndefined();
    expect(parseMeta('<!-- charter:meta !!! -->')).toBeUndefined();
    const encode = (value: unknown) => `<!-- charter:meta ${Buffer.from(JSON.stringify(value)).toString('base64')} -->`;
    expect(parseMeta(encode({ v: 1, fingerprint: 'x', state: 'planned', changes: [] }))).toBeUndefined();
    expect(parseMeta(encode({ v: 2, fingerprint: 'x', state: 'merged', changes: [] }))).toBeUndefined();
    expect(parseMeta(encode({ v: 2, fingerprint: '', state: 'planned', changes: [] }))).toBeUndefined();
    expect(parseMeta(encode({ v: 2, fingerprint: 'x', state: 'planned', changes: [['a']] }))).toBeUndefined();
    expect(parseMeta(encode({ v: 2, fingerprint: 'x', state: 'planned', changes: [], sha: 5 }))).toBeUndefined();
    expect(parseMeta(encode({ v: 2, fingerprint: 'x', state: 'planned', changes: [], extra: true }))).toBeUndefined();
    expect(parseMeta(`<!-- charter:meta ${Buffer.from('not json').toString('base64')} -->`)).toBeUndefined();
    expect(parseMeta(encode({ v: 2, fingerprint: 'x', state: 'blocked', changes: [['a', 'b']] }))).toEqual({
      fingerprint: 'x',
      state: 'blocked',
      changes: [['a', 'b']],
    });
  });

  it('lists what was added, removed and changed since review', () => {
    const reviewed = riskyPlan();
    const meta = planMeta(reviewed, 'planned');
    expect(compareWithReviewed(meta, reviewed)).toEqual([]);

    const [mtaSts, policyFile, , role] = reviewed.changes;
    const now = plan([
      { ...mtaSts, after: txt('v=STSv1; id=20240701') }, // changed
      policyFile, // same
      role, // same; the DKIM delete is gone
      change({
        address: 'email/example-com/route53/TXT/_dmarc.example.com.',
        action: 'create',
        after: txt('v=DMARC1; p=reject'),
      }),
    ]);
    expect(compareWithReviewed(meta, now)).toEqual([
      { address: 'email/example-com/route53/TXT/_dmarc.example.com.', status: 'added' },
      { address: 'email/example-com/route53/TXT/_mta-sts.example.com.', status: 'changed' },
      { address: 'email/example-com/route53/TXT/old._domainkey.example.com.', status: 'removed' },
    ]);
  });

  it('says which states may still be applied', () => {
    const base: PlanMeta = { fingerprint: 'f', state: 'planned', changes: [] };
    expect(applicableFingerprint(base)).toBe('f');
    expect(applicableFingerprint({ ...base, state: 'blocked' })).toBe('f');
    expect(applicableFingerprint({ ...base, state: 'apply-failed' })).toBe('f');
    expect(applicableFingerprint({ ...base, state: 'applied' })).toBeUndefined();
    expect(applicableFingerprint({ ...base, state: 'refused' })).toBeUndefined();
  });
});
