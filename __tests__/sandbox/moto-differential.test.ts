/**
 * The pipeline half of the sandbox against an independent simulator: the same calls through Charter's SDK
 * wrappers go to moto_server (moto 5) and to the sandbox, and the answers Charter relies on must agree.
 * Skipped with a notice where moto_server is absent, unless CHARTER_REQUIRE_ALL=1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cb from '../../src/aws/codebuild.js';
import * as cp from '../../src/aws/codepipeline.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { credentials } from './helpers.js';

const hasMoto = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
if (!hasMoto) {
  if (process.env.CHARTER_REQUIRE_ALL === '1') throw new Error('moto_server is required (CHARTER_REQUIRE_ALL=1) but was not found');
  console.warn('NOTICE: moto_server not found; skipping the CodePipeline/CodeBuild differential test');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`moto_server did not start at ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const declaration = (name: string): cp.PipelineDeclaration =>
  ({
    name,
    roleArn: 'arn:aws:iam::123456789012:role/pipeline',
    pipelineType: 'V2',
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'GitHub',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            configuration: { ConnectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc', FullRepositoryId: 'acme/pkg', BranchName: 'main' },
            outputArtifacts: [{ name: 'src' }],
            runOrder: 1,
          },
        ],
      },
      {
        name: 'Publish',
        actions: ['a', 'b'].map((n) => ({
          name: `Publish-${n}`,
          runOrder: 1,
          actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
          configuration: { ProjectName: `publish-${n}` },
          inputArtifacts: [{ name: 'src' }],
        })),
      },
    ],
  }) as cp.PipelineDeclaration;

/** The action fields CodePipeline fills in (runOrder 1, empty artifact lists) compared as AWS returns them. */
function actionsOf(d: cp.PipelineDeclaration | undefined): unknown {
  return d?.stages?.map((s) => [s.name, s.actions?.map((a) => [a.name, a.runOrder ?? 1, a.actionTypeId?.category])]);
}

/** What Charter reads back, in a form both simulators must agree on. */
async function scenario(endpoint: string): Promise<unknown> {
  const settings = { endpoint, credentials, maxAttempts: 1, requestsPerSecond: { codepipeline: 1000, codebuild: 1000 } };
  const pipes = cp.codePipelineClient(settings, 'us-east-1');
  const builds = cb.codeBuildClient(settings, 'us-east-1');
  const out: Record<string, unknown> = {};
  await cp.createPipeline(pipes, declaration('packages'), { 'charter:policy': 'pkg' });
  const created = await cp.getPipeline(pipes, 'packages');
  out.created = { version: created?.declaration.version, stages: actionsOf(created?.declaration) };
  out.tags = await cp.listTags(pipes, created!.arn);
  const changed = declaration('packages');
  changed.stages![1].actions!.push({ ...changed.stages![1].actions![0], name: 'Publish-c', configuration: { ProjectName: 'publish-c' } });
  await cp.updatePipeline(pipes, changed);
  const updated = await cp.getPipeline(pipes, 'packages');
  out.updated = { version: updated?.declaration.version, actions: updated?.declaration.stages?.[1].actions?.map((a) => a.name) };
  await cp.tagPipeline(pipes, created!.arn, { team: 'a' });
  await cp.untagPipeline(pipes, created!.arn, ['charter:policy']);
  out.retagged = await cp.listTags(pipes, created!.arn);
  out.listed = (await cp.listPipelines(pipes)).map((p) => p.name);
  out.missing = await cp.getPipeline(pipes, 'nope');
  await cp.deletePipeline(pipes, 'packages');
  out.afterDelete = (await cp.listPipelines(pipes)).map((p) => p.name);

  await cb.createProject(builds, {
    name: 'replicate',
    // moto wants a source location for every type (AWS only for S3 and repositories), so both get one.
    source: { type: 'S3', location: 'sources/pkg.zip', buildspec: 'version: 0.2' },
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
    serviceRole: 'arn:aws:iam::123456789012:role/build',
  });
  const projects = await cb.getProjects(builds, ['replicate', 'absent']);
  out.projects = [...projects.values()].map((p) => [p.name, p.environment?.image]);
  out.projectNames = await cb.listProjectNames(builds);
  out.duplicate = await cb.createProject(builds, { name: 'replicate', source: { type: 'S3', location: 'sources/pkg.zip' }, artifacts: { type: 'NO_ARTIFACTS' }, environment: { type: 'LINUX_CONTAINER', image: 'i', computeType: 'BUILD_GENERAL1_SMALL' }, serviceRole: 'arn:aws:iam::123456789012:role/build' }).then(
    () => 'created',
    (e: Error) => e.name,
  );
  await cb.deleteProject(builds, 'replicate');
  out.projectsAfterDelete = await cb.listProjectNames(builds);
  return out;
}

/**
 * moto 5 answers CodePipeline timestamps (`created`, `updated` in GetPipeline's metadata and ListPipelines) as ISO
 * strings; AWS and the API model use epoch seconds, which is what the SDK parses (and the sandbox sends). This
 * loopback proxy in front of moto converts them, so the rest of each answer is compared as the SDK reads it.
 */
function epochProxy(target: string): Promise<{ url: string; server: Server }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
      fetch(target + (req.url ?? '/'), { method: req.method, headers, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) })
        .then(async (r) => {
          let text = await r.text();
          if (String(req.headers['x-amz-target'] ?? '').startsWith('CodePipeline_')) {
            text = text.replace(/"(created|updated)": "([^"]+)"/g, (_m, k: string, iso: string) => `"${k}": ${Date.parse(iso) / 1000}`);
          }
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch((e: Error) => {
          res.writeHead(502);
          res.end(e.message);
        });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

/** moto (like AWS) checks that CodePipeline and CodeBuild may assume the role; the sandbox has no IAM. */
async function createRoles(url: string): Promise<void> {
  for (const [name, service] of [['pipeline', 'codepipeline'], ['build', 'codebuild']]) {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: `${service}.amazonaws.com` }, Action: 'sts:AssumeRole' }] });
    const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: policy });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDSANDBOX/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
      body,
    });
    if (!res.ok) throw new Error(`moto CreateRole ${name}: ${res.status} ${await res.text()}`);
  }
}

describe.skipIf(!hasMoto)('sandbox and moto_server agree on the pipeline calls', () => {
  let moto: ChildProcess | undefined;
  let motoUrl = '';
  let sb: Sandbox | undefined;
  let proxy: Server | undefined;
  beforeAll(async () => {
    const port = await freePort();
    motoUrl = `http://127.0.0.1:${port}`;
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await waitFor(motoUrl, 20_000);
    await createRoles(motoUrl);
    const p = await epochProxy(motoUrl);
    proxy = p.server;
    motoUrl = p.url;
    sb = await startSandbox();
  }, 30_000);
  afterAll(async () => {
    proxy?.close();
    moto?.kill();
    await sb?.close();
  });

  it('create, read, update, tag, list and delete give the same answers', async () => {
    const fromMoto = await scenario(motoUrl);
    const fromSandbox = await scenario(sb!.endpoint);
    expect(fromSandbox).toEqual(fromMoto);
  }, 60_000);
});
