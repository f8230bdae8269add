import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { awsRuntime } from '../aws/settings.js';
import { apply, dryApply, importPolicies, plan, validate } from '../core/engine.js';
import type { ApplyReport, Plan } from '../core/plan.js';
import type { AwsSettings, BranchSource, Logger, RuntimeContext } from '../core/provider.js';
import { renderApplyReport, renderDiagnostics, renderDriftReport, renderPlan, VALIDATION_WORDING, VERIFY_WORDING, type OutputFormat } from '../core/render.js';
import { providers } from '../providers/index.js';

/** Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify). */
export const EXIT = { ok: 0, failure: 1, changes: 2 } as const;

interface CommonOptions {
  format: OutputFormat;
  sandbox?: string;
  cwd: string;
  verbose?: boolean;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
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

/**
 * Runs `fn` with AWS settings: the default credential chain, or a sandbox started on loopback from a state
 * file (saved back when the command ends, so a later command sees what this one applied).
 */
async function withAws<T>(options: CommonOptions, fn: (aws: AwsSettings) => Promise<T>): Promise<T> {
  const endpoint = process.env.CHARTER_AWS_ENDPOINT;
  if (!options.sandbox) return fn(endpoint ? { endpoint } : {});
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

const HELP = `Usage: charter <command> [paths...] [options]

Policy-as-code for the AWS things teams still wire by hand. Policy kinds: ${providers.map((p) => p.kind).join(', ')}.
Paths are policy files, directories or globs (default: policies/).

Commands:
  validate [paths...]   check policies against their schemas and rules (no AWS access)
  plan [paths...]       compare policies with live AWS and print the changes apply would make
  apply [paths...]      apply the plan (with --plan, only if it still has the saved fingerprint)
  drift [paths...]      report differences between policies and live AWS (exit 2 when there is drift)
  verify [paths...]     check what the internet sees for EmailSecurity policies: DNS records, MX and the
                        MTA-STS policy and BIMI files over HTTPS (exit 2 when live differs; docs/verify.md)
  import <file>         read a live database and fill in the RedshiftGrants policies of <file> (connection
                        and manage kept; identity providers, roles, users and privileges written from live)

Options:
  --format <format>          text, markdown or json (default: text)
  --sandbox <file>           use a simulated AWS account kept in this JSON state file (docs/sandbox.md)
  --cwd <dir>                directory policy paths are relative to (default: the current directory)
  --verbose                  print debug logs to stderr
  --allow-no-policies        reading no policy file is fine (else an error: a mistyped path must not pass
                             as "no changes"); a named path matching nothing is an error regardless
  --out <file>               plan: write the plan as JSON (for apply --plan); import: write the policy
                             there instead of stdout
  --detailed-exitcode        plan: exit 2 when there are changes
  --dry-apply                plan: also execute the plan inside a transaction and roll it back (database
                             policies over a connection URL), proving it would apply; nothing changes
  --repository <owner/name>  plan: salt the fingerprint like the GitHub Action does
  --pull-request <number>    plan: salt the fingerprint like the GitHub Action does
  --plan <file>              apply: a plan saved by plan --out; refuse when policies or live state changed
  --allow-destructive        apply: allow destructive and disruptive changes
  --dns-server <ip[:port]>   verify: DNS server to ask (repeatable or comma-separated; default: the system's)
  --timeout <ms>             verify: limit for each DNS lookup and HTTPS request (default: 5000)
  -h, --help                 show this help

Environment: GITHUB_TOKEN (and GITHUB_API_URL) lets BranchPipelines policies list their repository's branches.

Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify).
`;

const commands = ['validate', 'plan', 'apply', 'drift', 'verify', 'import'] as const;
type CommandName = (typeof commands)[number];

/** Options each command accepts, beyond the common ones. */
const commandOptions: Record<CommandName, readonly string[]> = {
  validate: [],
  plan: ['out', 'detailed-exitcode', 'repository', 'pull-request', 'dry-apply'],
  apply: ['plan', 'allow-destructive'],
  drift: [],
  verify: ['dns-server', 'timeout'],
  import: ['out'],
};
const commonOptions = ['format', 'sandbox', 'cwd', 'verbose', 'help', 'allow-no-policies'];

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
    dnsServers?: string[];
    timeoutMs?: number;
    help?: boolean;
    allowNoPolicies?: boolean;
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
      'allow-no-policies': { type: 'boolean' },
      out: { type: 'string' },
      'detailed-exitcode': { type: 'boolean' },
      'dry-apply': { type: 'boolean' },
      repository: { type: 'string' },
      'pull-request': { type: 'string' },
      plan: { type: 'string' },
      'allow-destructive': { type: 'boolean' },
      'dns-server': { type: 'string', multiple: true },
      timeout: { type: 'string' },
    },
  });
  const [first, ...paths] = positionals;
  if (first !== undefined && !commands.includes(first as CommandName)) throw new UsageError(`unknown command "${first}" (expected ${commands.join(', ')})`);
  const command = first as CommandName | undefined;
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || !command) continue;
    if (!commonOptions.includes(token.name) && !commandOptions[command].includes(token.name)) throw new UsageError(`option --${token.name} does not apply to ${command}`);
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
      allowNoPolicies: values['allow-no-policies'],
      out: values.out,
      detailedExitcode: values['detailed-exitcode'],
      dryApply: values['dry-apply'],
      repository: values.repository,
      pullRequest,
      plan: values.plan,
      allowDestructive: values['allow-destructive'],
      dnsServers,
      timeoutMs,
    },
  };
}

