import { describe, expect, it } from 'vitest';
import { COMMENT_MARKER, renderComment, renderDriftIssue, renderJobSummary, type CommentInput } from '../../src/core/render/index.js';
import { parseMeta } from '../../src/github/plan-meta.js';
import {
  appliedReport,
  createsOnly,
  emptyPlan,
  failedReport,
  hugePlan,
  injectionPlan,
  invalidPlan,
  riskyPlan,
} from './fixtures.js';

const run = { runUrl: 'https://github.com/acme/infra/actions/runs/123456', commitSha: '3f2c1a9' };

/** The comment without fenced code blocks and code spans, whose content GitHub shows literally. */
function outsideCode(body: string): string {
  return body.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '').replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

/** Structural checks every comment must pass, whatever its content. */
function expectWellFormed(body: string, limit = 65_536): void {
  expect(body.length).toBeLessThanOrEqual(limit);
  expect(body.startsWith(`${COMMENT_MARKER}\n<!-- charter:meta `)).toBe(true);
  // Fences are balanced: every opener has a closer of the same length.
  expect((body.match(/^`{3,}/gm)?.length ?? 0) % 2).toBe(0);
  const markup = outsideCode(body);
  expect(markup.match(/<details/g)?.length ?? 0).toBe(markup.match(/<\/details>/g)?.length ?? 0);
  // Only the marker and the meta block open HTML comments.
  expect(markup.match(/<!--/g)?.length).toBe(2);
  expect(parseMeta(body)).toBeDefined();
}

async function snapshot(name: string, input: CommentInput): Promise<string> {
  const body = renderComment(input);
  expectWellFormed(body);
  await expect(body).toMatchFileSnapshot(`__snapshots__/${name}.md`);
  return body;
}

describe('sticky comment', () => {
  it('empty plan', async () => {
    const body = await snapshot('empty-plan', { plan: emptyPlan(), state: 'planned', ...run });
    expect(body).toContain('No changes. Live state matches the policies.');
    expect(body).not.toContain('<details');
  });

  it('creates only', async () => {
    const body = await snapshot('creates-only', { plan: createsOnly(), state: 'planned', ...run });
    expect(body).toContain('**Plan:** 3 to create, 0 to update, 0 to delete');
    expect(body).not.toContain('[!CAUTION]');
    expect(body).toContain(`Merging applies exactly this plan: fingerprint \`${createsOnly().fingerprint.slice(0, 12)}…\``);
  });

  it('destructive update, blocked', async () => {
    const body = await snapshot('destructive-blocked', { plan: riskyPlan(), state: 'planned', ...run });
    expect(body).toContain('**Plan:** 1 to create, 2 to update, 1 to delete, 1 destructive, 1 disruptive');
    expect(body).toContain('**Apply is blocked:**');
    expect(body).toContain('`charter:allow-destructive`');
    // Risky changes are listed before any per-policy details.
    expect(body.indexOf('old._domainkey.example.com.` **destructive**')).toBeLessThan(body.indexOf('<details'));
  });

  it('destructive update, allowed', async () => {
    const body = await snapshot('destructive-allowed', { plan: riskyPlan(), state: 'planned', allowDestructive: true, ...run });
    expect(body).not.toContain('**Apply is blocked:**');
    expect(body).toContain('They are allowed for this run');
  });

  it('invalid policies with diagnostics', async () => {
    const body = await snapshot('invalid-policies', { plan: invalidPlan(), state: 'planned', ...run });
    expect(body).toContain('No changes planned: the policies have 2 errors.');
    expect(body).toContain('`policies/example-com.yaml:9:11` **error** `email/bimi-needs-dmarc-enforcement`');
    expect(body.indexOf('### Errors')).toBeLessThan(body.indexOf('### Warnings and notices'));
  });

  it('applied', async () => {
    const report = appliedReport();
    const body = await snapshot('applied', { plan: report.plan, state: 'applied', report, ...run });
    expect(body).toContain('**Applied 3 changes.**');
    expect(parseMeta(body)).toMatchObject({ state: 'applied', fingerprint: report.plan.fingerprint, sha: run.commitSha });
  });

  it('apply failed: one failed, the rest not attempted', async () => {
    const report = failedReport();
    const body = await snapshot('apply-failed', { plan: report.plan, state: 'apply-failed', report, ...run });
    expect(body).toContain('**Apply failed:** 1 applied, 1 failed, 2 not attempted.');
    expect(body).toContain('not authorized to perform: s3:PutObject');
    expect(body.match(/· ○ not attempted<br>/g)).toHaveLength(2);
  });

  it('refused with differences', async () => {
    const p = riskyPlan();
    const body = await snapshot('refused', {
      plan: p,
      state: 'refused',
      refusal: {
        reason: 'The plan changed since it was reviewed on #42 (reviewed 0123456789ab, now 9876543210fe).',
        differences: [
          { address: 'email/example-com/route53/TXT/_mta-sts.example.com.', status: 'changed' },
          { address: 'email/example-com/route53/TXT/_dmarc.example.com.', status: 'removed' },
          { address: 'redshift/analytics/role/sales_ro', status: 'added' },
        ],
      },
      ...run,
    });
    expect(body).toContain('**Charter refused to apply:**');
    expect(body).toContain('`email/example-com/route53/TXT/_dmarc.example.com.`: reviewed, no longer planned');
  });

  it('blocked on merge by the risk gate', async () => {
    const body = await snapshot('blocked', {
      plan: riskyPlan(),
      state: 'blocked',
      refusal: { reason: 'The plan has 1 destructive and 1 disruptive change; they need the charter:allow-destructive label.' },
      ...run,
    });
    expect(body).toContain('**Apply was blocked:**');
  });

  it('a 5,000-change plan fits in 65,536 characters and keeps every risky change', async () => {
    const p = hugePlan();
    const body = await snapshot('huge-plan', { plan: p, state: 'planned', ...run });
    expect(body.length).toBeGreaterThan(60_000);
    const risky = p.changes.filter((c) => c.risk !== 'safe');
    expect(risky).toHaveLength(35);
    for (const c of risky) expect(body).toContain(`\`${c.address}\` **${c.risk}**`);
    const shown = p.changes.filter((c) => body.includes(`**${c.title}**`)).length;
    expect(shown).toBeGreaterThan(50);
    expect(body).toContain(`**${p.changes.length - shown} more changes are not shown here**`);
    expect(parseMeta(body)).toMatchObject({ fingerprint: p.fingerprint, truncated: true });
  });

  it('stays within any limit, keeping the marker and meta first', () => {
    const p = hugePlan();
    const risky = p.changes.filter((c) => c.risk !== 'safe');
    for (const limit of [3_000, 10_000, 30_000]) {
      const body = renderComment({ plan: p, state: 'planned', ...run }, limit);
      expectWellFormed(body, limit);
      // Every risky change is either listed or counted in the "…and N more" line.
      const listed = risky.filter((c) => body.includes(`\`${c.address}\` **${c.risk}**`)).length;
      const more = /…and (\d+) more risky changes: see the job summary or `plan.json`/.exec(body);
      expect(listed + Number(more?.[1] ?? 0)).toBe(risky.length);
      if (limit === 3_000) expect(more).not.toBeNull();
    }
    // Below what must always be kept, the end is cut; the marker and meta at the top survive.
    const tiny = renderComment({ plan: riskyPlan(), state: 'planned' }, 1_200);
    expect(tiny.length).toBeLessThanOrEqual(1_200);
    expect(tiny.startsWith(COMMENT_MARKER)).toBe(true);
    expect(parseMeta(tiny)?.fingerprint).toBe(riskyPlan().fingerprint);
    expect(tiny).toMatch(/Cut to fit the size limit: the full plan is in the job summary and `plan\.json`\.\n$/);
    const small = renderComment({ plan: riskyPlan(), state: 'planned' }, 2_500);
    expectWellFormed(small, 2_500);
    expect(small).toContain('**Apply is blocked:**');
    expect(small).toMatch(/\*\*3 more changes are not shown here\*\*/);
    expect(small).toContain('<i>2 more changes of this policy are not shown here.</i>');
  });

  it('markdown injection in policy names and values stays inert', async () => {
    const body = await snapshot('markdown-injection', { plan: injectionPlan(), state: 'planned', ...run });
    // Our own <details> blocks only: the policy names cannot close them.
    expect(outsideCode(body).match(/<\/details>/g)).toHaveLength(2);
    // No mention pings outside code: every @ that starts a mention is followed by a zero-width joiner.
    const markup = outsideCode(body);
    expect(markup).toContain('@\u200dorg/team');
    expect(markup).not.toMatch(/(^|[^A-Za-z0-9])@[A-Za-z0-9]/);
    expect(markup).not.toMatch(/<img|<\/details><!--|<!-- x/);
    expect(body).not.toMatch(/^#+ heading/m);
    // Values with backtick fences get a longer fence.
    expect(body).toContain('````diff');
  });
});

