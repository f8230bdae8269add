import { describe, expect, it } from 'vitest';
import { renderApplyReport, renderDiagnostics, renderDriftReport, renderPlan, summaryLine } from '../../src/core/render/index.js';
import { appliedReport, createsOnly, emptyPlan, failedReport, invalidPlan, riskyPlan } from './fixtures.js';

describe('plan output', () => {
  it('text', async () => {
    const text = renderPlan(riskyPlan(), 'text');
    expect(text.split('\n')[0]).toBe('Plan: 1 to create, 2 to update, 1 to delete, 1 destructive, 1 disruptive');
    await expect(text).toMatchFileSnapshot('__snapshots__/plan-risky.txt');
    expect(renderPlan(emptyPlan(), 'text')).toBe('No changes. Live state matches the policies.\n');
    await expect(renderPlan(invalidPlan(), 'text', { title: 'charter plan policies/' })).toMatchFileSnapshot(
      '__snapshots__/plan-invalid.txt',
    );
  });

  it('markdown', async () => {
    const md = renderPlan(createsOnly(), 'markdown', { title: 'Plan for acme/infra' });
    expect(md.startsWith('## Plan for acme/infra\n')).toBe(true);
    expect(md).not.toContain('<!--');
    await expect(md).toMatchFileSnapshot('__snapshots__/plan-creates.cli.md');
  });

  it('json is the plan itself', () => {
    const p = riskyPlan();
    expect(JSON.parse(renderPlan(p, 'json'))).toEqual(p);
  });

  it('summary line', () => {
    expect(summaryLine(riskyPlan().summary)).toBe('1 to create, 2 to update, 1 to delete, 1 destructive, 1 disruptive');
    expect(summaryLine(emptyPlan().summary)).toBe('No changes. Live state matches the policies.');
    expect(summaryLine({ ...emptyPlan().summary, total: 2, replace: 1, run: 1 })).toBe(
      '0 to create, 0 to update, 1 to replace, 0 to delete, 1 to run',
    );
  });
});

describe('diagnostics output', () => {
  const { diagnostics } = invalidPlan();

  it('text: file:line:col severity code message, then the hint', async () => {
    const text = renderDiagnostics(diagnostics, 'text');
    expect(text).toContain(
      'policies/example-com.yaml:9:11 error email/bimi-needs-dmarc-enforcement BIMI requires a DMARC policy of quarantine or reject, but p=none is declared.\n    hint: Set spec.dmarc.policy',
    );
    await expect(text).toMatchFileSnapshot('__snapshots__/diagnostics.txt');
    expect(renderDiagnostics([], 'text')).toBe('The policies are valid. No problems found.\n');
  });

  it('markdown and json', async () => {
    await expect(renderDiagnostics(diagnostics, 'markdown')).toMatchFileSnapshot('__snapshots__/diagnostics.cli.md');
    expect(renderDiagnostics([], 'markdown')).toBe('**The policies are valid.** No problems found.\n');
    const json = JSON.parse(renderDiagnostics(diagnostics, 'json'));
    expect(json).toMatchObject({ valid: false, errors: 2, warnings: 1 });
    expect(json.diagnostics.map((d: { line: number }) => d.line)).toEqual([17, 30, 2, 9]);
  });
});

describe('apply report output', () => {
  it('text: applied, failed with the error, not attempted', async () => {
    const text = renderApplyReport(failedReport(), 'text');
    expect(text).toContain('Applied 1 of 4 changes: 1 failed, 2 not attempted.');
    expect(text).toContain('✗ ~ email/example-com/s3/mta-sts/.well-known/mta-sts.txt  failed\n      error: AccessDenied');
    await expect(text).toMatchFileSnapshot('__snapshots__/apply-failed.txt');
    expect(renderApplyReport(appliedReport(), 'text')).toContain('Applied 3 changes.');
  });

  it('refused', () => {
    const report = { ...failedReport(), results: [], ok: false, refused: 'destructive changes are not allowed' };
    const text = renderApplyReport(report, 'text');
    expect(text.split('\n').slice(0, 2)).toEqual([
      'Apply refused: destructive changes are not allowed',
      'Nothing was applied: 4 changes not attempted.',
    ]);
    expect(renderApplyReport(report, 'markdown')).toContain('> **Apply refused:** destructive changes are not allowed');
  });

  it('markdown and json', async () => {
    const md = renderApplyReport(failedReport(), 'markdown');
    await expect(md).toMatchFileSnapshot('__snapshots__/apply-failed.cli.md');
    expect(JSON.parse(renderApplyReport(failedReport(), 'json'))).toEqual(failedReport());
  });
});

describe('drift output', () => {
  it('text', async () => {
    expect(renderDriftReport(emptyPlan(), 'text')).toBe('No drift. Live state matches the policies.\n');
    await expect(renderDriftReport(riskyPlan(), 'text')).toMatchFileSnapshot('__snapshots__/drift.txt');
  });

  it('markdown and json', () => {
    const md = renderDriftReport(riskyPlan(), 'markdown');
    expect(md.startsWith('## Charter found drift\n\n**Drift:** 1 to create')).toBe(true);
    expect(md).not.toContain('<!--');
    expect(JSON.parse(renderDriftReport(emptyPlan(), 'json'))).toMatchObject({ drift: false, changes: [] });
    expect(JSON.parse(renderDriftReport(riskyPlan(), 'json'))).toMatchObject({ drift: true, summary: { total: 4 } });
  });
});
