/**
 * `charter import` for EmailSecurity and ProtectionGroups: live state written as a policy whose first plan
 * is empty (or, when adopting protection groups, only the ownership tags, shown in the plan). The bundled
 * CLI as a process against the sandbox: import → validate → plan → apply → plan again.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { bundleNode, EXAMPLE_SECRETS, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function charter(args: string[], cwd: string): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(bundleNode, [join(repoRoot, 'dist/cli.js'), ...args], { cwd, env: { ...process.env, ...EXAMPLE_SECRETS, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A scratch repository with the sandbox state file next to it. */
function workspace(state: unknown): { repo: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), 'charter-import-test-'));
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  const file = join(dir, 'state.json');
  writeFileSync(file, JSON.stringify(state, null, 2));
  return { repo, state: file };
}

const exampleState = () => JSON.parse(readFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), 'utf8')) as Record<string, unknown>;

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const examples = (file: string): Doc[] => parseAllDocuments(readFileSync(join(repoRoot, 'policies/examples', file), 'utf8')).map((d) => d.toJS() as Doc);

/** Imports, checks the result validates, and returns it with the import's notices. */
async function importPolicy(ws: { repo: string; state: string }, file: string, args: string[]): Promise<{ doc: Doc; notices: string }> {
  const run = await charter(['import', ...args, '--sandbox', ws.state, '-o', file], ws.repo);
  expect(run.code, run.stderr).toBe(0);
  const validate = await charter(['validate', file], ws.repo);
  expect(validate.code, validate.stdout + validate.stderr).toBe(0);
  return { doc: parse(readFileSync(join(ws.repo, file), 'utf8')) as Doc, notices: run.stderr };
}

async function planExit(ws: { repo: string; state: string }, file: string): Promise<Run> {
  return charter(['plan', file, '--detailed-exitcode', '--sandbox', ws.state], ws.repo);
}

