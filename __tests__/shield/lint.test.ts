import { describe, expect, it, vi } from 'vitest';
import { validate } from '../../src/core/engine.js';
import { providers } from '../../src/providers/index.js';
import { groupAdvice, looksBlueGreen } from '../../src/providers/shield/lint.js';
import { describeMember } from '../../src/providers/shield/arn.js';
import { accelerator, alb, distribution, eip, policy, policyDir } from './helpers.js';

// Validation must never load the Shield SDK or the provider's runtime.
vi.mock('@aws-sdk/client-shield', () => {
  throw new Error('@aws-sdk/client-shield loaded during validation');
});
vi.mock('../../src/providers/shield/runtime.js', () => {
  throw new Error('shield runtime loaded during validation');
});

async function lint(files: Record<string, string>) {
  const cwd = policyDir(files);
  const result = await validate({ cwd, paths: Object.keys(files), providers });
  return result.diagnostics.map((d) => ({ code: d.code, severity: d.severity, file: d.file, line: d.line, column: d.column, message: d.message, hint: d.hint }));
}

const arbitrary = (id: string, aggregation: string, members: string[], extra = '') =>
  `    - id: ${id}\n      aggregation: ${aggregation}\n      pattern: ARBITRARY\n      members:\n${members.map((m) => `        - ${m}\n`).join('')}${extra}`;

