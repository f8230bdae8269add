import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable, requireOrSkip } from './require.js';

const dir = mkdtempSync(join(tmpdir(), 'charter-require-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'fake-server'), '#!/bin/sh\n');
chmodSync(join(dir, 'fake-server'), 0o755);
writeFileSync(join(dir, 'not-executable'), '');

describe('requireOrSkip', () => {
  it('finds executables in PATH, like command -v', () => {
    expect(findExecutable('fake-server', { PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'fake-server'));
    expect(findExecutable('not-executable', { PATH: dir })).toBeUndefined();
    expect(findExecutable('fake-server', {})).toBeUndefined();
  });

  it('says yes quietly when the server is there', () => {
    const lines: string[] = [];
    expect(requireOrSkip('fake-server', 'get it', { env: { PATH: dir }, print: (l) => lines.push(l) })).toBe(true);
    expect(requireOrSkip('anything', 'get it', { found: '/opt/x', env: {}, print: (l) => lines.push(l) })).toBe(true);
    expect(lines).toEqual([]);
  });

  it('skips with one line naming what is missing and how to get it', () => {
    const lines: string[] = [];
    expect(requireOrSkip('redis-server', 'apt-get install redis-server', { env: { PATH: dir }, print: (l) => lines.push(l) })).toBe(false);
    expect(lines).toEqual(['skipped: redis-server is missing (apt-get install redis-server); CHARTER_REQUIRE_ALL=1 makes this a failure']);
  });

  it('fails instead under CHARTER_REQUIRE_ALL=1, as in CI', () => {
    const lines: string[] = [];
    expect(() => requireOrSkip('moto_server', 'pip install "moto[server]"', { env: { PATH: dir, CHARTER_REQUIRE_ALL: '1' }, print: (l) => lines.push(l) })).toThrow(
      'moto_server is missing and CHARTER_REQUIRE_ALL=1 forbids skipping its tests: pip install "moto[server]"',
    );
    expect(() => requireOrSkip('x', 'y', { found: false, env: { CHARTER_REQUIRE_ALL: '1' } })).toThrow(/x is missing/);
    expect(lines).toEqual([]);
  });
});
