import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { awsRuntime } from '../aws/settings.js';
import { apply, applyRefusal, DEFAULT_CONCURRENCY, dryApply, importPolicies, MAX_CONCURRENCY, plan, validate } from '../core/engine.js';
import type { ApplyReport, Plan } from '../core/plan.js';
import { parseThresholdPercent, type SafetySettings } from '../core/safety.js';
import type { AwsSettings, BranchSource, Logger, RuntimeContext } from '../core/provider.js';
import { progressLines } from '../core/progress.js';
import { renderApplyReport, renderDiagnostics, renderDriftReport, renderPlan, VALIDATION_WORDING, VERIFY_WORDING, type OutputFormat } from '../core/render/index.js';
import { CHARTER_VERSION } from '../core/version.js';
import { parseConcurrency } from '../core/settings.js';
import { providers } from '../providers/index.js';
import { colourEnabled, colourise } from './colour.js';
import { commandUsage, commands, mainHelp, optionsOf, type CommandName } from './help.js';
import { serveSandbox } from './sandbox.js';
import { SKELETON_KINDS, SkeletonError, skeletonPolicy } from './import-skeleton.js';

/** Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify). */
export const EXIT = { ok: 0, failure: 1, changes: 2 } as const;

interface CommonOptions {
  format: OutputFormat;
  sandbox?: string;
  cwd: string;
  verbose?: boolean;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether a person can answer a question: standard input is a terminal (as Terraform decides). */
  interactive: boolean;
  /** Whether text output is coloured (a terminal, NO_COLOR and FORCE_COLOR decide; see colour.ts). */
  colour: boolean;
  /** Writes the question and resolves with one line typed in answer ('' on end of input or Ctrl-C). */
  ask: (question: string) => Promise<string>;
}

async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const controller = new AbortController();
  // Ctrl-C or Ctrl-D at the prompt is a "no", never an exception half-way through.
  rl.on('SIGINT', () => controller.abort());
  rl.on('close', () => controller.abort());
  try {
    return await rl.question(question, { signal: controller.signal });
  } catch {
    process.stdout.write('\n');
    return '';
  } finally {
    rl.close();
  }
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: Boolean(process.stdin.isTTY),
  colour: colourEnabled(process.stdout, process.env),
  ask: askOnTerminal,
};

function logger(io: Io, verbose: boolean | undefined): Logger {
  return {
    debug: (m) => {
      if (verbose || process.env.CHARTER_DEBUG) io.err(`debug: ${m}`);
    },
    info: (m) => io.err(m),
    warn: (m) => io.err(`warning: ${m}`),
  };
}

/** What to do when the default chain finds no credentials, on a developer's machine. */
export const CLI_CREDENTIALS_HELP =
  'Set AWS_PROFILE to a profile in ~/.aws/config (for SSO, run `aws sso login --profile NAME` first), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys); or plan against a simulated account with --sandbox FILE.';

/**
 * Runs `fn` with AWS settings: the default credential chain, or a sandbox started on loopback from a state
 * file (saved back when the command ends, so a later command sees what this one applied).
 */
async function withAws<T>(options: CommonOptions, fn: (aws: AwsSettings) => Promise<T>): Promise<T> {
  const endpoint = process.env.CHARTER_AWS_ENDPOINT;
  if (!options.sandbox) return fn(endpoint ? { endpoint } : { credentialsHelp: CLI_CREDENTIALS_HELP });
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ stateFile: options.sandbox, persist: true });
  try {
    return await fn({ endpoint: sandbox.endpoint });
  } finally {
    await sandbox.save();
    await sandbox.close();
  }
}

/**
 * Where BranchPipelines lists branches: GitHub with GITHUB_TOKEN (GITHUB_API_URL on GitHub Enterprise
 * Server), loaded only when a token is set. Locally the user decides which repositories a policy names.
 */
