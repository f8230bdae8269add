/**
 * The CLI's usage text, from one table: `charter --help` lists the commands and the options every command
 * takes; `charter <command> --help` shows that command's usage and only the options it accepts.
 */

export const commands = ['validate', 'plan', 'apply', 'drift', 'verify', 'import', 'sandbox'] as const;
export type CommandName = (typeof commands)[number];

interface OptionHelp {
  /** `--name <value>` as shown. */
  usage: string;
  text: string;
}

const options: Record<string, OptionHelp> = {
  format: { usage: '--format <format>', text: 'text, markdown or json (default: text)' },
  sandbox: { usage: '--sandbox <file>', text: 'use a simulated AWS account kept in this JSON state file (docs/sandbox.md)' },
  cwd: { usage: '--cwd <dir>', text: 'directory policy paths are relative to (default: the current directory)' },
  verbose: { usage: '--verbose', text: 'print debug logs to stderr' },
  'allow-no-policies': { usage: '--allow-no-policies', text: 'reading no policy file is fine (else an error: a mistyped path must not pass as "no changes"); a named path matching nothing is an error regardless' },
  help: { usage: '-h, --help', text: 'show this help' },
  version: { usage: '--version', text: "print Charter's version" },
  out: { usage: '-o, --out <file>', text: 'plan: write the plan as JSON (for apply --plan); import: write the policy there instead of stdout' },
  name: { usage: '--name <name>', text: 'import <Kind>: metadata.name of the new policy (EmailSecurity default: the domain with hyphens; ProtectionGroups: required, it is the charter:policy tag of its groups)' },
  domain: { usage: '--domain <domain>', text: 'import EmailSecurity: the mail domain whose records are read' },
  zone: { usage: '--zone <id>', text: 'import EmailSecurity: Route 53 hosted zone id (default: the public zone that is the longest suffix of the domain)' },
  bucket: { usage: '--bucket <name>', text: 'import EmailSecurity: S3 bucket holding the MTA-STS policy file and BIMI assets (with --distribution)' },
  'bucket-region': { usage: '--bucket-region <region>', text: 'import EmailSecurity: region of --bucket (default: us-east-1)' },
  distribution: { usage: '--distribution <id>', text: 'import EmailSecurity: CloudFront distribution serving --bucket for mta-sts.<domain> (and the BIMI assets host)' },
  group: { usage: '--group <id>', text: 'import ProtectionGroups: also import this group whoever owns it (repeatable or comma-separated); adopting it tags it charter:policy=<name> on the first apply' },
  adopt: { usage: '--adopt', text: 'import ProtectionGroups: also import every group no Charter policy owns (no charter:policy tag); the first plan shows the tag each one gets' },
  'detailed-exitcode': { usage: '--detailed-exitcode', text: 'exit 2 when there are changes' },
  'dry-apply': { usage: '--dry-apply', text: 'also execute the plan inside a transaction and roll it back (database policies over a connection URL), proving it would apply; nothing changes' },
  repository: { usage: '--repository <owner/name>', text: 'salt the fingerprint like the GitHub Action does' },
  'pull-request': { usage: '--pull-request <number>', text: 'salt the fingerprint like the GitHub Action does' },
  plan: { usage: '--plan <file>', text: 'a plan saved by plan --out: applied without asking, and refused when policies or live state changed' },
  'allow-destructive': { usage: '--allow-destructive', text: 'allow destructive and disruptive changes' },
  concurrency: { usage: '--concurrency <n>', text: 'groups of changes applied at the same time, 1 to 64 (default: 8; 1 applies one after another)' },
  force: { usage: '--force', text: 'go past the change threshold: a plan updating or deleting more than --change-threshold of what a policy owns is refused without it' },
  'change-threshold': { usage: '--change-threshold <percent>', text: 'share of the live things a policy owns (at least 10) that a plan may update, or delete, without --force (default: 30)' },
  'auto-approve': { usage: '--auto-approve', text: 'apply without asking (needed without a terminal, unless --plan is given)' },
  'dns-server': { usage: '--dns-server <ip[:port]>', text: "DNS server to ask (repeatable or comma-separated; default: the system's)" },
  timeout: { usage: '--timeout <ms>', text: 'limit for each DNS lookup and HTTPS request (default: 5000)' },
  state: { usage: '--state <file>', text: 'the account to serve, a JSON state file (default: an empty account)' },
  port: { usage: '--port <n>', text: 'port on 127.0.0.1 to listen on (default: any free port)' },
  persist: { usage: '--persist', text: 'write every change back to the --state file' },
};

/** Options every policy command accepts. */
export const commonOptions = ['format', 'sandbox', 'cwd', 'verbose', 'allow-no-policies', 'help', 'version'];

