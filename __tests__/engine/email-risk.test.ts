import { describe, expect, it } from 'vitest';
import { assessPolicyFile, assessTxt } from '../../src/providers/email/risk.js';

const policy = (mode: string, mx: string[], maxAge: number) => `version: STSv1\r\nmode: ${mode}\r\n${mx.map((m) => `mx: ${m}\r\n`).join('')}max_age: ${maxAge}\r\n`;

describe('risky email changes (reference list)', () => {
  it('MTA-STS policy file', () => {
    expect(assessPolicyFile(undefined, { mode: 'enforce', mx: ['a.example.com'], maxAge: 86400 }).risk).toBe('safe');
    expect(assessPolicyFile(policy('enforce', ['a.example.com'], 86400), { mode: 'testing', mx: ['a.example.com'], maxAge: 86400 }).risk).toBe('disruptive');
    expect(assessPolicyFile(policy('enforce', ['a.example.com'], 86400), { mode: 'none', mx: [], maxAge: 86400 }).risk).toBe('disruptive');
    expect(assessPolicyFile(policy('testing', ['a.example.com'], 86400), { mode: 'enforce', mx: ['a.example.com'], maxAge: 86400 }).risk).toBe('disruptive');
    expect(assessPolicyFile(policy('testing', ['a.example.com'], 604800), { mode: 'testing', mx: ['a.example.com'], maxAge: 86400 }).risk).toBe('disruptive');
    expect(assessPolicyFile(policy('enforce', ['a.example.com', 'b.example.com'], 86400), { mode: 'enforce', mx: ['a.example.com'], maxAge: 86400 }).risk).toBe('disruptive');
    expect(assessPolicyFile(policy('testing', ['a.example.com', 'b.example.com'], 86400), { mode: 'testing', mx: ['a.example.com'], maxAge: 86400 }).risk).toBe('safe');
    expect(assessPolicyFile(policy('enforce', ['a.example.com'], 86400), { mode: 'enforce', mx: ['a.example.com', 'c.example.com'], maxAge: 172800 }).risk).toBe('safe');
  });

  it('TXT records', () => {
    expect(assessTxt('mtaSts', 'v=STSv1; id=a', undefined, 'enforce').risk).toBe('destructive');
    expect(assessTxt('mtaSts', 'v=STSv1; id=a', undefined, undefined).risk).toBe('destructive');
    expect(assessTxt('mtaSts', 'v=STSv1; id=a', undefined, 'none').risk).toBe('safe');
    expect(assessTxt('bimi', 'v=BIMI1; l=https://x/l.svg; a=https://x/a.pem', 'v=BIMI1; l=https://x/l.svg', undefined).risk).toBe('disruptive');
    expect(assessTxt('bimi', 'v=BIMI1; l=https://x/l.svg', 'v=BIMI1; l=https://x/new.svg', undefined).risk).toBe('safe');
    expect(assessTxt('bimi', 'v=BIMI1; l=https://x/l.svg', undefined, undefined).risk).toBe('destructive');
    expect(assessTxt('tlsRpt', 'v=TLSRPTv1; rua=mailto:a@x,mailto:b@x', 'v=TLSRPTv1; rua=mailto:a@x', undefined).risk).toBe('disruptive');
    expect(assessTxt('tlsRpt', 'v=TLSRPTv1; rua=mailto:a@x', 'v=TLSRPTv1; rua=mailto:a@x,mailto:b@x', undefined).risk).toBe('safe');
    expect(assessTxt('tlsRpt', 'v=TLSRPTv1; rua=mailto:a@x', undefined, undefined).risk).toBe('destructive');
    expect(assessTxt('dmarc', 'v=DMARC1; p=none', 'v=DMARC1; p=reject', undefined).risk).toBe('disruptive');
    expect(assessTxt('dmarc', 'v=DMARC1; p=reject; rua=mailto:a@x', 'v=DMARC1; p=reject; rua=mailto:b@x', undefined).risk).toBe('safe');
    expect(assessTxt('dmarc', undefined, 'v=DMARC1; p=none', undefined).risk).toBe('safe');
    expect(assessTxt('dmarc', undefined, 'v=DMARC1; p=quarantine', undefined).risk).toBe('disruptive');
  });
});