describe('round trip from the example policies', () => {
  it('apply every EmailSecurity and ProtectionGroups example to the example account, import each, and each import plans empty', async () => {
    const ws = workspace(exampleState());
    for (const file of ['testing-mode.yml', 'enforce-with-bimi.yml', 'protection-groups.yml', 'assets/logo.svg', 'assets/vmc.pem']) {
      mkdirSync(join(ws.repo, 'examples', 'assets'), { recursive: true });
      copyFileSync(join(repoRoot, 'policies/examples', file), join(ws.repo, 'examples', file));
    }
    const applied = await charter(['apply', 'examples/testing-mode.yml', 'examples/enforce-with-bimi.yml', 'examples/protection-groups.yml', '--auto-approve', '--allow-destructive', '--sandbox', ws.state], ws.repo);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    // EmailSecurity, from flags: the same spec as the example, BIMI assets named by the URL they are served at.
    const net = await importPolicy(ws, 'example-net.yml', ['EmailSecurity', '--domain', 'example.net', '--bucket', 'example-net-mail-policies', '--distribution', 'E1EXAMPLENET']);
    const [netExample] = examples('testing-mode.yml');
    expect(net.doc.metadata.name).toBe('example-net');
    // The example spells out hosting.certificate: true, the default, which import leaves out.
    const { certificate, ...netHosting } = netExample.spec.hosting as Record<string, unknown>;
    expect(certificate).toBe(true);
    expect(net.doc.spec).toEqual({ ...netExample.spec, hosting: netHosting });
    expect((await planExit(ws, 'example-net.yml')).code).toBe(0);

    const brand = await importPolicy(ws, 'brand.yml', ['EmailSecurity', '--domain', 'brand.example.com', '--bucket', 'brand-example-email-assets', '--distribution', 'E2BRANDEXAMPLE', '--name', 'brand-example-com']);
    const [brandExample] = examples('enforce-with-bimi.yml');
    const { bimi, ...rest } = brandExample.spec as { bimi: Record<string, unknown> };
    expect(brand.doc.spec).toEqual({
      ...rest,
      bimi: { logo: { url: 'https://bimi-assets.brand.example.com/logo.svg' }, certificate: { url: 'https://bimi-assets.brand.example.com/vmc.pem' } },
    });
    expect(bimi.selector).toBe('default'); // the default selector is left out of the import
    expect(brand.notices).toContain("BIMI logo https://bimi-assets.brand.example.com/logo.svg is on the hosting distribution's assets host");
    expect((await planExit(ws, 'brand.yml')).code).toBe(0);

    // import <file> on each example file itself gives back the example: the same spec, local assets kept.
    for (const file of ['testing-mode.yml', 'enforce-with-bimi.yml']) {
      const run = await charter(['import', `examples/${file}`, '--sandbox', ws.state, '-o', `examples/${file}`], ws.repo);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('cannot be written');
      expect(examples(file).map((d) => d.spec)).toEqual(parseAllDocuments(readFileSync(join(ws.repo, 'examples', file), 'utf8')).map((d) => (d.toJS() as Doc).spec));
      expect((await planExit(ws, `examples/${file}`)).code).toBe(0);
    }

    // ProtectionGroups: each example policy's groups come back under its name; nobody else's.
    for (const example of examples('protection-groups.yml')) {
      const file = `${example.metadata.name}.yml`;
      const imported = await importPolicy(ws, file, ['ProtectionGroups', '--name', example.metadata.name]);
      const groups = (example.spec.groups as Array<Record<string, unknown>>).map((g) => ({ ...g, ...(g.members ? { members: [...(g.members as string[])].sort() } : {}), tags: g.tags ?? {} }));
      expect(imported.doc.spec).toEqual({ groups });
      expect(imported.notices).toContain('no Charter policy owns were left out: ops-elastic-ips');
      const plan = await planExit(ws, file);
      expect(plan.code, plan.stdout).toBe(0);
    }
    // import <file> on the example file (three policies): each keeps its groups and prune, and plans empty.
    const inPlace = await charter(['import', 'examples/protection-groups.yml', '--sandbox', ws.state, '-o', 'examples/protection-groups.yml'], ws.repo);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    const after = parseAllDocuments(readFileSync(join(ws.repo, 'examples/protection-groups.yml'), 'utf8')).map((d) => d.toJS() as Doc);
    expect(after.map((d) => [d.metadata.name, d.spec.prune, (d.spec.groups as Array<{ id: string }>).map((g) => g.id)])).toEqual(
      examples('protection-groups.yml').map((d) => [d.metadata.name, d.spec.prune, (d.spec.groups as Array<{ id: string }>).map((g) => g.id)]),
    );
    expect((await planExit(ws, 'examples/protection-groups.yml')).code).toBe(0);
    const crowded = await charter(['import', 'examples/protection-groups.yml', '--adopt', '--sandbox', ws.state], ws.repo);
    expect(crowded.code).toBe(1);
    expect(crowded.stderr).toContain('--group and --adopt choose groups for one policy, and examples/protection-groups.yml holds 3 ProtectionGroups policies');
  });
});