describe('ProtectionGroups lint', () => {
  it('the examples lint clean: no errors, warnings or advice', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { repoRoot } = await import('../helpers/aws.js');
    const text = readFileSync(join(repoRoot, 'policies/examples/protection-groups.yml'), 'utf8');
    expect(await lint({ 'protection-groups.yml': text })).toEqual([]);
  });

  it('shield/duplicate-group-id: in one policy and across policies, at the later id', async () => {
    const g = (id: string) => `    - id: ${id}\n      aggregation: SUM\n      pattern: ALL\n`;
    const found = await lint({ 'a.yml': policy('a', g('edge') + g('edge')), 'b.yml': policy('b', g('edge')) });
    expect(found.filter((d) => d.code === 'shield/duplicate-group-id')).toEqual([
      expect.objectContaining({ severity: 'error', file: 'a.yml', line: 10, column: 11, message: 'Protection group edge is already declared (a.yml:7)' }),
      expect.objectContaining({ severity: 'error', file: 'b.yml', line: 7, column: 11, message: 'Protection group edge is already declared by ProtectionGroups policy "a" (a.yml:7)' }),
    ]);
  });

  it('shield/reserved-tag-key and shield/too-many-tags', async () => {
    const tags = `      tags:\n        team: web\n        "charter:policy": someone\n        "AWS:owner": x\n`;
    const found = await lint({ 'p.yml': policy('p', `    - id: g\n      aggregation: SUM\n      pattern: ALL\n${tags}`) });
    expect(found.filter((d) => d.code === 'shield/reserved-tag-key').map((d) => [d.line, d.column, d.message])).toEqual([
      [12, 27, 'Tag key "charter:policy" uses the reserved prefix charter:'],
      [13, 22, 'Tag key "AWS:owner" uses the reserved prefix aws:'],
    ]);
    const many = Array.from({ length: 200 }, (_, i) => `        k${i}: v\n`).join('');
    const over = await lint({ 'p.yml': policy('p', `    - id: g\n      aggregation: SUM\n      pattern: ALL\n      tags:\n${many}`) });
    expect(over.filter((d) => d.code === 'shield/too-many-tags')).toEqual([expect.objectContaining({ severity: 'error', line: 10, column: 7, message: expect.stringContaining('sets 200 tags') })]);
    const removals = Array.from({ length: 200 }, (_, i) => `        k${i}: ${i < 2 ? 'v' : 'null'}\n`).join('');
    expect((await lint({ 'p.yml': policy('p', `    - id: g\n      aggregation: SUM\n      pattern: ALL\n      tags:\n${removals}`) })).filter((d) => d.code === 'shield/too-many-tags')).toEqual([]);
  });

  it('shield/members-span-accounts and shield/prune-everything (warnings)', async () => {
    const other = 'arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/web/0123456789abcdef';
    const found = await lint({ 'p.yml': policy('p', arbitrary('g', 'MEAN', [alb('web'), other])) });
    expect(found.filter((d) => d.code === 'shield/members-span-accounts')).toEqual([expect.objectContaining({ severity: 'warning', line: 10, column: 7 })]);
    const prune = await lint({ 'p.yml': policy('p', '    []\n', '  prune: true\n') });
    expect(prune).toEqual([expect.objectContaining({ code: 'shield/prune-everything', severity: 'warning', line: 6, column: 10 })]);
  });

  it('shield/suggest-sum-blue-green: a blue/green pair of ALBs without SUM, at aggregation', async () => {
    const found = await lint({ 'p.yml': policy('p', arbitrary('checkout', 'MEAN', [alb('checkout-blue'), alb('checkout-green')])) });
    expect(found).toEqual([
      expect.objectContaining({ code: 'shield/suggest-sum-blue-green', severity: 'notice', line: 8, column: 20, hint: expect.stringContaining('aggregation: SUM') }),
    ]);
    expect(await lint({ 'p.yml': policy('p', arbitrary('checkout', 'SUM', [alb('checkout-blue'), alb('checkout-green')])) })).toEqual([]);
  });

  it('shield/suggest-max-cloudfront-origins: a distribution with its origins without MAX', async () => {
    const members = [distribution('E1SHOP'), alb('origin-a'), alb('origin-b')];
    expect(await lint({ 'p.yml': policy('p', arbitrary('shop', 'SUM', members)) })).toEqual([
      expect.objectContaining({ code: 'shield/suggest-max-cloudfront-origins', severity: 'notice', line: 8, column: 20, message: expect.stringContaining('1 CloudFront distribution(s) with 2 origin resource(s)') }),
    ]);
    expect(await lint({ 'p.yml': policy('p', arbitrary('shop', 'MAX', members)) })).toEqual([]);
  });

  it('shield/suggest-mean-peer-services: services of one type that are not a blue/green pair, without MEAN', async () => {
    const found = await lint({ 'p.yml': policy('p', arbitrary('workflow', 'SUM', [alb('orders'), alb('payments'), alb('search')])) });
    expect(found).toEqual([expect.objectContaining({ code: 'shield/suggest-mean-peer-services', severity: 'notice', line: 8, column: 20, message: expect.stringContaining('orders, payments, search') })]);
    expect(await lint({ 'p.yml': policy('p', arbitrary('cdns', 'MAX', [distribution('E1A'), distribution('E2B')])) })).toEqual([expect.objectContaining({ code: 'shield/suggest-mean-peer-services' })]);
    expect(await lint({ 'p.yml': policy('p', arbitrary('workflow', 'MEAN', [alb('orders'), alb('payments')])) })).toEqual([]);
  });

  it('shield/l3l4-acceleration-scope: mixed groups and pattern ALL, not groups of Elastic IPs and accelerators only', async () => {
    const mixed = await lint({ 'p.yml': policy('p', arbitrary('edge', 'SUM', [eip(1), accelerator(2), alb('web')])) });
    expect(mixed).toEqual([expect.objectContaining({ code: 'shield/l3l4-acceleration-scope', severity: 'notice', line: 10, column: 7, message: expect.stringContaining('Only 2 of the 3 members') })]);
    expect(await lint({ 'p.yml': policy('p', arbitrary('nlbs', 'SUM', [eip(1), eip(2), accelerator(3)])) })).toEqual([]);
    const all = await lint({ 'p.yml': policy('p', '    - id: everything\n      aggregation: SUM\n      pattern: ALL\n') });
    expect(all).toEqual([expect.objectContaining({ code: 'shield/l3l4-acceleration-scope', line: 9, column: 16 })]);
  });

  it('heuristics', () => {
    const info = (arns: string[]) => arns.map((a) => describeMember(a)!);
    expect(looksBlueGreen(info([alb('api-blue'), alb('api-green')]))).toBe(true);
    expect(looksBlueGreen(info([alb('blue-api'), alb('api-green-2')]))).toBe(true);
    expect(looksBlueGreen(info([alb('bluebird'), alb('greenhouse')]))).toBe(false);
    expect(looksBlueGreen(info([alb('api-blue')]))).toBe(false);
    expect(describeMember('arn:aws:route53:::hostedzone/Z123')).toMatchObject({ type: 'ROUTE_53_HOSTED_ZONE', name: 'z123' });
    expect(describeMember('arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/classic-web')).toMatchObject({ type: 'CLASSIC_LOAD_BALANCER', name: 'classic-web' });
    expect(describeMember('arn:aws:ec2:us-east-1:123456789012:instance/i-0123')).toBeUndefined();
    expect(groupAdvice({ id: 'g', aggregation: 'SUM', pattern: 'BY_RESOURCE_TYPE', resourceType: 'APPLICATION_LOAD_BALANCER' })).toEqual([]);
  });
});

describe('ProtectionGroups diagnostic codes', () => {
  it('every shield/* code the provider raises is documented in docs/diagnostics-shield.md', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { repoRoot } = await import('../helpers/aws.js');
    const source = ['lint.ts', 'runtime.ts'].map((f) => readFileSync(join(repoRoot, 'src/providers/shield', f), 'utf8')).join('\n');
    const codes = [...new Set([...source.matchAll(/'(shield\/[a-z0-9-]+)'/g)].map((m) => m[1]))];
    const docs = readFileSync(join(repoRoot, 'docs/diagnostics-shield.md'), 'utf8');
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.filter((c) => !docs.includes(`\`${c}\``))).toEqual([]);
  });
});
