import { describe, expect, it } from 'vitest';
import { codePipelineClient } from '../../src/aws/codepipeline.js';
import { route53Client } from '../../src/aws/route53.js';
import type { AwsSettings } from '../../src/core/provider.js';

describe('SDK clients', () => {
  it('are made once per settings object, service and region, never shared between settings objects', async () => {
    const a: AwsSettings = { endpoint: 'http://127.0.0.1:1', credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'a' }) };
    const b: AwsSettings = { ...a, credentials: async () => ({ accessKeyId: 'B', secretAccessKey: 'b' }) };
    expect(route53Client(a)).toBe(route53Client(a));
    expect(route53Client(b)).not.toBe(route53Client(a));
    expect(codePipelineClient(a, 'eu-west-1')).toBe(codePipelineClient(a, 'eu-west-1'));
    expect(codePipelineClient(a, 'us-east-1')).not.toBe(codePipelineClient(a, 'eu-west-1'));
    expect(await codePipelineClient(a, 'us-east-1').config.region()).toBe('us-east-1');
    // Each cached client acts with its own settings' credentials.
    expect((await route53Client(b).config.credentials()).accessKeyId).toBe('B');
  });
});
