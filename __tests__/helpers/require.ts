/**
 * Servers the tests cannot bring through npm (Redis, moto_server …). A test file asks for one with
 * `requireOrSkip`; when it is missing, one printed line names it and how to get it, and the caller skips
 * its tests – unless CHARTER_REQUIRE_ALL=1 (exported by `.ci/run`), which turns the skip into a failure,
 * so CI never skips. PostgreSQL is not one of these: ./postgres.ts always has one (npm brings it).
 *
 *   const redis = requireOrSkip('redis-server', 'apt-get install redis-server');
 *   describe.skipIf(!redis)('…', () => { … });
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The full path of an executable found in PATH, like `command -v`. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export interface RequireOptions {
  /** Whether the server is there: a path, a boolean, or undefined for "missing". Default: `name` in PATH. */
  found?: string | boolean;
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
}

/** True when `name` is available; else prints one line and returns false, or throws under CHARTER_REQUIRE_ALL=1. */
export function requireOrSkip(name: string, howToGet: string, options: RequireOptions = {}): boolean {
  const env = options.env ?? process.env;
  const found = 'found' in options ? options.found : findExecutable(name, env);
  if (found) return true;
  if (env.CHARTER_REQUIRE_ALL === '1') {
    throw new Error(`${name} is missing and CHARTER_REQUIRE_ALL=1 forbids skipping its tests: ${howToGet}`);
  }
  (options.print ?? ((line) => console.warn(line)))(`skipped: ${name} is missing (${howToGet}); CHARTER_REQUIRE_ALL=1 makes this a failure`);
  return false;
}