/** An account whose records, policy file and groups a policy cannot all write as they are. */
function awkwardAccount(): Record<string, unknown> {
  const state = exampleState();
  (state.route53 as { hostedZones: unknown[] }).hostedZones.push({
    id: 'Z0EXAMPLEORG01',
    name: 'example.org',
    records: [
      { name: 'example.org', type: 'MX', ttl: 300, values: ['10 mx.example.org.'] },
      { name: '_dmarc.example.org', type: 'TXT', ttl: 300, txt: ['v=DMARC1; p=quarantine; fo=1; rua=mailto:agg@example.org!10m'] },
      { name: 'default._bimi.example.org', type: 'TXT', ttl: 300, txt: ['v=BIMI1; l=https://assets.example.org/logo.svg; a=; x=1'] },
      { name: '_mta-sts.example.org', type: 'TXT', ttl: 300, txt: ['v=STSv1; id=20240101'] },
      { name: '_smtp._tls.example.org', type: 'TXT', ttl: 300, txt: ['v=TLSRPTv1; rua=mailto:tls@example.org'] },
      { name: 'mta-sts.example.org', type: 'CNAME', ttl: 300, values: ['d9org.cloudfront.net'] },
    ],
  });
  (state.s3 as { buckets: Record<string, unknown> }).buckets['example-org-policies'] = {
    region: 'us-east-1',
    objects: { '.well-known/mta-sts.txt': { text: 'version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 86400\n', contentType: 'text/plain' } },
  };
  (state.cloudfront as { distributions: unknown[] }).distributions.push({ id: 'E9EXAMPLEORG', domainName: 'd9org.cloudfront.net', aliases: ['mta-sts.example.org'] });
  const shield = state.shield as { protectionGroups: unknown[] };
  shield.protectionGroups.push(
    { id: 'edge-owned', aggregation: 'MAX', pattern: 'BY_RESOURCE_TYPE', resourceType: 'CLOUDFRONT_DISTRIBUTION', tags: [{ key: 'charter:policy', value: 'edge' }, { key: 'team', value: 'web' }] },
    { id: 'other-team', aggregation: 'MEAN', pattern: 'ALL', tags: [{ key: 'charter:policy', value: 'other' }] },
  );
  return state;
}

describe('EmailSecurity values a policy cannot write', () => {
  it('are each a warning naming the record, the first plan changes exactly those, and after apply the plan is empty', async () => {
    const ws = workspace(awkwardAccount());
    const { doc, notices } = await importPolicy(ws, 'org.yml', ['EmailSecurity', '--domain', 'example.org', '--bucket', 'example-org-policies', '--distribution', 'E9EXAMPLEORG']);
    expect(doc.spec).toEqual({
      domain: 'example.org',
      hosting: { bucket: 'example-org-policies', distributionId: 'E9EXAMPLEORG', certificate: false },
      ttl: 300,
      dmarc: { policy: 'quarantine', rua: ['mailto:agg@example.org'] },
      bimi: { logo: { url: 'https://assets.example.org/logo.svg' } },
      mtaSts: { mode: 'testing', mx: ['mx.example.org'], maxAge: 86400 },
      tlsRpt: { rua: ['mailto:tls@example.org'] },
    });
    expect(notices).toContain('warning: EmailSecurity/example-org: _dmarc.example.org. TXT: fo=1 cannot be written by a policy');
    expect(notices).toContain('_dmarc.example.org. TXT: rua address mailto:agg@example.org!10m has a report size limit (!10m)');
    expect(notices).toContain('default._bimi.example.org. TXT: x=1 cannot be written by a policy');
    expect(notices).toContain('_mta-sts.example.org. TXT: live "v=STSv1; id=20240101" cannot be written exactly by a policy');
    expect(notices).toContain('.well-known/mta-sts.txt: the live file is laid out differently');
    expect(notices).toContain('notice: EmailSecurity/example-org: no ACM certificate in us-east-1 covers exactly mta-sts.example.org; hosting.certificate is false');
    expect(notices).not.toContain('_smtp._tls.example.org.');

    const first = await charter(['plan', 'org.yml', '--format', 'json', '--sandbox', ws.state], ws.repo);
    const addresses = (JSON.parse(first.stdout) as { changes: Array<{ address: string }> }).changes.map((c) => c.address).sort();
    expect(addresses).toEqual([
      'email/example-org/cloudfront/E9EXAMPLEORG/invalidation',
      'email/example-org/route53/TXT/_dmarc.example.org.',
      'email/example-org/route53/TXT/_mta-sts.example.org.',
      'email/example-org/route53/TXT/default._bimi.example.org.',
      'email/example-org/s3/example-org-policies/.well-known/mta-sts.txt',
    ]);
    const applied = await charter(['apply', 'org.yml', '--auto-approve', '--allow-destructive', '--sandbox', ws.state], ws.repo);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await planExit(ws, 'org.yml')).code).toBe(0);
    // Imported again, the live values are now exactly the policy's: nothing left to announce.
    const again = await importPolicy(ws, 'org-again.yml', ['EmailSecurity', '--domain', 'example.org', '--bucket', 'example-org-policies', '--distribution', 'E9EXAMPLEORG']);
    expect(again.doc.spec).toEqual(doc.spec);
    expect(again.notices).not.toContain('cannot be written');
  });

  it('without hosting, MTA-STS is left out and the notice says how to import it', async () => {
    const ws = workspace(awkwardAccount());
    const { doc, notices } = await importPolicy(ws, 'org.yml', ['EmailSecurity', '--domain', 'example.org', '--zone', 'Z0EXAMPLEORG01', '--name', 'org']);
    expect(doc.spec.hostedZoneId).toBe('Z0EXAMPLEORG01');
    expect(doc.metadata.name).toBe('org');
    expect(doc.spec.mtaSts).toBeUndefined();
    expect(notices).toContain('_mta-sts.example.org. TXT exists, but its mode, mx and max_age are in the policy file');
  });
});

