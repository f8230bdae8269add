import { describe, expect, it } from 'vitest';
import { checkChangeBatchLimits, normalizeName, zoneForDomain } from '../../src/aws/route53.js';

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
