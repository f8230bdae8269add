import { describe, expect, it } from 'vitest';
import { changeRecordSets, checkChangeBatchLimits, normalizeName, route53Client, zoneForDomain } from '../../src/aws/route53.js';
import { awsRuntime } from '../../src/aws/settings.js';
import { quietLog, startExampleSandbox } from '../helpers/aws.js';

const txt = (action: 'CREATE' | 'UPSERT' | 'DELETE', values: string[]) => ({
  Action: action,
  ResourceRecordSet: { Name: 'a.example.com.', Type: 'TXT' as const, TTL: 300, ResourceRecords: values.map((Value) => ({ Value })) },
});

describe('Route 53 helpers', () => {
  it('accepts batches within the documented limits', () => {
    expect(() => checkChangeBatchLimits([txt('CREATE', Array.from({ length: 1000 }, () => '"x"'))])).not.toThrow();
    expect(() => checkChangeBatchLimits([txt('CREATE', ['"' + 'a'.repeat(31_998) + '"'])])).not.toThrow();
  });

  it('rejects more than 1000 records or 32,000 characters, UPSERT counting twice', () => {
    expect(() => checkChangeBatchLimits([txt('CREATE', Array.from({ length: 1001 }, () => '"x"'))])).toThrow(/1001 resource records/);
    expect(() => checkChangeBatchLimits([txt('UPSERT', Array.from({ length: 501 }, () => '"x"'))])).toThrow(/1002 resource records/);
    expect(() => checkChangeBatchLimits([txt('UPSERT', ['"' + 'a'.repeat(15_999) + '"'])])).toThrow(/32002 value characters/);
  });

  it('normalises names as Route 53 returns them', () => {
    expect(normalizeName('\\052.Example.COM')).toBe('*.example.com.');
    expect(normalizeName('example.com.')).toBe('example.com.');
  });

  it('picks the public zone with the longest matching suffix', () => {
    const zones = [
      { id: 'Z1', name: 'example.com.', private: false },
      { id: 'Z2', name: 'brand.example.com.', private: false },
      { id: 'Z3', name: 'mail.brand.example.com.', private: true },
    ];
    expect(zoneForDomain(zones, 'mail.brand.example.com')?.id).toBe('Z2');
    expect(zoneForDomain(zones, 'example.com')?.id).toBe('Z1');
    expect(zoneForDomain(zones, 'notexample.com')).toBeUndefined();
  });
});

describe('changeRecordSets against the sandbox', () => {
  it('submits batches to one zone back to back while earlier ones are PENDING, and rides out PriorRequestNotComplete bursts', async () => {
    const sb = await startExampleSandbox();
    try {
      sb.state.settings.route53.changeInsyncAfterPolls = 2;
      const settings = awsRuntime({ endpoint: sb.endpoint, requestsPerSecond: { route53: 1000 } }, quietLog).aws;
      const client = route53Client(settings);
      const waits = { pollIntervalMs: 20, waitTimeoutMs: 5000 };
      const change = (name: string) => [{ Action: 'CREATE' as const, ResourceRecordSet: { Name: `${name}.example.net.`, Type: 'TXT' as const, TTL: 300, ResourceRecords: [{ Value: `"${name}"` }] } }];
      // Both in flight at once: the second is accepted while the first is PENDING (no PriorRequestNotComplete).
      await Promise.all([changeRecordSets(client, 'Z0EXAMPLENET01', change('one'), 't', waits), changeRecordSets(client, 'Z0EXAMPLENET01', change('two'), 't', waits)]);
      expect(sb.stats.count('route53', 'ChangeResourceRecordSets')).toBe(2);
      // A burst inside the processing window is refused, then retried until it goes through.
      sb.state.settings.route53.changeProcessingMs = 150;
      await Promise.all([changeRecordSets(client, 'Z0EXAMPLENET01', change('three'), 't', waits), changeRecordSets(client, 'Z0EXAMPLENET01', change('four'), 't', waits)]);
      expect(sb.stats.count('route53', 'ChangeResourceRecordSets')).toBeGreaterThan(4);
      const names = sb.state.route53.hostedZones.find((z) => z.id === 'Z0EXAMPLENET01')!.records.map((r) => r.name);
      expect(names).toEqual(expect.arrayContaining(['one.example.net.', 'two.example.net.', 'three.example.net.', 'four.example.net.']));
    } finally {
      await sb.close();
    }
  });
});
