import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { assumeRoleSettings, roleSessionName } from '../../src/aws/assume-role.js';
import { clientConfig } from '../../src/aws/clients.js';
import type { AwsSettings } from '../../src/core/provider.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { stsSessions } from '../../src/sandbox/services/sts.js';
import { credentials, errorOf } from './helpers.js';

const ROLE = 'arn:aws:iam::111111111111:role/charter-warehouse';
const PROD = 'arn:aws:iam::222222222222:role/path/charter-prod';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const client = (creds = credentials) => new STSClient({ endpoint: sb!.endpoint, region: 'us-east-1', credentials: creds });

describe('sandbox STS', () => {
  it('AssumeRole hands out session credentials that GetCallerIdentity knows as the assumed role', async () => {
    sb = await startSandbox();
    const out = await client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'charter@octo+warehouse' }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111111111111:assumed-role/charter-warehouse/charter@octo+warehouse');
    const assumed = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken };
    const me = await client(assumed).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '111111111111', Arn: out.AssumedRoleUser?.Arn });
    expect((await client().send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::123456789012:user/sandbox');
  });

  it('validates the role ARN, the session name and the duration, and limits chained sessions to one hour', async () => {
    sb = await startSandbox();
    expect(await errorOf(client().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::1:role/x', RoleSessionName: 'ok-name' })))).toMatchObject({ name: 'ValidationError' });
    expect(await errorOf(client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'bad name!' })))).toMatchObject({ name: 'ValidationError' });
    expect(await errorOf(client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ok-name', DurationSeconds: 60 })))).toMatchObject({ name: 'ValidationError' });
    const first = await client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ok-name' }));
    const chained = client({ accessKeyId: first.Credentials!.AccessKeyId!, secretAccessKey: first.Credentials!.SecretAccessKey! });
    const err = await errorOf(chained.send(new AssumeRoleCommand({ RoleArn: PROD, RoleSessionName: 'ok-name', DurationSeconds: 7200 })));
    expect(err).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('role chaining') });
  });
});

describe('assumeRoleSettings', () => {
  it('assumes the repository role once, chains an account role from it, and names the repository in both sessions', async () => {
    sb = await startSandbox();
    const base: AwsSettings = { endpoint: sb.endpoint };
    const repo = assumeRoleSettings(base, ROLE, roleSessionName('octo-org/warehouse'));
    const prod = assumeRoleSettings(repo, PROD, roleSessionName('octo-org/warehouse'));
    const who = async (settings: AwsSettings) => (await new STSClient(clientConfig(settings, 'sts')).send(new GetCallerIdentityCommand({}))).Arn;
    expect(await who(repo)).toBe('arn:aws:sts::111111111111:assumed-role/charter-warehouse/charter@octo-org+warehouse');
    expect(await who(repo)).toBe('arn:aws:sts::111111111111:assumed-role/charter-warehouse/charter@octo-org+warehouse');
    expect(await who(prod)).toBe('arn:aws:sts::222222222222:assumed-role/charter-prod/charter@octo-org+warehouse');
    const sessions = stsSessions(sb.state);
    // The repository role is assumed once and reused; the account role is assumed with its credentials.
    expect(sessions.map((s) => s.roleArn)).toEqual([ROLE, PROD]);
    expect(sessions[1].callerAccessKeyId).toBe(sessions[0].accessKeyId);
  });

  it('keeps session names inside STS limits', () => {
    expect(roleSessionName('a'.repeat(39) + '/' + 'b'.repeat(100))).toHaveLength(64);
    expect(roleSessionName('octo/x.y_z')).toBe('charter@octo+x.y_z');
  });
});
