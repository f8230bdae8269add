/**
 * The webhook payloads the tests send (the Action's events and the app's) are what GitHub sends, by
 * GitHub's webhook description (@octokit/openapi-webhooks), and the check catches a payload that is not.
 */
import { describe, expect, it } from 'vitest';
import * as app from '../app/harness.js';
import { pullRequestEvent, pushEvent, webhookExample } from '../helpers/action.js';
import { checkWebhook } from '../helpers/webhook-contract.js';

describe('webhook payloads used in tests (@octokit/openapi-webhooks)', () => {
  it("the Action's events", () => {
    expect(checkWebhook('pull_request', pullRequestEvent({ labels: ['charter:allow-destructive'] }))).toEqual([]);
    expect(checkWebhook('push', pushEvent())).toEqual([]);
    expect(checkWebhook('push', pushEvent({ branch: 'feature', defaultBranch: 'main' }))).toEqual([]);
  });

  it("the app's events", () => {
    for (const action of ['opened', 'synchronize', 'closed']) {
      expect(checkWebhook('pull_request', app.pullRequestEvent(action, { number: 2, headSha: 'a'.repeat(40) })), action).toEqual([]);
    }
    expect(checkWebhook('pull_request', app.pullRequestEvent('labeled', { number: 2, headSha: 'a'.repeat(40), labels: ['charter:allow-destructive'] }))).toEqual([]);
    expect(checkWebhook('push', app.pushEvent('c'.repeat(40)))).toEqual([]);
    expect(checkWebhook('issue_comment', app.commentEvent('/charter plan', { number: 2 }))).toEqual([]);
    expect(checkWebhook('issue_comment', app.commentEvent('/charter plan', { number: 2, onPullRequest: false }))).toEqual([]);
    expect(checkWebhook('create', app.branchEvent('create', 'feature'))).toEqual([]);
    expect(checkWebhook('delete', app.branchEvent('delete', 'feature'))).toEqual([]);
  });

  it('catches a payload GitHub would not send', () => {
    const event = webhookExample('pull_request', (e) => e.action === 'opened') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete event.pull_request.head;
    event.number = 'two';
    expect(checkWebhook('pull_request', event)).toEqual(expect.arrayContaining([
      "pull-request-opened: /number must be integer",
    ]));
    expect(checkWebhook('pull_request', event).some((p) => p.includes("required property 'head'"))).toBe(true);
  });
});
