import { describe, expect, it } from 'vitest';
import { parseBoolean, parseList } from '../../src/core/settings.js';

describe('parseBoolean (Action inputs and app environment variables)', () => {
  it('reads the usual spellings, falls back when empty, and names the setting otherwise', () => {
    for (const v of ['true', ' YES ', '1', 'on']) expect(parseBoolean(v, false, 'x')).toBe(true);
    for (const v of ['false', 'No', '0', 'OFF']) expect(parseBoolean(v, true, 'x')).toBe(false);
    expect(parseBoolean('', true, 'x')).toBe(true);
    expect(parseBoolean(undefined, false, 'x')).toBe(false);
    expect(() => parseBoolean('maybe', false, 'Input allow-destructive')).toThrow('Input allow-destructive must be true or false, got "maybe"');
  });
});

describe('parseList', () => {
  it('splits on newlines and commas, trims, drops empty items', () => {
    expect(parseList('policies/a.yml, policies/b.yml\n\n  policies/c/**  ,')).toEqual(['policies/a.yml', 'policies/b.yml', 'policies/c/**']);
    expect(parseList(undefined)).toEqual([]);
  });
});
