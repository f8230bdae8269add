/**
 * The app's notification webhook (CHARTER_NOTIFY_WEBHOOK_URL): a loopback receiver gets the apply result
 * of a merge and the drift of a scheduled check, from the app running on its harness (real Probot, signed
 * events, AWS on the sandbox). Where notifications go is the app's environment's say alone.
 */
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CharterApp } from '../../src/app/app.js';
import { readAppConfig } from '../../src/app/config.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startExampleSandbox } from '../helpers/aws.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import { BASE_SHA, fixturePolicies, loadApp, checkRuns, startGitHub, PRIVATE_KEY, pullRequestEvent, pushEvent, REPO, sha, testConfig } from './harness.js';

let sandbox: Sandbox;
let github: FakeGitHub;
let repo: FakeRepo;
let probot: Probot;
let charter: CharterApp;
let webhook: WebhookReceiver;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  github = await startGitHub();
  repo = github.state.repo(REPO);
  webhook = await startWebhookReceiver();
  const config = testConfig(sandbox);
  ({ probot, charter } = await loadApp({ ...config, notifyWebhook: webhook.url, webUrl: 'https://github.com', secrets: [...config.secrets, webhook.url] }, github));
});
afterEach(async () => {
  await charter.stop();
  await github.close();
  await sandbox.close();
  await webhook.close();
});

async function receive(event: unknown): Promise<void> {
  await probot.receive(event as never);
  await charter.drained();
}

function openPull(number: number, headSha: string, files = fixturePolicies()): void {
  github.state.commit(REPO, headSha, new Map([...repo.files.get(BASE_SHA)!, ...files]));
  github.state.addPull(REPO, { number, headSha, labels: ['charter:allow-destructive'] });
}

function merge(number: number, mergeSha: string): void {
  const pull = repo.pulls.find((p) => p.number === number)!;
  github.state.commit(REPO, mergeSha, repo.files.get(pull.headSha)!, 'master');
  Object.assign(pull, { state: 'closed', mergeCommitSha: mergeSha, mergedAt: github.state.tick() });
  github.state.associate(REPO, mergeSha, number);
}

describe('the app notifies its webhook', () => {
  it('after applying a merge: the result, the pull request; a plan never notifies', async () => {
    openPull(7, sha(7));
    await receive({ id: 'plan-7', name: 'pull_request', payload: pullRequestEvent('opened', { number: 7, headSha: sha(7), labels: ['charter:allow-destructive'] }) });
    expect(webhook.received).toEqual([]);
    merge(7, sha(70));
    await receive({ id: 'push-70', name: 'push', payload: pushEvent(sha(70)) });
    expect(checkRuns(github, 'Charter apply')[0].conclusion).toBe('success');
    expect(webhook.problems).toEqual([]);
    expect(webhook.received).toHaveLength(1);
    const { body } = webhook.received[0];
    expect(body.text).toMatch(new RegExp(`^✅ Charter applied \\d+ change\\(s\\) to ${REPO} from #7$`));
    expect(body.blocks!.at(-1)!.elements![0].text).toBe(`<https://github.com/${REPO}/pull/7|pull request #7>`);

    // A redelivery of the same push: nothing applied again, nothing to tell.
    await receive({ id: 'push-70-again', name: 'push', payload: pushEvent(sha(70)) });
    expect(webhook.received).toHaveLength(1);
  });

  it('after a drift check: drift found, with the drift issue linked; the same drift again stays quiet', async () => {
    github.state.commit(REPO, sha(50), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]), 'master');
    const first = await charter.driftEverywhere();
    expect(first.results.find((r) => r.repository === REPO)).toMatchObject({ status: 'drift', issue: { action: 'created' } });
    expect(webhook.received).toHaveLength(1);
    const issue = github.state.repo(REPO).issues[0];
    expect(webhook.received[0].body.text).toMatch(new RegExp(`^⚠️ Charter: drift on ${REPO}: \\d+ difference\\(s\\)`));
    expect(webhook.received[0].body.blocks!.at(-1)!.elements![0].text).toContain(`|drift issue #${issue.number}>`);
    const again = await charter.driftEverywhere();
    expect(again.results.find((r) => r.repository === REPO)?.issue?.action).toBe('unchanged');
    expect(webhook.received).toHaveLength(1);
  });

  it('a repository cannot point notifications elsewhere: .github/charter.yml has no such setting', async () => {
    const attacker = await startWebhookReceiver();
    try {
      const files = new Map([...fixturePolicies(), ['.github/charter.yml', Buffer.from(`notifyWebhook: ${attacker.url}\n`)]]);
      github.state.commit(REPO, sha(60), new Map([...repo.files.get(BASE_SHA)!, ...files]), 'master');
      const run = await charter.driftEverywhere();
      expect(run.results.find((r) => r.repository === REPO)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/unknown setting "notifyWebhook"/) });
      expect(attacker.received).toEqual([]);
      expect(webhook.received).toEqual([]);
    } finally {
      await attacker.close();
    }
  });
});

describe('CHARTER_NOTIFY_WEBHOOK_URL', () => {
  const env = { PRIVATE_KEY, CHARTER_DRIFT_SCHEDULE: 'off' };

  it('is read from the environment only, checked, and kept among the secrets', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/abcdefghijklmnop';
    const config = readAppConfig({ ...env, CHARTER_NOTIFY_WEBHOOK_URL: url });
    expect(config.notifyWebhook).toBe(url);
    expect(config.secrets).toContain(url);
    expect(readAppConfig(env).notifyWebhook).toBeUndefined();
    expect(readAppConfig({ ...env, GHE_HOST: 'ghe.example.com' }).webUrl).toBe('https://ghe.example.com');
  });

  it('refuses plain http to another host without repeating the value', () => {
    expect(() => readAppConfig({ ...env, CHARTER_NOTIFY_WEBHOOK_URL: 'http://hooks.example.com/services/secret-part' })).toThrow(
      /^CHARTER_NOTIFY_WEBHOOK_URL must be an https:\/\/ URL .*the value is a secret and is not shown$/,
    );
  });
});
