import { describe, expect, it } from 'vitest';
import { validate } from '../../src/core/engine.js';
import { providers } from '../../src/providers/index.js';
import { alb, distribution, policy, policyDir } from './helpers.js';

async function check(groups: string, extra = '') {
  const cwd = policyDir({ 'p.yml': policy('p', groups, extra) });
  const result = await validate({ cwd, paths: ['p.yml'], providers });
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, line: d.line, column: d.column, message: d.message, hint: d.hint }));
}

const group = (lines: string) => `    - id: g1\n${lines}`;

describe('protection-groups.schema.json', () => {
  it('accepts the three patterns written correctly', async () => {
    expect(await check(group(`      aggregation: SUM\n      pattern: ALL\n`))).toEqual([]);
    expect(await check(group(`      aggregation: MAX\n      pattern: BY_RESOURCE_TYPE\n      resourceType: CLOUDFRONT_DISTRIBUTION\n`))).toEqual([]);
    expect(await check(group(`      aggregation: MEAN\n      pattern: ARBITRARY\n      members: [${alb('a')}, ${alb('b')}]\n`))).toEqual([]);
  });

  it('resourceType: required with BY_RESOURCE_TYPE, refused with any other pattern', async () => {
    expect(await check(group(`      aggregation: SUM\n      pattern: BY_RESOURCE_TYPE\n`))).toEqual([
      expect.objectContaining({ code: 'schema/invalid', line: 7, hint: expect.stringContaining('BY_RESOURCE_TYPE needs resourceType') }),
      expect.objectContaining({ code: 'schema/missing-key', line: 7, message: 'Missing required key "resourceType" in spec.groups.0', hint: expect.stringContaining('BY_RESOURCE_TYPE needs resourceType') }),
    ]);
    expect(await check(group(`      aggregation: SUM\n      pattern: ALL\n      resourceType: GLOBAL_ACCELERATOR\n`))).toEqual([
      expect.objectContaining({ code: 'schema/invalid-value', line: 9, column: 16, message: 'spec.groups.0.pattern must be "BY_RESOURCE_TYPE"', hint: expect.stringContaining('resourceType is allowed only with pattern BY_RESOURCE_TYPE') }),
    ]);
  });

  it('members: required with ARBITRARY, refused with any other pattern', async () => {
    expect(await check(group(`      aggregation: SUM\n      pattern: ARBITRARY\n`))).toEqual([
      expect.objectContaining({ code: 'schema/invalid', line: 7, hint: expect.stringContaining('ARBITRARY needs members') }),
      expect.objectContaining({ code: 'schema/missing-key', line: 7, message: 'Missing required key "members" in spec.groups.0', hint: expect.stringContaining('ARBITRARY needs members') }),
    ]);
    expect(await check(group(`      aggregation: SUM\n      pattern: BY_RESOURCE_TYPE\n      resourceType: ELASTIC_IP_ALLOCATION\n      members: [${alb('a')}]\n`))).toEqual([
      expect.objectContaining({ code: 'schema/invalid-value', line: 9, column: 16, message: 'spec.groups.0.pattern must be "ARBITRARY"', hint: expect.stringContaining('members are allowed only with pattern ARBITRARY') }),
    ]);
  });

  it('id: 1-36 letters, digits and hyphens', async () => {
    const id = (value: string) => check(`    - id: ${value}\n      aggregation: SUM\n      pattern: ALL\n`);
    expect(await id('a'.repeat(36))).toEqual([]);
    expect(await id('a'.repeat(37))).toEqual([expect.objectContaining({ code: 'schema/out-of-range', line: 7, column: 11 })]);
    expect(await id('web_front')).toEqual([expect.objectContaining({ code: 'schema/invalid-format', line: 7, column: 11 })]);
    expect(await id('"web.front"')).toEqual([expect.objectContaining({ code: 'schema/invalid-format' })]);
    expect(await id('""')).toEqual([expect.objectContaining({ code: 'schema/out-of-range' })]);
  });

  it('enums: aggregation, pattern, resourceType', async () => {
    expect(await check(group(`      aggregation: AVERAGE\n      pattern: ALL\n`))).toEqual([expect.objectContaining({ code: 'schema/invalid-value', line: 8, message: 'spec.groups.0.aggregation must be one of: SUM, MEAN, MAX' })]);
    expect(await check(group(`      aggregation: SUM\n      pattern: SOME\n`))).toEqual([expect.objectContaining({ code: 'schema/invalid-value', line: 9 })]);
    expect(await check(group(`      aggregation: SUM\n      pattern: BY_RESOURCE_TYPE\n      resourceType: NETWORK_LOAD_BALANCER\n`))).toEqual([expect.objectContaining({ code: 'schema/invalid-value', line: 10 })]);
  });

  it('members: the ARN shape of a protectable resource, unique, at most 10,000', async () => {
    const members = (list: string[]) => check(group(`      aggregation: SUM\n      pattern: ARBITRARY\n      members:\n${list.map((m) => `        - ${m}\n`).join('')}`));
    expect(
      await members([
        alb('a'),
        distribution('E1ABC'),
        'arn:aws:route53:::hostedzone/Z0123456789',
        'arn:aws:ec2:eu-west-1:123456789012:eip-allocation/eipalloc-0123abcd',
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/classic-web',
        'arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcd1234',
      ]),
    ).toEqual([]);
    const nlb = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/edge/0123456789abcdef';
    expect(await members([alb('a'), nlb])).toEqual([expect.objectContaining({ code: 'schema/invalid-format', line: 12, column: 11 })]);
    expect(await members(['arn:aws:s3:::my-bucket'])).toEqual([expect.objectContaining({ code: 'schema/invalid-format', line: 11 })]);
    expect(await members([alb('a'), alb('a')])).toEqual([expect.objectContaining({ code: 'schema/duplicate-item', line: 12 })]);
    const many = Array.from({ length: 10_001 }, (_, i) => `arn:aws:ec2:us-east-1:123456789012:eip-allocation/eipalloc-${i.toString(16).padStart(8, '0')}`);
    const cwd = policyDir({ 'p.yml': policy('p', group(`      aggregation: SUM\n      pattern: ARBITRARY\n      members:\n${many.map((m) => `        - ${m}\n`).join('')}`)) });
    const result = await validate({ cwd, paths: ['p.yml'], providers });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([expect.objectContaining({ code: 'schema/out-of-range', message: expect.stringContaining('must NOT have more than 10000 items') })]);
    expect(await check(group(`      aggregation: SUM\n      pattern: ARBITRARY\n      members: []\n`))).toEqual([expect.objectContaining({ code: 'schema/out-of-range', line: 10, message: expect.stringContaining('fewer than 1 items') })]);
  });

  it('tags: at most 200, keys 1-128 and values up to 256 characters of the allowed set', async () => {
    const tags = (yaml: string) => check(group(`      aggregation: SUM\n      pattern: ALL\n      tags:\n${yaml}`));
    expect(await tags(`        team: checkout\n        "cost center": "4 2"\n        retired: null\n`)).toEqual([]);
    expect(await tags(`        team: ${'x'.repeat(257)}\n`)).toEqual([expect.objectContaining({ code: 'schema/out-of-range', line: 11 })]);
    // propertyNames: ajv reports the key's rule and that the name is invalid, both at tags.
    expect(await tags(`        ${'k'.repeat(129)}: v\n`)).toEqual([
      expect.objectContaining({ code: 'schema/invalid', line: 10, message: 'spec.groups.0.tags property name must be valid' }),
      expect.objectContaining({ code: 'schema/out-of-range', line: 10, message: 'spec.groups.0.tags must NOT have more than 128 characters' }),
    ]);
    expect(await tags(`        team: "a;b"\n`)).toEqual([expect.objectContaining({ code: 'schema/invalid-format', line: 11 })]);
    expect(await tags(`        team: 3\n`)).toEqual([expect.objectContaining({ code: 'schema/wrong-type', line: 11 })]);
    const over = Array.from({ length: 201 }, (_, i) => `        k${i}: v\n`).join('');
    expect(await tags(over)).toEqual([expect.objectContaining({ code: 'schema/out-of-range', message: expect.stringContaining('more than 200 properties') })]);
  });

  it('the policy needs groups and knows no other keys; prune is a boolean', async () => {
    expect(await check('    []\n', '  prune: yes\n')).toEqual([expect.objectContaining({ code: 'schema/wrong-type', line: 6 })]);
    const cwd = policyDir({ 'p.yml': 'apiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: p\nspec:\n  grups: []\n' });
    const result = await validate({ cwd, paths: ['p.yml'], providers });
    expect(result.diagnostics.map((d) => d.code).sort()).toEqual(['schema/missing-key', 'schema/unknown-key']);
    expect(result.diagnostics.find((d) => d.code === 'schema/unknown-key')?.hint).toBe('Did you mean "groups"?');
  });
});