interface CommandHelp {
  usage: string;
  summary: string;
  /** Options beyond the common ones. */
  options: readonly string[];
  /** False for commands that read no policy (the common policy options do not apply). */
  policies: boolean;
}

export const commandHelp: Record<CommandName, CommandHelp> = {
  validate: { usage: 'validate [paths...]', summary: 'check policies against their schemas and rules (no AWS access)', options: [], policies: true },
  plan: { usage: 'plan [paths...]', summary: 'compare policies with live AWS and print the changes apply would make', options: ['out', 'detailed-exitcode', 'repository', 'pull-request', 'dry-apply', 'force', 'change-threshold'], policies: true },
  apply: {
    usage: 'apply [paths...]',
    summary: 'show the plan and apply it once you answer yes (with --plan, apply a saved plan only if it still has the saved fingerprint; --auto-approve, apply without asking)',
    options: ['plan', 'allow-destructive', 'auto-approve', 'force', 'change-threshold', 'concurrency'],
    policies: true,
  },
  drift: { usage: 'drift [paths...]', summary: 'report differences between policies and live AWS (exit 2 when there is drift)', options: [], policies: true },
  verify: {
    usage: 'verify [paths...]',
    summary: 'check what the internet sees for EmailSecurity policies: DNS records, MX and the MTA-STS policy and BIMI files over HTTPS (exit 2 when live differs; docs/verify.md)',
    options: ['dns-server', 'timeout'],
    policies: true,
  },
  import: {
    usage: 'import <file|Kind>',
    summary:
      'write a policy from live state whose first plan is empty. import <file>: fill in the policies of <file> (RedshiftGrants: connection and manage kept, identity providers, roles, users and privileges from the database; EmailSecurity: domain, hostedZoneId and hosting kept, records from Route 53; ProtectionGroups: prune kept, groups from Shield; PackagePublishing: format, domain, repository and regions kept, description, external connection, tags and the named pipeline from every region, adopt: true for an untagged setup). import EmailSecurity --domain D [--zone ID] [--bucket B --distribution ID]: DMARC, BIMI, MTA-STS and TLS-RPT from the zone, the MTA-STS policy file from the bucket, the certificate from ACM. import ProtectionGroups --name N [--group ID...] [--adopt]: the groups policy N owns, plus those named or adopted (adopted groups get the charter:policy tag on the first apply; the plan shows it). What a policy cannot express is printed as a warning naming the record or group',
    options: ['out', 'name', 'domain', 'zone', 'bucket', 'bucket-region', 'distribution', 'group', 'adopt'],
    policies: true,
  },
  sandbox: {
    usage: 'sandbox',
    summary: 'serve a simulated AWS account on 127.0.0.1 until stopped and print its endpoint on the first line (point the Action at it with CHARTER_AWS_ENDPOINT, the AWS CLI with --endpoint-url)',
    options: ['state', 'port', 'persist'],
    policies: false,
  },
};

/** The options `command` accepts. */
export function optionsOf(command: CommandName): string[] {
  const own = commandHelp[command];
  return [...(own.policies ? commonOptions : ['help', 'version']), ...own.options];
}

const ENVIRONMENT = "Environment: GITHUB_TOKEN (and GITHUB_API_URL) lets BranchPipelines policies list their repository's branches.";
const EXIT_CODES = 'Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify).';

/** Wraps `text` to `width` columns, continuation lines indented by `indent`. Linear in the text. */
function wrap(text: string, indent: number, width = 110): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function optionLines(names: readonly string[]): string {
  const col = 30;
  return names.map((n) => `  ${options[n].usage.padEnd(col - 2)}${wrap(options[n].text, col)}`).join('\n');
}

export function mainHelp(kinds: string[]): string {
  const col = 24;
  const list = commands.map((c) => `  ${commandHelp[c].usage.padEnd(col - 2)}${wrap(commandHelp[c].summary, col)}`).join('\n');
  return `Usage: charter <command> [paths...] [options]

Policy-as-code for the AWS things teams still wire by hand. Policy kinds: ${kinds.join(', ')}.
Paths are policy files, directories or globs (default: policies/).

Commands:
${list}

Options of every policy command:
${optionLines(commonOptions)}

Run charter <command> --help for a command's own options.
${ENVIRONMENT}
${EXIT_CODES}
`;
}

export function commandUsage(command: CommandName): string {
  const own = commandHelp[command];
  const common = own.policies ? commonOptions : ['help', 'version'];
  return `Usage: charter ${own.usage} [options]

${wrap(own.summary, 0)}
${own.options.length ? `\nOptions:\n${optionLines(own.options)}\n` : ''}
${own.policies ? 'Options of every policy command' : 'Also'}:
${optionLines(common)}
${own.policies ? `\n${ENVIRONMENT}\n${EXIT_CODES}\n` : ''}`;
}
