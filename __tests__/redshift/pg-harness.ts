/** Policies against a real PostgreSQL database, through the engine as the CLI and Action run it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { awsRuntime } from '../../src/aws/settings.js';
import { apply, dryApply, plan, type PlanOptions } from '../../src/core/engine.js';
import type { Logger } from '../../src/core/provider.js';
import { providers } from '../../src/providers/index.js';

export const quiet: Logger = { debug() {}, info() {}, warn() {} };
export const URL_ENV = 'CHARTER_TEST_DB_URL';

export interface Harness {
  dir: string;
  file: string;
  options: PlanOptions;
  write(spec: Record<string, unknown>, name?: string): void;
  plan(): ReturnType<typeof plan>;
  apply(allowDestructive?: boolean): ReturnType<typeof apply>;
  dryApply(): ReturnType<typeof dryApply>;
}

/** A policy directory whose policies connect to `url` through the variable CHARTER_TEST_DB_URL. */
export function harness(url: string, env: Record<string, string> = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'charter-redshift-'));
  const file = join(dir, 'grants.yml');
  const options: PlanOptions = {
    cwd: dir,
    paths: ['grants.yml'],
    providers,
    salt: {},
    runtime: { ...awsRuntime({}, quiet), env: { [URL_ENV]: url, ...env } },
  };
  return {
    dir,
    file,
    options,
    write(spec, name = 'grants') {
      writeFileSync(file, stringify({ apiVersion: 'charter/v1', kind: 'RedshiftGrants', metadata: { name }, spec }));
    },
    plan: () => plan(options),
    apply: (allowDestructive = true) => apply({ ...options, allowDestructive }),
    dryApply: () => dryApply(options),
  };
}

export const pgConnection = { dialect: 'postgres', urlFromEnv: URL_ENV };
