// The main job end to end on the sandbox: validate → plan (printed as the PR comment) → apply →
// re-plan shows no changes → a manual edit in the "console" → drift is reported.
// Uses the committed bundle (dist/cli.js) and a copy of policies/examples/sandbox-account.json.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'charter-demo-'));
const state = join(dir, 'account.json');
const planFile = join(dir, 'plan.json');
copyFileSync('policies/examples/sandbox-account.json', state);

// The RedshiftGrants example's identity provider reads its client secret from this variable, as a workflow
// would pass it from a repository secret. Charter never prints it.
const env = { ...process.env, AAD_CLIENT_SECRET: process.env.AAD_CLIENT_SECRET ?? 'demo-client-secret' };

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
function charter(title, args, expectCode = 0) {
  console.log(`\n${bold(`━━ ${title}`)}\n$ charter ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', env });
  process.stdout.write(run.stdout);
  if (run.stderr.trim()) process.stdout.write(run.stderr);
  console.log(`(exit code ${run.status})`);
  if (run.status !== expectCode) {
    console.error(`demo: expected exit code ${expectCode} from charter ${args[0]}, got ${run.status}`);
    process.exit(1);
  }
  return run;
}

const sandbox = ['--sandbox', state];
charter('1. Validate the example policies (no AWS access)', ['validate', 'policies/examples']);
charter('2. Plan against the sandbox account, shown as the pull request comment', ['plan', 'policies/examples', ...sandbox, '--format', 'markdown', '--out', planFile, '--detailed-exitcode'], 2);
charter('3. Apply without approval: the risk gate refuses the disruptive DMARC change', ['apply', 'policies/examples', ...sandbox, '--plan', planFile], 1);
charter('4. Apply exactly the reviewed plan, with approval', ['apply', 'policies/examples', ...sandbox, '--plan', planFile, '--allow-destructive']);
charter('5. Plan again: nothing to do', ['plan', 'policies/examples', ...sandbox, '--detailed-exitcode']);

// Someone edits the zone by hand: the TLS-RPT address is changed in the console.
const account = JSON.parse(readFileSync(state, 'utf8'));
const zone = account.route53.hostedZones.find((z) => z.name === 'example.net.');
const tlsrpt = zone.records.find((r) => r.name === '_smtp._tls.example.net.' && r.type === 'TXT');
tlsrpt.values = ['"v=TLSRPTv1; rua=mailto:someone-else@example.org"'];
writeFileSync(state, JSON.stringify(account, null, 2));
console.log(`\n${bold('━━ 6. A manual edit: _smtp._tls.example.net now sends reports to someone-else@example.org')}`);

charter('7. Drift check (exit code 2: drift found)', ['drift', 'policies/examples', ...sandbox], 2);
console.log(`\nDemo finished. Sandbox state: ${state}`);