describe('ProtectionGroups ownership', () => {
  it('imports only the policy own groups unless others are named or adopted; adopting is a tag change shown in the plan', async () => {
    const ws = workspace(awkwardAccount());
    const own = await importPolicy(ws, 'edge.yml', ['ProtectionGroups', '--name', 'edge']);
    expect(own.doc.spec).toEqual({ groups: [{ id: 'edge-owned', aggregation: 'MAX', pattern: 'BY_RESOURCE_TYPE', resourceType: 'CLOUDFRONT_DISTRIBUTION', tags: { team: 'web' } }] });
    expect(own.notices).toContain('1 protection group(s) no Charter policy owns were left out: ops-elastic-ips; name each with --group ID, or pass --adopt');
    expect(own.notices).toContain('1 protection group(s) of policy other were left out: other-team');
    expect((await planExit(ws, 'edge.yml')).code).toBe(0);

    const adopted = await importPolicy(ws, 'edge.yml', ['ProtectionGroups', '--name', 'edge', '--adopt']);
    expect((adopted.doc.spec.groups as Array<{ id: string }>).map((g) => g.id)).toEqual(['edge-owned', 'ops-elastic-ips']);
    expect(adopted.notices).toContain('adopting 1 group(s): ops-elastic-ips');
    const plan = await charter(['plan', 'edge.yml', '--format', 'json', '--sandbox', ws.state], ws.repo);
    const changes = (JSON.parse(plan.stdout) as { changes: Array<{ address: string; after: unknown; risk: string }> }).changes;
    expect(changes).toEqual([expect.objectContaining({ address: 'shield/edge/protection-group/ops-elastic-ips/tags', after: { 'charter:policy': 'edge' }, risk: 'safe' })]);
    const applied = await charter(['apply', 'edge.yml', '--auto-approve', '--sandbox', ws.state], ws.repo);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await planExit(ws, 'edge.yml')).code).toBe(0);
    const state = JSON.parse(readFileSync(ws.state, 'utf8')) as { shield: { protectionGroups: Array<{ id: string; tags: Array<{ key: string; value?: string }> }> } };
    expect(state.shield.protectionGroups.find((g) => g.id === 'ops-elastic-ips')?.tags).toContainEqual({ key: 'charter:policy', value: 'edge' });

    // Another policy's group only when named, with a notice that the plan moves it.
    const named = await importPolicy(ws, 'edge.yml', ['ProtectionGroups', '--name', 'edge', '--group', 'other-team']);
    expect((named.doc.spec.groups as Array<{ id: string }>).map((g) => g.id)).toEqual(['edge-owned', 'ops-elastic-ips', 'other-team']);
    expect(named.notices).toContain('protection group other-team belongs to policy other (charter:policy=other); the first plan moves it to edge');
  });

  it('import <file> keeps prune and the groups the file lists; a named group that does not exist is an error', async () => {
    const ws = workspace(awkwardAccount());
    writeFileSync(join(ws.repo, 'edge.yml'), '# Edge groups\napiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: edge\nspec:\n  prune: true\n  groups: []\n');
    const run = await charter(['import', 'edge.yml', '--sandbox', ws.state, '--out', 'edge.yml'], ws.repo);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(join(ws.repo, 'edge.yml'), 'utf8');
    expect(text.startsWith('# Edge groups\n')).toBe(true);
    expect((parse(text) as Doc).spec).toEqual({ prune: true, groups: [expect.objectContaining({ id: 'edge-owned' })] });
    expect((await planExit(ws, 'edge.yml')).code).toBe(0);

    const wrongBucket = await charter(['import', 'EmailSecurity', '--domain', 'example.org', '--bucket', 'no-such-bucket', '--distribution', 'E9EXAMPLEORG', '--sandbox', ws.state], ws.repo);
    expect(wrongBucket.code).toBe(1);
    expect(wrongBucket.stderr).toContain('S3 bucket no-such-bucket does not exist in us-east-1');
    const wrongZone = await charter(['import', 'EmailSecurity', '--domain', 'example.org', '--zone', 'Z0EXAMPLENET01', '--sandbox', ws.state], ws.repo);
    expect(wrongZone.stderr).toContain('Hosted zone Z0EXAMPLENET01 (example.net.) cannot hold records for example.org');

    const missing = await charter(['import', 'ProtectionGroups', '--name', 'edge', '--group', 'nope', '--sandbox', ws.state], ws.repo);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No protection group nope in this account');
  });
});