async function branchSource(): Promise<BranchSource | undefined> {
  const token = process.env.GITHUB_TOKEN;
  if (!token) return undefined;
  const [{ createGitHub }, { githubBranchSource }] = await Promise.all([import('../github/client.js'), import('../github/branches.js')]);
  return githubBranchSource(createGitHub({ token, baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' }));
}

async function runtimeFor(aws: AwsSettings, log: Logger): Promise<Omit<RuntimeContext, 'now' | 'readLocalFile'>> {
  const branches = await branchSource();
  return { ...awsRuntime(aws, log), ...(branches ? { branches } : {}) };
}

class UsageError extends Error {}

interface Parsed {
  command?: CommandName;
  paths: string[];
  options: CommonOptions & {
    out?: string;
    detailedExitcode?: boolean;
    dryApply?: boolean;
    repository?: string;
    pullRequest?: number;
    plan?: string;
    allowDestructive?: boolean;
    autoApprove?: boolean;
    /** Past the change threshold (--force) and the threshold itself (--change-threshold). */
    safety: SafetySettings;
    dnsServers?: string[];
    timeoutMs?: number;
    concurrency?: number;
    help?: boolean;
    version?: boolean;
    allowNoPolicies?: boolean;
    state?: string;
    port?: number;
    persist?: boolean;
    name?: string;
    domain?: string;
    zone?: string;
    bucket?: string;
    bucketRegion?: string;
    distribution?: string;
    group?: string[];
    adopt?: boolean;
  };
}

/** Node's own parser (util.parseArgs): no dependency to load on every start-up. */
function parse(argv: string[]): Parsed {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      format: { type: 'string' },
      sandbox: { type: 'string' },
      cwd: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      state: { type: 'string' },
      port: { type: 'string' },
      persist: { type: 'boolean' },
      'allow-no-policies': { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      name: { type: 'string' },
      domain: { type: 'string' },
      zone: { type: 'string' },
      bucket: { type: 'string' },
      'bucket-region': { type: 'string' },
      distribution: { type: 'string' },
      group: { type: 'string', multiple: true },
      adopt: { type: 'boolean' },
      'detailed-exitcode': { type: 'boolean' },
      'dry-apply': { type: 'boolean' },
      repository: { type: 'string' },
      'pull-request': { type: 'string' },
      plan: { type: 'string' },
      'allow-destructive': { type: 'boolean' },
      'auto-approve': { type: 'boolean' },
      force: { type: 'boolean' },
      'change-threshold': { type: 'string' },
      'dns-server': { type: 'string', multiple: true },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  const [first, ...paths] = positionals;
  if (first !== undefined && !commands.includes(first as CommandName)) throw new UsageError(`unknown command "${first}" (expected ${commands.join(', ')})`);
  const command = first as CommandName | undefined;
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || !command) continue;
    if (!optionsOf(command).includes(token.name)) throw new UsageError(`option --${token.name} does not apply to ${command}`);
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format: expected text, markdown or json, got "${format}"`);
  let pullRequest: number | undefined;
  if (values['pull-request'] !== undefined) {
    pullRequest = Number(values['pull-request']);
    if (!Number.isInteger(pullRequest) || pullRequest <= 0) throw new UsageError('--pull-request: expected a pull request number');
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout: expected a number of milliseconds');
  }
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    try {
      concurrency = parseConcurrency(values.concurrency, DEFAULT_CONCURRENCY, MAX_CONCURRENCY, '--concurrency');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new UsageError(`--port: expected a port number (0-65535), got "${values.port}"`);
  }
  let thresholdPercent: number | undefined;
  if (values['change-threshold'] !== undefined) {
    try {
      thresholdPercent = parseThresholdPercent(values['change-threshold'], '--change-threshold');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (values.persist && !values.state) throw new UsageError('--persist needs --state <file> to write to');
  const dnsServers = values['dns-server']?.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (dnsServers?.some((v) => v === '')) throw new UsageError('--dns-server: expected ip or ip:port');
  return {
    command,
    paths,
    options: {
      format,
      sandbox: values.sandbox,
      cwd: values.cwd ?? process.cwd(),
      verbose: values.verbose,
      help: values.help,
      version: values.version,
      state: values.state,
      port,
      persist: values.persist,
      allowNoPolicies: values['allow-no-policies'],
      out: values.out,
      detailedExitcode: values['detailed-exitcode'],
      dryApply: values['dry-apply'],
      repository: values.repository,
      pullRequest,
      plan: values.plan,
      allowDestructive: values['allow-destructive'],
      autoApprove: values['auto-approve'],
      safety: { force: Boolean(values.force), ...(thresholdPercent !== undefined ? { thresholdPercent } : {}) },
      dnsServers,
      timeoutMs,
      name: values.name,
      domain: values.domain,
      zone: values.zone,
      bucket: values.bucket,
      bucketRegion: values['bucket-region'],
      distribution: values.distribution,
      group: values.group?.flatMap((v) => v.split(',')).map((v) => v.trim()),
      adopt: values.adopt,
      concurrency,
    },
  };
}

async function runCommand(command: CommandName, paths: string[], options: Parsed['options'], io: Io): Promise<number> {
  const log = logger(io, options.verbose);
  // Text for a person: coloured on a terminal. JSON and Markdown are for machines and stay plain.
  const show = (text: string) => io.out(options.format === 'text' && io.colour ? colourise(text) : text);
  const allowNoPolicies = Boolean(options.allowNoPolicies);
  switch (command) {
    case 'validate': {
      const result = await validate({ cwd: options.cwd, paths, providers, allowNoPolicies });
      show(renderDiagnostics(result.diagnostics, options.format));
      return result.ok ? EXIT.ok : EXIT.failure;
    }
    case 'plan':
      if (options.dryApply) {
        return withAws(options, async (aws) => {
          const report = await dryApply({ cwd: options.cwd, paths, providers, allowNoPolicies, safety: options.safety, salt: { repository: options.repository, pullRequest: options.pullRequest }, runtime: await runtimeFor(aws, log) });
          if (options.out) await writeFile(options.out, `${JSON.stringify(report.plan, null, 2)}\n`);
          show(renderPlan(report.plan, options.format));
          io.err(dryApplySummary(report));
          return report.ok ? (options.detailedExitcode && report.plan.summary.total ? EXIT.changes : EXIT.ok) : EXIT.failure;
        });
      }
      return withAws(options, async (aws) => {
        const { plan: p } = await plan({ cwd: options.cwd, paths, providers, allowNoPolicies, safety: options.safety, salt: { repository: options.repository, pullRequest: options.pullRequest }, runtime: await runtimeFor(aws, log) });
        if (options.out) await writeFile(options.out, `${JSON.stringify(p, null, 2)}\n`);
        show(renderPlan(p, options.format));
        return p.summary.errors ? EXIT.failure : options.detailedExitcode && p.summary.total ? EXIT.changes : EXIT.ok;
      });
    case 'apply':
      return runApply(paths, options, { ...io, out: show }, log);
    case 'sandbox':
      if (paths.length) throw new UsageError('sandbox: takes no paths (the account is --state <file>)');
      return serveSandbox({ state: options.state, port: options.port ?? 0, persist: Boolean(options.persist) }, io);
    case 'drift':
      return withAws(options, async (aws) => {
        // Drift reports differences and applies nothing: the change threshold is apply's safety valve.
        const { plan: p } = await plan({ cwd: options.cwd, paths, providers, allowNoPolicies, safety: false, salt: {}, runtime: await runtimeFor(aws, log) });
        show(renderDriftReport(p, options.format));
        return p.summary.errors ? EXIT.failure : p.summary.total ? EXIT.changes : EXIT.ok;
      });
    case 'import':
      return runImport(paths, options, io, log);
    case 'verify': {
      // Loaded on demand, like the sandbox: validate never loads node:dns or node:https.
      const { verify } = await import('../providers/email/verify.js');
      // For tests only: a loopback HTTPS server stands in for port 443 (trust its CA with NODE_EXTRA_CA_CERTS).
      const httpsPort = process.env.CHARTER_VERIFY_HTTPS_PORT ? Number(process.env.CHARTER_VERIFY_HTTPS_PORT) : undefined;
      const result = await verify({ cwd: options.cwd, paths, providers, clientOptions: { dnsServers: options.dnsServers, timeoutMs: options.timeoutMs, httpsPort } });
      log.debug(`verified ${result.verified.length} EmailSecurity policies: ${result.verified.join(', ')}`);
      // Invalid policies are reported in validation's words; otherwise the findings are about live state.
      show(renderDiagnostics(result.diagnostics, options.format, result.invalid ? VALIDATION_WORDING : VERIFY_WORDING));
      return result.invalid || result.inconclusive ? EXIT.failure : result.differs ? EXIT.changes : EXIT.ok;
    }
  }
}

export const APPROVE_PROMPT = "Do you want to perform these actions?\n  Charter will apply the changes shown above. Only 'yes' will be accepted to approve.\n\n  Enter a value: ";

/**
 * `apply`: a saved plan (--plan) or --auto-approve applies without asking; otherwise, like Terraform, the
 * plan is shown and applied only when a person at the terminal answers `yes`, and without a terminal
 * nothing happens (a script that forgot the flag must not wait forever or apply unseen changes).
 */
async function runApply(paths: string[], options: Parsed['options'], io: Io, log: Logger): Promise<number> {
  const saved = options.plan ? (JSON.parse(await readFile(options.plan, 'utf8')) as Plan) : undefined;
  const ask = !saved && !options.autoApprove;
  if (ask && !io.interactive) {
    throw new UsageError('apply asks for confirmation and standard input is not a terminal: pass --auto-approve to apply without asking, or --plan FILE to apply a plan saved by plan --out');
  }
  if (ask && options.format === 'json') throw new UsageError('apply --format json cannot ask for confirmation: pass --auto-approve or --plan FILE');
  const allowDestructive = Boolean(options.allowDestructive);
  return withAws(options, async (aws) => {
    const engine = { cwd: options.cwd, paths, providers, allowNoPolicies: Boolean(options.allowNoPolicies), safety: options.safety, runtime: await runtimeFor(aws, log), allowDestructive };
    let expectedFingerprint = saved?.fingerprint;
    if (ask) {
      const { plan: shown } = await plan({ ...engine, salt: {} });
      io.out(renderPlan(shown, options.format));
      const refused = applyRefusal(shown, { allowDestructive });
      if (refused || !shown.changes.length) {
        // Nothing to confirm: the report says why nothing is applied (or that nothing needs to be).
        io.out(renderApplyReport({ plan: shown, results: shown.changes.map((c) => ({ address: c.address, status: 'not-attempted' })), ok: !refused, refused }, options.format));
        return refused ? EXIT.failure : EXIT.ok;
      }
      const answer = (await io.ask(APPROVE_PROMPT)).trim();
      if (answer !== 'yes') {
        io.out('Apply cancelled: nothing was applied.');
        return EXIT.failure;
      }
      // Exactly what was shown is applied: if live state moved while the question was open, apply refuses.
      expectedFingerprint = shown.fingerprint;
    }
    const report = await apply({ ...engine, salt: saved?.salt ?? {}, expectedFingerprint, execution: { concurrency: options.concurrency, onEvent: progressLines(io.err) } });
    // Refused for errors (an unset secret, an invalid policy): say which, at their lines.
    const errors = report.refused ? report.plan.diagnostics.filter((d) => d.severity === 'error') : [];
    if (errors.length && options.format !== 'json') io.err(renderDiagnostics(errors, options.format));
    io.out(renderApplyReport(report, options.format));
    return report.ok ? EXIT.ok : EXIT.failure;
  });
}

/**
 * `import <file>` fills in the policies of a file the user wrote (RedshiftGrants: connection and manage);
 * `import <Kind> --flag ...` starts from a policy built from the flags (import-skeleton.ts). Either way
 * the same engine step reads live state, and the result goes to stdout or --out.
 */
async function runImport(paths: string[], options: Parsed['options'], io: Io, log: Logger): Promise<number> {
  if (paths.length !== 1) throw new UsageError(`import: expected exactly one policy file or kind (${SKELETON_KINDS.join(', ')})`);
  if (options.group?.some((g) => g === '')) throw new UsageError('--group: expected a protection group id');
  const kind = SKELETON_KINDS.find((k) => k === paths[0]);
  const flags = { name: options.name, domain: options.domain, zone: options.zone, bucket: options.bucket, bucketRegion: options.bucketRegion, distribution: options.distribution };
  if (!kind) {
    const given = Object.entries(flags).find(([, v]) => v !== undefined);
    if (given) throw new UsageError(`--${given[0] === 'bucketRegion' ? 'bucket-region' : given[0]} applies to import <Kind> (${SKELETON_KINDS.join(', ')}); a policy file says it itself`);
  }
  if (kind === 'EmailSecurity' && (options.group || options.adopt)) throw new UsageError(`--${options.group ? 'group' : 'adopt'} applies to import ProtectionGroups, not EmailSecurity`);
  let cwd = options.cwd;
  let file = paths[0];
  let scratch: string | undefined;
  if (kind) {
    let text: string;
    try {
      text = skeletonPolicy(kind, flags);
    } catch (error) {
      if (error instanceof SkeletonError) throw new UsageError(error.message);
      throw error;
    }
    // The engine reads policies from files (confined to a root): the built policy gets a scratch directory of its own.
    scratch = await mkdtemp(join(tmpdir(), 'charter-import-'));
    cwd = scratch;
    file = `${kind}.yml`;
    await writeFile(join(scratch, file), text);
  }
  try {
    return await withAws(options, async (aws) => {
      const result = await importPolicies({ cwd, file, providers, runtime: await runtimeFor(aws, log), importOptions: { groups: options.group, adoptUnowned: options.adopt } });
      if (result.text === undefined) {
        // Positions then point into the policy the flags built (printed, so they can be followed).
        if (kind) io.err(`charter: the flags describe a policy that is not valid:\n${await readFile(join(cwd, file), 'utf8')}`);
        io.err(renderDiagnostics(result.diagnostics, options.format));
        return EXIT.failure;
      }
      for (const warning of result.warnings) io.err(`warning: ${warning}`);
      for (const notice of result.notices) io.err(`notice: ${notice}`);
      if (options.out) await writeFile(options.out, result.text);
      else io.out(result.text);
      return EXIT.ok;
    });
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** One paragraph on what dry-apply proved: every change succeeded and was rolled back, or where it failed. */
function dryApplySummary(report: ApplyReport): string {
  if (report.refused) return `Dry-apply refused: ${report.refused}`;
  if (!report.plan.changes.length) return 'Dry-apply: nothing to execute.';
  const failed = report.results.find((r) => r.status === 'failed');
  if (!failed) return `Dry-apply: all ${report.plan.changes.length} change(s) executed inside a transaction and were rolled back; nothing changed.`;
  return `Dry-apply failed at ${failed.address}: ${failed.error ?? 'unknown error'}\nThe transaction was rolled back; nothing changed.`;
}

/** `<command> ` when argv names a known command, for the pointer to its help. */
function commandPrefix(argv: string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first && commands.includes(first as CommandName) ? `${first} ` : '';
}

/** In-process callers (tests) may pass only out and err: such a caller is not a terminal and answers nothing. */
export async function main(argv: string[], given: Pick<Io, 'out' | 'err'> & Partial<Io> = defaultIo): Promise<number> {
  const io: Io = { interactive: false, colour: false, ask: async () => '', ...given };
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`charter: ${(error as Error).message}\nRun charter ${commandPrefix(argv)}--help for usage.`);
    return EXIT.failure;
  }
  if (parsed.options.version) {
    io.out(`charter ${CHARTER_VERSION}`);
    return EXIT.ok;
  }
  if (parsed.options.help) {
    io.out(parsed.command ? commandUsage(parsed.command) : mainHelp(providers.map((p) => p.kind)));
    return EXIT.ok;
  }
  if (!parsed.command) {
    io.err(mainHelp(providers.map((p) => p.kind)));
    return EXIT.failure;
  }
  try {
    return await runCommand(parsed.command, parsed.paths, parsed.options, io);
  } catch (error) {
    const usage = error instanceof UsageError ? `\nRun charter ${parsed.command} --help for usage.` : '';
    io.err(`charter: ${(error as Error).message ?? String(error)}${usage}`);
    return EXIT.failure;
  }
}
