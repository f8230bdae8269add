import { describe, expect, it } from 'vitest';
import { chunk, toAnnotations, toCheckRunAnnotation } from '../../src/github/annotations.js';
import { change, invalidPlan, plan, riskyPlan } from '../render/fixtures.js';

describe('annotations', () => {
  it('annotates every diagnostic at its file, line and column', () => {
    expect(toAnnotations(invalidPlan())).toEqual([
      {
        path: 'policies/analytics.yaml',
        startLine: 17,
        startColumn: 9,
        level: 'warning',
        title: 'Warning: redshift/grant-to-public',
        message: 'Granting to PUBLIC gives every user access to schema sales.\nHint: Grant to a role instead.',
      },
      {
        path: 'policies/analytics.yaml',
        startLine: 30,
        startColumn: 3,
        level: 'notice',
        title: 'Notice: redshift/unused-role',
        message: 'Role marketing_ro is declared but granted to nobody.',
      },
      {
        path: 'policies/example-com.yaml',
        startLine: 2,
        startColumn: 1,
        level: 'failure',
        title: 'Error: schema/required',
        message: "must have required property 'spec'",
      },
      {
        path: 'policies/example-com.yaml',
        startLine: 9,
        startColumn: 11,
        level: 'failure',
        title: 'Error: email/bimi-needs-dmarc-enforcement',
        message:
          'BIMI requires a DMARC policy of quarantine or reject, but p=none is declared.\nHint: Set spec.dmarc.policy to quarantine or reject before publishing BIMI.',
      },
    ]);
  });

  it('annotates destructive and disruptive changes, not safe ones', () => {
    const annotations = toAnnotations(riskyPlan());
    expect(annotations.map((a) => [a.level, a.path, a.startLine, a.title])).toEqual([
      ['warning', 'policies/example-com.yaml', 14, 'Disruptive change: update MTA-STS policy file'],
      ['warning', 'policies/example-com.yaml', 3, 'Destructive change: delete TXT old._domainkey.example.com.'],
    ]);
    expect(annotations[1].message).toContain('email/example-com/route53/TXT/old._domainkey.example.com.');
  });

  it('keeps positions and titles within what the API accepts', () => {
    const p = plan([
      change({ address: 'email/x/a', action: 'delete', risk: 'destructive', line: 0, column: -1, title: 'y'.repeat(400) }),
    ]);
    const [a] = toAnnotations(p);
    expect(a.startLine).toBe(1);
    expect(a.startColumn).toBe(1);
    expect(a.title.length).toBe(255);
    expect(toCheckRunAnnotation(a)).toMatchObject({
      start_line: 1,
      end_line: 1,
      start_column: 1,
      end_column: 1,
      annotation_level: 'warning',
    });
  });

  it('chunks by 50 for check run requests', () => {
    const items = Array.from({ length: 120 }, (_, i) => i);
    expect(chunk(items).map((c) => c.length)).toEqual([50, 50, 20]);
    expect(chunk([], 50)).toEqual([]);
    expect(chunk([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
