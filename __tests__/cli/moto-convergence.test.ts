/**
 * Convergence on an independent simulator: moto_server (moto 5) is seeded with the example account
 * (zones with MX and DMARC records, the hosting buckets, the CloudFront distributions) and the email
 * examples run through the real CLI: plan → apply → re-plan is empty; a record changed behind Charter's
 * back then shows as drift. Skipped with a notice where moto_server is absent, unless CHARTER_REQUIRE_ALL=1.
 *
 * Where moto departs from AWS, the setup works around moto and says so; Charter follows AWS:
 * - moto reports CloudFront invalidations as `COMPLETED`; AWS documents `Completed`. A loopback proxy in
 *   front of moto rewrites that one value.
 * - moto generates distribution ids; the example policies name the demo account's ids, so the copied
 *   policies are pointed at moto's ids.
 * - moto issues ACM certificates after MOTO_ACM_VALIDATION_WAIT seconds whether or not the validation
 *   records exist (ACM waits for them); it is set to 1 s.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListHostedZonesCommand, Route53Client, type RRType } from '@aws-sdk/client-route-53';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleNode, copyExamples, exampleAccount, repoRoot } from '../helpers/aws.js';
import { hasMoto, requireMotoOrSkip, startMoto, type Moto } from '../helpers/moto.js';

requireMotoOrSkip('the email convergence test on moto');

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const EXAMPLES = ['policies/examples/testing-mode.yml', 'policies/examples/enforce-with-bimi.yml'];
const credentials = { accessKeyId: 'AKIDMOTO', secretAccessKey: 'moto' };

interface DemoAccount {
  route53: { hostedZones: { name: string; records?: { name: string; type: string; ttl?: number; values?: string[] }[] }[] };
  s3: { buckets: Record<string, unknown> };
  cloudfront: { distributions: { id: string; domainName: string; aliases: string[] }[] };
}

/** Forwards to moto; CloudFront invalidation statuses are rewritten from moto's COMPLETED to AWS's Completed. */
function statusProxy(target: number): Promise<Server> {
  const server = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        let body = Buffer.concat(chunks);
        const headers = { ...up.headers };
        if ((req.url ?? '').includes('/invalidation')) {
          body = Buffer.from(body.toString('utf8').replace(/<Status>COMPLETED<\/Status>/g, '<Status>Completed</Status>'), 'utf8');
          headers['content-length'] = String(body.length);
        }
        res.writeHead(up.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    upstream.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The demo account in moto; returns the demo distribution id → moto's id. */
async function seed(endpoint: string): Promise<Map<string, string>> {
  const account = exampleAccount() as DemoAccount;
  const config = { endpoint, region: 'us-east-1', credentials };
  const r53 = new Route53Client(config);
  for (const [i, zone] of account.route53.hostedZones.entries()) {
    const created = await r53.send(new CreateHostedZoneCommand({ Name: zone.name, CallerReference: `seed-${i}` }));
    const changes = (zone.records ?? [])
      .filter((r) => r.type !== 'SOA' && r.type !== 'NS')
      .map((r) => ({ Action: 'CREATE' as const, ResourceRecordSet: { Name: r.name, Type: r.type as RRType, TTL: r.ttl ?? 300, ResourceRecords: (r.values ?? []).map((Value) => ({ Value })) } }));
    if (changes.length > 0) await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: created.HostedZone!.Id, ChangeBatch: { Changes: changes } }));
  }
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  for (const bucket of Object.keys(account.s3.buckets)) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const cloudfront = new CloudFrontClient(config);
  const ids = new Map<string, string>();
  for (const d of account.cloudfront.distributions) {
    const origin = { Id: 'bucket', DomainName: `${d.id.toLowerCase()}.s3.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } };
    const out = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: d.id,
          Aliases: { Quantity: d.aliases.length, Items: d.aliases },
          Origins: { Quantity: 1, Items: [origin] },
          DefaultCacheBehavior: { TargetOriginId: 'bucket', ViewerProtocolPolicy: 'redirect-to-https', MinTTL: 0, ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } }, TrustedSigners: { Enabled: false, Quantity: 0 } },
          Comment: '',
          Enabled: true,
        },
      }),
    );
    ids.set(d.id, out.Distribution!.Id!);
  }
  return ids;
}

describe.skipIf(!hasMoto)('email examples converge on moto through the CLI', () => {
  let moto: Moto | undefined;
  let proxy: Server | undefined;
  let endpoint = '';
  let cwd = '';

  beforeAll(async () => {
    moto = await startMoto({ env: { MOTO_ACM_VALIDATION_WAIT: '1' }, startTimeoutMs: 30_000 });
    const ids = await seed(moto.direct);
    proxy = await statusProxy(Number(new URL(moto.direct).port));
    endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    cwd = copyExamples();
    for (const file of EXAMPLES) {
      const path = join(cwd, file);
      let text = readFileSync(path, 'utf8');
      for (const [demo, real] of ids) text = text.replaceAll(`distributionId: ${demo}`, `distributionId: ${real}`);
      writeFileSync(path, text);
    }
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await moto?.close();
  });

  async function charter(args: string[]) {
    const env = { ...process.env, CHARTER_AWS_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' };
    try {
      const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('plan → apply → re-plan is empty; a record changed behind Charter shows as drift', async () => {
    const planned = await charter(['plan', ...EXAMPLES, '--detailed-exitcode']);
    expect(planned.code, planned.stdout + planned.stderr).toBe(2);
    expect(planned.stdout).toContain('_mta-sts.example.net.');

    const applied = await charter(['apply', ...EXAMPLES, '--allow-destructive']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const again = await charter(['plan', ...EXAMPLES, '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes/);

    // Behind Charter's back: someone edits the TLS-RPT record in moto.
    const r53 = new Route53Client({ endpoint, region: 'us-east-1', credentials });
    const zone = (await r53.send(new ListHostedZonesCommand({}))).HostedZones!.find((z) => z.Name === 'example.net.')!;
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.Id,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: '_smtp._tls.example.net.', Type: 'TXT', TTL: 3600, ResourceRecords: [{ Value: '"v=TLSRPTv1; rua=mailto:someone@example.org"' }] } }] },
      }),
    );
    const drift = await charter(['drift', ...EXAMPLES]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain('_smtp._tls.example.net.');
  }, 180_000);
});
