import { describe, expect, it } from 'vitest';
import type { ApplyReport, Plan } from '../../src/core/plan.js';
import type { Logger } from '../../src/core/provider.js';
import { applyNotification, driftNotification, escapeMrkdwn, redactorFor } from '../../src/notify/message.js';
import { parseWebhookUrl, sendNotification } from '../../src/notify/webhook.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import { riskyPlan } from '../render/fixtures.js';

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(`debug ${m}`), info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

const SECRET = 'super-secret-client-value-123';

function failedReport(plan: Plan, count: number): ApplyReport {
  const results = plan.changes.map((c, i) => ({ address: c.address, status: i < count ? ('failed' as const) : ('applied' as const), error: i < count ? `AccessDenied <@U123> using ${SECRET}` : undefined }));
  return { plan, results, ok: false };
}

describe('notification messages', () => {
  it('an apply failure lists the failures, escaped and redacted, and caps the list', () => {
    const plan = riskyPlan();
    const message = applyNotification({ repository: 'acme/infra', status: 'apply-failed', pullRequest: 7, plan, report: failedReport(plan, plan.changes.length) }, redactorFor([SECRET]))!;
    expect(message.text).toBe(`❌ Charter apply failed on acme/infra from #7: 0 of ${plan.changes.length} change(s) applied`);
    const section = message.blocks![0].text!.text;
    expect(section).not.toContain(SECRET);
    expect(section).toContain('AccessDenied &lt;@U123&gt; using ***');
    expect(section.match(/^• /gm)).toHaveLength(Math.min(5, plan.changes.length));
    if (plan.changes.length > 5) expect(section).toContain(`… and ${plan.changes.length - 5} more failure(s).`);
  });

  it('says nothing for a merge without changes or a re-run of an applied plan', () => {
    expect(applyNotification({ repository: 'a/b', status: 'no-changes' })).toBeUndefined();
    expect(applyNotification({ repository: 'a/b', status: 'already-applied' })).toBeUndefined();
  });

  it('drift: news when it appears, changes or is resolved; silence when the issue is unchanged', () => {
    const plan = riskyPlan();
    const clean = { ...plan, changes: [] };
    expect(driftNotification({ repository: 'a/b', plan, issue: { action: 'created', number: 3, url: 'https://github.com/a/b/issues/3' } })!.text).toMatch(/^⚠️ Charter: drift on a\/b/);
    expect(driftNotification({ repository: 'a/b', plan, issue: { action: 'updated', number: 3 } })!.text).toMatch(/^🔁 Charter: drift changed/);
    expect(driftNotification({ repository: 'a/b', plan, issue: { action: 'unchanged', number: 3 } })).toBeUndefined();
    expect(driftNotification({ repository: 'a/b', plan: clean, issue: { action: 'closed', number: 3 } })!.text).toMatch(/drift resolved/);
    expect(driftNotification({ repository: 'a/b', plan: clean, issue: { action: 'none' } })).toBeUndefined();
    // No token, no issue to compare with: every drift is reported, a clean check is not.
    expect(driftNotification({ repository: 'a/b', plan })).toBeDefined();
    expect(driftNotification({ repository: 'a/b', plan: clean })).toBeUndefined();
  });

  it('escapes what Slack would read as links or mentions', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|x>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|x&gt;');
  });
});

describe('sending', () => {
  it('accepts https, and http only to loopback; never shows the value', () => {
    expect(parseWebhookUrl('https://hooks.slack.com/services/T/B/x', 'X')).toBe('https://hooks.slack.com/services/T/B/x');
    expect(parseWebhookUrl('http://127.0.0.1:8080/hook', 'X')).toBe('http://127.0.0.1:8080/hook');
    for (const bad of ['http://hooks.example.com/secret-path', 'ftp://x/secret-path', 'not a url secret-path', 'https://user:secret-path@hooks.example.com/']) {
      expect(() => parseWebhookUrl(bad, 'X')).toThrow(/^X /);
      try {
        parseWebhookUrl(bad, 'X');
      } catch (error) {
        expect((error as Error).message).not.toContain('secret-path');
      }
    }
  });

  it('a webhook that never answers is given up after the timeout, once, with a warning', async () => {
    const receiver = await startWebhookReceiver();
    receiver.answer = 'hang';
    try {
      const log = recorder();
      const started = Date.now();
      expect(await sendNotification({ url: receiver.url, timeoutMs: 300 }, { text: 'hello' }, log)).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(receiver.received).toHaveLength(1);
      expect(log.lines).toEqual(['warn Notification not sent: no answer within 0.3 s. The apply or drift check itself is not affected.']);
    } finally {
      await receiver.close();
    }
  });

  it('a refused connection is a warning naming the error code, not the URL', async () => {
    const receiver = await startWebhookReceiver();
    const url = receiver.url;
    await receiver.close();
    const log = recorder();
    expect(await sendNotification({ url }, { text: 'hello' }, log)).toBe(false);
    expect(log.lines).toEqual(['warn Notification not sent: network error ECONNREFUSED. The apply or drift check itself is not affected.']);
  });
});
