/**
 * The Action's GitHub client: `getOctokit` from @actions/github, which takes GitHub Enterprise Server's
 * API root and the runner's proxy (`https_proxy`, `no_proxy`) from the environment, with Charter's retry
 * and throttling plugins on top.
 */
import * as core from '@actions/core';
import { RESILIENCE_PLUGINS, resilienceOptions, type GitHub } from '../github/client.js';

/** Octokit's request log: failures the flows handle (the 422 of an existing label) stay in the debug log. */
const octokitLog = { debug: core.debug, info: core.debug, warn: core.warning, error: core.debug };

export async function actionGitHub(token: string, apiUrl: string): Promise<GitHub> {
  // Loaded only now: @actions/github parses GITHUB_EVENT_PATH when imported, and a broken event file is
  // reported by readInputs as an input error rather than crashing the import.
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, { baseUrl: apiUrl.replace(/\/+$/, ''), log: octokitLog, ...resilienceOptions(octokitLog) }, ...RESILIENCE_PLUGINS);
}