async function runCommand(command: CommandName, paths: string[], options: Parsed['options'], io: Io): Promise<number> {
  const log = logger(io, options.verbose);
  const allowNoPolicies = Boolean(options.allowNoPolicies);
  switch (command) {
    case 'validate': {
      const result = await validate({ cwd: options.cwd, paths, providers, allowNoPolicies });
      io.out(renderDiagnostics(result.diagnostics, options.format));
      return result.ok ? EXIT.ok : EXIT.failure;
    }
    case 'plan':
      if (options.dryApply) {
        return withAws(options, async (aws) => {
          const report = await dryApply({ cwd: options.cwd, paths, providers, allowNoPolicies, salt: { repository: options.repository, pullRequest: options.pullRequest }, runtime: await runtimeFor(aws, log) });
          if (options.out) await writeFile(options.out, `${JSON.stringify(report.plan, null, 2)}\n`);
          io.out(renderPlan(report.plan, options.format));
          io.err(dryApplySummary(report));
          return report.ok ? (options.detailedExitcode && report.plan.summary.total ? EXIT.changes : EXIT.ok) : EXIT.failure;
        });
      }
      return withAws(options, async (aws) => {
        const { plan: p } = await plan({ cwd: options.cwd, paths, providers, allowNoPolicies, salt: { repository: options.repository, pullRequest: options.pullRequest }, runtime: await runtimeFor(aws, log) });
        if (options.out) await writeFile(options.out, `${JSON.stringify(p, null, 2)}\n`);
        io.out(renderPlan(p, options.format));
        return p.summary.errors ? EXIT.failure : options.detailedExitcode && p.summary.total ? EXIT.changes : EXIT.ok;
      });
    case 'apply': {
      const saved = options.plan ? (JSON.parse(await readFile(options.plan, 'utf8')) as Plan) : undefined;
      return withAws(options, async (aws) => {
        const report = await apply({
          cwd: options.cwd,
          paths,
          providers,
          allowNoPolicies,
          salt: saved?.salt ?? {},
          runtime: await runtimeFor(aws, log),
          allowDestructive: Boolean(options.allowDestructive),
          expectedFingerprint: saved?.fingerprint,
        });
        io.out(renderApplyReport(report, options.format));
        return report.ok ? EXIT.ok : EXIT.failure;
      });
    }
    case 'drift':
      return withAws(options, async (aws) => {
        const { plan: p } = await plan({ cwd: options.cwd, paths, providers, allowNoPolicies, salt: {}, runtime: await runtimeFor(aws, log) });
        io.out(renderDriftReport(p, options.format));
        return p.summary.errors ? EXIT.failure : p.summary.total ? EXIT.changes : EXIT.ok;
      });
    case 'import': {
      if (paths.length !== 1) throw new UsageError('import: expected exactly one policy file');
      return withAws(options, async (aws) => {
        const result = await importPolicies({ cwd: options.cwd, file: paths[0], providers, runtime: await runtimeFor(aws, log) });
        if (result.text === undefined) {
          io.err(renderDiagnostics(result.diagnostics, options.format));
          return EXIT.failure;
        }
        for (const notice of result.notices) io.err(`notice: ${notice}`);
        if (options.out) await writeFile(options.out, result.text);
        else io.out(result.text);
        return EXIT.ok;
      });
    }
    case 'verify': {
      // Loaded on demand, like the sandbox: validate never loads node:dns or node:https.
      const { verify } = await import('../providers/email/verify.js');
      // For tests only: a loopback HTTPS server stands in for port 443 (trust its CA with NODE_EXTRA_CA_CERTS).
      const httpsPort = process.env.CHARTER_VERIFY_HTTPS_PORT ? Number(process.env.CHARTER_VERIFY_HTTPS_PORT) : undefined;
      const result = await verify({ cwd: options.cwd, paths, providers, clientOptions: { dnsServers: options.dnsServers, timeoutMs: options.timeoutMs, httpsPort } });
      log.debug(`verified ${result.verified.length} EmailSecurity policies: ${result.verified.join(', ')}`);
      // Invalid policies are reported in validation's words; otherwise the findings are about live state.
      io.out(renderDiagnostics(result.diagnostics, options.format, result.invalid ? VALIDATION_WORDING : VERIFY_WORDING));
      return result.invalid || result.inconclusive ? EXIT.failure : result.differs ? EXIT.changes : EXIT.ok;
    }
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

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`charter: ${(error as Error).message}\nRun charter --help for usage.`);
    return EXIT.failure;
  }
  if (parsed.options.help || !parsed.command) {
    (parsed.command || parsed.options.help ? io.out : io.err)(HELP);
    return parsed.options.help ? EXIT.ok : EXIT.failure;
  }
  try {
    return await runCommand(parsed.command, parsed.paths, parsed.options, io);
  } catch (error) {
    io.err(`charter: ${(error as Error).message ?? String(error)}`);
    return EXIT.failure;
  }
}
