import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { bundleNode, EXAMPLE_SECRETS, repoRoot } from './aws.js';
import type { FakeGitHub } from './fake-github.js';
import { loadActionManifest, stepInputEnv, type ExpressionContext } from './runner.js';

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
  const example = structuredClone(found);
  // The examples predate `auto_merge`, which GitHub now sends on every pull request (null when off).
  const pr = example.pull_request as Record<string, unknown> | undefined;
  if (pr && !('auto_merge' in pr)) pr.auto_merge = null;
  // Likewise `has_discussions` on every repository in the payload.
  const repos = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.full_name === 'string' && 'has_wiki' in o && !('has_discussions' in o)) o.has_discussions = false;
    for (const value of Object.values(o)) repos(value);
  };
  repos(example);
  return example;
}

/** The pull request the Action tests plan and merge: the webhook examples' repository, PR #2. */
export const TEST_PULL = {
  repository: 'Codertocat/Hello-World',
  number: 2,
  headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  mergeSha: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
} as const;

/** A real `pull_request.opened` payload for TEST_PULL, labelled as given. */
export function pullRequestEvent(opts: { labels?: string[]; defaultBranch?: string } = {}): Example {
  const event = webhookExample('pull_request', (e) => e.action === 'opened');
  const pr = event.pull_request as Record<string, unknown>;
  pr.number = TEST_PULL.number;
  (pr.head as Record<string, unknown>).sha = TEST_PULL.headSha;
  // Labels as GitHub sends them (checked against the webhook description in webhooks-contract.test.ts).
  pr.labels = (opts.labels ?? ['charter:allow-destructive']).map((name, i) => ({
    id: 1000 + i,
    node_id: `LA_${1000 + i}`,
    url: `https://api.github.com/repos/${TEST_PULL.repository}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null,
  }));
  event.number = TEST_PULL.number;
  if (opts.defaultBranch) (event.repository as Record<string, unknown>).default_branch = opts.defaultBranch;
  return event;
}

/** A real `push` payload of TEST_PULL's merge commit to `branch`. */
export function pushEvent(opts: { branch?: string; defaultBranch?: string } = {}): Example {
  const event = webhookExample('push', (e) => e.ref === 'refs/heads/master');
  event.ref = `refs/heads/${opts.branch ?? 'master'}`;
  event.after = TEST_PULL.mergeSha;
  if (opts.defaultBranch) (event.repository as Record<string, unknown>).default_branch = opts.defaultBranch;
  return event;
}

/** Merges TEST_PULL on the fake GitHub, as the merge button does: closed, merged, its merge commit associated. */
export function mergePull(github: FakeGitHub): void {
  const pull = github.state.repo(TEST_PULL.repository).pulls.find((p) => p.number === TEST_PULL.number)!;
  pull.state = 'closed';
  pull.mergeCommitSha = TEST_PULL.mergeSha;
  pull.mergedAt = '2024-01-02T00:00:00Z';
  github.state.associate(TEST_PULL.repository, TEST_PULL.mergeSha, TEST_PULL.number);
}

/**
 * Makes TEST_PULL change every file under `workspace/<under>` (what GitHub's `pulls/{n}/files` then lists),
 * as a pull request adding those policies would: under scope `changed` all of them are planned.
 */
export function pullTouchesWorkspace(github: FakeGitHub, workspace: string, under = 'policies'): void {
  const files = (readdirSync(join(workspace, under), { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath: string; isFile(): boolean }>)
    .filter((e) => e.isFile())
    .map((e) => relative(workspace, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
  const pull = github.state.repo(TEST_PULL.repository).pulls.find((p) => p.number === TEST_PULL.number)!;
  pull.files = files.map((filename) => ({ filename, status: 'added' }));
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

/**
 * Runs the Action as the runner does: action.yml read and checked, the step's `with:` (`inputs`) and
 * action.yml's defaults turned into `INPUT_*`, then `runs.main` (the bundle) started with the event.
 */
export async function runAction(opts: {
  workspace: string;
  eventName: string;
  event: unknown;
  /** The step's `with:`; values may hold `${{ … }}` expressions, evaluated against `context`. */
  inputs: Record<string, string>;
  /** Expression contexts (`github.token` is what the `github-token` input defaults to). */
  context?: ExpressionContext;
  /** The step's `env:`. */
  env?: Record<string, string>;
  githubUrl: string;
  awsEndpoint: string;
  repository: string;
  sha: string;
  ref: string;
  /** Called with the whole stdout so far on each chunk, and whether the process had exited by then. */
  onStdout?: (stdoutSoFar: string, exited: boolean) => void;
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
  const manifest = loadActionManifest(join(repoRoot, 'action.yml'));
  const context: ExpressionContext = { ...opts.context, github: { event_name: opts.eventName, repository: opts.repository, sha: opts.sha, ref: opts.ref, token: '', ...opts.context?.github } };
  Object.assign(env, stepInputEnv(manifest, opts.inputs, context));
  const child = spawn(bundleNode, [manifest.main], { cwd: opts.workspace, env });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.on('exit', () => (exited = true));
  child.stdout.on('data', (d) => {
    stdout += d;
    opts.onStdout?.(stdout, exited);
  });
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputPath, 'utf8')), summary: readFileSync(summaryPath, 'utf8') };
}
