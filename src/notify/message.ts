/**
 * The notification Charter posts to a chat webhook after an apply and when drift appears, changes or is
 * resolved: Slack-compatible JSON (`text` for clients that show only that, `blocks` for the layout), which
 * Slack, Mattermost, Rocket.Chat and Teams' Slack-compatible connectors accept. Pure: building a message
 * reads nothing and sends nothing (src/notify/webhook.ts sends it).
 */
import type { ApplyReport, Plan } from '../core/plan.js';

export interface SlackBlock {
  type: 'section' | 'context';
  text?: { type: 'mrkdwn'; text: string };
  elements?: Array<{ type: 'mrkdwn'; text: string }>;
}

export interface Notification {
  text: string;
  blocks?: SlackBlock[];
}

/** Slack rejects a section's text above 3,000 characters; reasons and error lists are cut well below. */
const SECTION_LIMIT = 2_900;
const REASON_LIMIT = 1_000;
const LISTED_FAILURES = 5;

/** Removes every secret from `text` (values the run was told to mask, the webhook URL among them). */
export type Redactor = (text: string) => string;

export function redactorFor(secrets: readonly string[]): Redactor {
  const known = secrets.filter((s) => s.length >= 8).sort((a, b) => b.length - a.length);
  return (text) => known.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** Slack's mrkdwn gives `&`, `<` and `>` meaning (links, mentions): user-controlled text is escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function link(url: string | undefined, label: string): string {
  // Our own URLs (GitHub's run, artifact, issue, pull request): `|` and `>` would end the link early.
  return url && !/[|<>\s]/.test(url) ? `<${url}|${label}>` : '';
}

function links(items: Array<[string | undefined, string]>): SlackBlock | undefined {
  const shown = items.map(([url, label]) => link(url, label)).filter(Boolean);
  return shown.length ? { type: 'context', elements: [{ type: 'mrkdwn', text: shown.join(' · ') }] } : undefined;
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: cut(text, SECTION_LIMIT) } };
}

function counts(plan: Plan): string {
  const s = plan.summary;
  const parts = [`${s.create} to create`, `${s.update + s.replace} to update`, `${s.delete} to delete`];
  if (s.run) parts.push(`${s.run} to run`);
  return parts.join(', ');
}

/** What happened to a merge's reviewed plan (the flows' apply statuses). */
export type ApplyNotificationStatus = 'applied' | 'apply-failed' | 'refused' | 'blocked' | 'not-reviewed' | 'no-pull-request' | 'already-applied' | 'no-changes';

export interface ApplyNotificationInput {
  repository: string;
  status: ApplyNotificationStatus;
  pullRequest?: number;
  plan?: Plan;
  report?: ApplyReport;
  reason?: string;
  pullRequestUrl?: string;
  runUrl?: string;
  artifactUrl?: string;
}

/**
 * The message after an apply on merge, or undefined when there is nothing to tell: a merge that changed no
 * policy (`no-changes`) and a re-run of an apply that already happened are not news.
 */
export function applyNotification(input: ApplyNotificationInput, redact: Redactor = (t) => t): Notification | undefined {
  if (input.status === 'no-changes' || input.status === 'already-applied') return undefined;
  const repo = escapeMrkdwn(input.repository);
  const from = input.pullRequest !== undefined ? ` from #${input.pullRequest}` : '';
  const applied = input.report?.results.filter((r) => r.status === 'applied').length ?? 0;
  const total = input.plan?.changes.length ?? 0;
  const headline: Record<ApplyNotificationStatus, string> = {
    applied: `✅ Charter applied ${applied} change(s) to ${repo}${from}`,
    'apply-failed': `❌ Charter apply failed on ${repo}${from}: ${applied} of ${total} change(s) applied`,
    refused: `⛔ Charter refused to apply on ${repo}${from}`,
    blocked: `🛑 Charter apply blocked on ${repo}${from}`,
    'not-reviewed': `⚠️ Charter applied nothing on ${repo}${from}: no reviewed plan`,
    'no-pull-request': `⚠️ Charter applied nothing on ${repo}: no merged pull request`,
    'already-applied': '',
    'no-changes': '',
  };
  const lines = [`*${headline[input.status]}*`];
  if (input.plan && input.status !== 'applied') lines.push(`Plan: ${counts(input.plan)}.`);
  const failures = input.report?.results.filter((r) => r.status === 'failed') ?? [];
  for (const f of failures.slice(0, LISTED_FAILURES)) lines.push(`• \`${escapeMrkdwn(cut(redact(f.address), 200))}\`: ${escapeMrkdwn(cut(redact(f.error ?? 'failed'), 300))}`);
  if (failures.length > LISTED_FAILURES) lines.push(`… and ${failures.length - LISTED_FAILURES} more failure(s).`);
  else if (!failures.length && input.reason) lines.push(escapeMrkdwn(cut(redact(input.reason), REASON_LIMIT)));
  const blocks = [section(lines.join('\n'))];
  const footer = links([
    [input.pullRequestUrl, input.pullRequest !== undefined ? `pull request #${input.pullRequest}` : 'pull request'],
    [input.runUrl, 'workflow run'],
    [input.artifactUrl, 'full plan'],
  ]);
  if (footer) blocks.push(footer);
  return { text: headline[input.status], blocks };
}

export interface DriftNotificationInput {
  repository: string;
  plan: Plan;
  /** What the drift check did to the drift issue; undefined when it keeps none (no token). */
  issue?: { action: 'created' | 'updated' | 'closed' | 'reopened' | 'unchanged' | 'none'; number?: number; url?: string };
  runUrl?: string;
  artifactUrl?: string;
}

/**
 * The message of a drift check, or undefined when nothing changed since the last one: drift that appeared,
 * changed or was resolved is news; the same drift found again on the next schedule (issue `unchanged`) and
 * a clean check with no open issue are not. Without an issue to compare with, every drift is reported.
 */
export function driftNotification(input: DriftNotificationInput, redact: Redactor = (t) => t): Notification | undefined {
  const drift = input.plan.changes.length > 0;
  const action = input.issue?.action;
  if (action === 'unchanged' || action === 'none') return undefined;
  if (!drift && action !== 'closed') return undefined;
  const repo = escapeMrkdwn(input.repository);
  const text = !drift
    ? `✅ Charter: drift resolved on ${repo}; live AWS matches the policies again`
    : `${action === 'updated' ? '🔁 Charter: drift changed' : '⚠️ Charter: drift'} on ${repo}: ${input.plan.changes.length} difference(s) between the policies and live AWS`;
  const lines = [`*${text}*`];
  if (drift) {
    lines.push(`Plan: ${counts(input.plan)}.`);
    const shown = input.plan.changes.slice(0, LISTED_FAILURES).map((c) => `• ${c.action} \`${escapeMrkdwn(cut(redact(c.address), 200))}\``);
    lines.push(...shown);
    if (input.plan.changes.length > shown.length) lines.push(`… and ${input.plan.changes.length - shown.length} more.`);
  }
  const blocks = [section(lines.join('\n'))];
  const footer = links([
    [input.issue?.url, input.issue?.number !== undefined ? `drift issue #${input.issue.number}` : 'drift issue'],
    [input.runUrl, 'workflow run'],
    [input.artifactUrl, 'full plan'],
  ]);
  if (footer) blocks.push(footer);
  return { text, blocks };
}