describe('job summary and drift issue', () => {
  it('job summary: the whole plan, no marker', async () => {
    const body = renderJobSummary({ plan: riskyPlan(), state: 'planned', ...run });
    expect(body.startsWith('## Charter plan')).toBe(true);
    expect(body).not.toContain('<!--');
    await expect(body).toMatchFileSnapshot('__snapshots__/job-summary.md');
  });

  it('job summary of a 5,000-change plan stays under 1,000,000 characters', () => {
    const body = renderJobSummary({ plan: hugePlan(), state: 'planned' });
    expect(body.length).toBeLessThanOrEqual(1_000_000);
    expect(body.length).toBeGreaterThan(900_000);
    expect(body).toMatch(
      /more changes are not shown here\*\* \(this summary is limited to 1,000,000 characters\)\. The full plan is in `plan\.json`/,
    );
  });

  it('drift issue with drift', async () => {
    const body = renderDriftIssue(riskyPlan(), { runUrl: run.runUrl });
    expect(body.startsWith('<!-- charter:drift -->\n## Charter found drift')).toBe(true);
    expect(body).not.toContain('charter:meta');
    await expect(body).toMatchFileSnapshot('__snapshots__/drift-issue.md');
  });

  it('drift issue without drift', async () => {
    const body = renderDriftIssue(emptyPlan(), { runUrl: run.runUrl });
    expect(body).toContain('No drift. Live state matches the policies.');
    await expect(body).toMatchFileSnapshot('__snapshots__/drift-issue-clean.md');
  });

  it('drift issue for a 5,000-change drift fits an issue body', () => {
    const body = renderDriftIssue(hugePlan(), {});
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/GitHub limits issues to 65,536 characters/);
  });
});