describe('command line', () => {
  it('--help documents both shapes and their flags; misplaced flags are usage errors', async () => {
    const help = await charter(['import', '--help'], repoRoot);
    expect(help.code).toBe(0);
    for (const flag of ['--domain <domain>', '--zone <id>', '--bucket <name>', '--distribution <id>', '--name <name>', '--group <id>', '--adopt', '-o, --out <file>']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toContain('import ProtectionGroups --name N');

    const noDomain = await charter(['import', 'EmailSecurity'], repoRoot);
    expect(noDomain.code).toBe(1);
    expect(noDomain.stderr).toContain('import EmailSecurity needs --domain <domain>');
    const badDomain = await charter(['import', 'EmailSecurity', '--domain', 'not a domain'], repoRoot);
    expect(badDomain.code).toBe(1);
    expect(badDomain.stderr).toContain('the flags describe a policy that is not valid');
    expect(badDomain.stderr).toContain('spec.domain does not have the expected format');
    const noName = await charter(['import', 'ProtectionGroups'], repoRoot);
    expect(noName.stderr).toContain('import ProtectionGroups needs --name <policy name>');
    const fileWithDomain = await charter(['import', 'policies/examples/redshift-rbac.yml', '--domain', 'example.com'], repoRoot);
    expect(fileWithDomain.code).toBe(1);
    expect(fileWithDomain.stderr).toContain('--domain applies to import <Kind>');
    const zoneForGroups = await charter(['import', 'ProtectionGroups', '--name', 'x', '--zone', 'Z1'], repoRoot);
    expect(zoneForGroups.stderr).toContain('--zone applies to import EmailSecurity');
    const adoptForEmail = await charter(['import', 'EmailSecurity', '--domain', 'example.com', '--adopt'], repoRoot);
    expect(adoptForEmail.code).toBe(1);
    expect(adoptForEmail.stderr).toContain('--adopt applies to import ProtectionGroups');
  });
});
