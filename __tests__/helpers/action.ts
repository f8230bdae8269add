import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleNode, EXAMPLE_SECRETS, repoRoot } from './aws.js';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

type Example = Record<string, unknown> & { action?: string; ref?: string };

/** A real webhook payload from @octokit/webhooks-examples, deep-copied so tests can patch it. */
export function webhookExample(event: string, pick: (e: Example) => boolean = () => true): Example {
  const all = JSON.parse(readFileSync(join(repoRoot, 'node_modules/@octokit/webhooks-examples/api.github.com/index.json'), 'utf8')) as Array<{ name: string; examples: Example[] }>;
  const found = all.find((e) => e.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example`);
  return structuredClone(found);
}

/** GITHUB_OUTPUT uses `name<<delimiter` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

/** Runs the bundled Action (`node dist/index.js`) as GitHub would, with inputs and event in the environment. */
export async function runAction(opts: {
  workspace: string;
  eventName: string;
  event: unknown;
  inputs: Record<string, string>;
  githubUrl: string;
  awsEndpoint: string;
  repository: string;
  sha: string;
  ref: string;
  /** More variables in the step's environment (other steps' or the workflow's). */
  env?: Record<string, string>;
}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'charter-action-'));
  const eventPath = join(dir, 'event.json');
  const outputPath = join(dir, 'output');
  const summaryPath = join(dir, 'summary.md');
  writeFileSync(eventPath, JSON.stringify(opts.event));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: opts.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_REPOSITORY: opts.repository,
    GITHUB_SHA: opts.sha,
    GITHUB_REF: opts.ref,
    GITHUB_API_URL: opts.githubUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: dir,
    CHARTER_AWS_ENDPOINT: opts.awsEndpoint,
    ...EXAMPLE_SECRETS,
    ...opts.env,
  };
  for (const [name, value] of Object.entries(opts.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(bundleNode, [join(repoRoot, 'dist/index.js')], { cwd: opts.workspace, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputPath, 'utf8')), summary: readFileSync(summaryPath, 'utf8') };
}
