import { readFile, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { awsRuntime } from '../aws/settings.js';
import { apply, plan, validate } from '../core/engine.js';
import type { Plan } from '../core/plan.js';
import type { AwsSettings, Logger } from '../core/provider.js';
import { renderApplyReport, renderDiagnostics, renderDriftReport, renderPlan, type OutputFormat } from '../core/render.js';
import { providers } from '../providers/index.js';

/** Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode) or drift. */
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

function parseFormat(value: string): OutputFormat {
  if (value === 'text' || value === 'markdown' || value === 'json') return value;
  throw new InvalidArgumentError('expected text, markdown or json');
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('charter')
    .description('Policy-as-code for email security records, package publishing, branch pipelines, Shield protection groups and Redshift grants.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();

  const common = (cmd: Command) =>
    cmd
      .addOption(new Option('--format <format>', 'output format: text, markdown or json').default('text').argParser(parseFormat))
      .option('--sandbox <file>', 'use a simulated AWS account kept in this JSON state file (see docs/sandbox.md)')
      .option('--cwd <dir>', 'directory policy paths are relative to', process.cwd())
      .option('--verbose', 'print debug logs to stderr');

  common(program.command('validate').argument('[paths...]', 'policy files, directories or globs (default: policies/)'))
    .description('Check policies against their schemas and rules. No AWS access.')
    .action(async (paths: string[], options: CommonOptions) => {
      const result = await validate({ cwd: options.cwd, paths, providers });
      io.out(renderDiagnostics(result.diagnostics, options.format));
      code = result.ok ? EXIT.ok : EXIT.failure;
    });

  common(program.command('plan').argument('[paths...]', 'policy files, directories or globs (default: policies/)'))
    .description('Compare policies with live AWS and print the changes apply would make.')
    .option('--out <file>', 'write the plan as JSON (for apply --plan)')
    .option('--detailed-exitcode', 'exit 2 when there are changes')
    .option('--repository <owner/name>', 'salt the fingerprint like the GitHub Action does')
    .option('--pull-request <number>', 'salt the fingerprint like the GitHub Action does', (v) => Number.parseInt(v, 10))
    .action(async (paths: string[], options: CommonOptions & { out?: string; detailedExitcode?: boolean; repository?: string; pullRequest?: number }) => {
      await withAws(options, async (aws) => {
        const { plan: p } = await plan({
          cwd: options.cwd,
          paths,
          providers,
          salt: { repository: options.repository, pullRequest: options.pullRequest },
          runtime: awsRuntime(aws, logger(io, options.verbose)),
        });
        if (options.out) await writeFile(options.out, `${JSON.stringify(p, null, 2)}\n`);
        io.out(renderPlan(p, options.format));
        code = p.summary.errors ? EXIT.failure : options.detailedExitcode && p.summary.total ? EXIT.changes : EXIT.ok;
      });
    });

  common(program.command('apply').argument('[paths...]', 'policy files, directories or globs (default: policies/)'))
    .description('Apply the plan. With --plan, only if the recomputed plan still has the saved fingerprint.')
    .option('--plan <file>', 'a plan saved by `plan --out`; refuse when live state or policies changed since')
    .option('--allow-destructive', 'allow destructive and disruptive changes')
    .action(async (paths: string[], options: CommonOptions & { plan?: string; allowDestructive?: boolean }) => {
      const saved = options.plan ? (JSON.parse(await readFile(options.plan, 'utf8')) as Plan) : undefined;
      await withAws(options, async (aws) => {
        const report = await apply({
          cwd: options.cwd,
          paths,
          providers,
          salt: saved?.salt ?? {},
          runtime: awsRuntime(aws, logger(io, options.verbose)),
          allowDestructive: Boolean(options.allowDestructive),
          expectedFingerprint: saved?.fingerprint,
        });
        io.out(renderApplyReport(report, options.format));
        code = report.ok ? EXIT.ok : EXIT.failure;
      });
    });

  common(program.command('drift').argument('[paths...]', 'policy files, directories or globs (default: policies/)'))
    .description('Report differences between policies and live AWS. Exit 2 when there is drift.')
    .action(async (paths: string[], options: CommonOptions) => {
      await withAws(options, async (aws) => {
        const { plan: p } = await plan({ cwd: options.cwd, paths, providers, salt: {}, runtime: awsRuntime(aws, logger(io, options.verbose)) });
        io.out(renderDriftReport(p, options.format));
        code = p.summary.errors ? EXIT.failure : p.summary.total ? EXIT.changes : EXIT.ok;
      });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string };
    if (e.code?.startsWith('commander.')) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.failure;
    io.err(`charter: ${e.message ?? String(error)}`);
    return EXIT.failure;
  }
  return code;
}
