/**
 * The Action's notifications: after an apply on merge and after a drift check, a message to the workflow's
 * `notify-webhook`. Only runs on trusted events notify (push to the default branch, schedule, dispatch): a
 * pull request's plan run never does, and the URL comes from the workflow's secrets, which a fork's pull
 * request does not get.
 */
import * as core from '@actions/core';
import type { Logger } from '../core/provider.js';
import type { ApplyOutcome, DriftOutcome } from '../github/flows.js';
import { applyNotification, driftNotification, redactorFor, type Notification } from '../notify/message.js';
import { sendNotification } from '../notify/webhook.js';
import type { ActionInputs } from './inputs.js';

/** Every value this run asked the runner to mask, so a message can be cleaned the same way. */
const masked = new Set<string>();

/** Masks `value` in the workflow log and remembers it for the notification's redaction. */
export function maskSecret(value: string): void {
  core.setSecret(value);
  masked.add(value);
}

function redactor(inputs: ActionInputs) {
  const known = [inputs.githubToken, inputs.planSigningKey, inputs.notifyWebhook, ...masked].filter((s): s is string => Boolean(s));
  return redactorFor(known);
}

async function send(inputs: ActionInputs, message: Notification | undefined, log: Logger): Promise<void> {
  if (!inputs.notifyWebhook || !message) return;
  await sendNotification({ url: inputs.notifyWebhook }, message, log);
}

export async function notifyApply(inputs: ActionInputs, outcome: ApplyOutcome, artifactUrl: string | undefined, log: Logger): Promise<void> {
  if (!inputs.notifyWebhook) return;
  const message = applyNotification(
    {
      repository: inputs.repository,
      status: outcome.status,
      pullRequest: outcome.pullRequest,
      plan: outcome.plan,
      report: outcome.report,
      reason: outcome.reason,
      pullRequestUrl: outcome.pullRequest !== undefined ? `${inputs.serverUrl}/${inputs.repository}/pull/${outcome.pullRequest}` : undefined,
      runUrl: inputs.runUrl,
      artifactUrl,
    },
    redactor(inputs),
  );
  await send(inputs, message, log);
}

export async function notifyDrift(inputs: ActionInputs, outcome: DriftOutcome, artifactUrl: string | undefined, log: Logger): Promise<void> {
  if (!inputs.notifyWebhook || !outcome.ok || !outcome.plan.policies.length) return;
  const message = driftNotification({ repository: inputs.repository, plan: outcome.plan, issue: outcome.issue, runUrl: inputs.runUrl, artifactUrl }, redactor(inputs));
  await send(inputs, message, log);
}
