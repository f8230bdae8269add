/**
 * What a policy may reach: an allowlist set outside the pull request (the app's configuration, narrowed by
 * `.github/charter.yml` on the default branch; the Action's workflow inputs). A pull request's policies are
 * data: every environment variable, AWS target and account role they name is checked here before anything
 * is read, and what is not on the list is a positioned error, not a read.
 *
 * Pure: no SDK, no process.env. The adapters parse their configuration into a `ReachConfig` with
 * `parseReachConfig`, narrow it with `narrowReach`, and hand the result to the engine.
 */
import { createHmac } from 'node:crypto';
import { diagnosticAt, type PathSegment, type PolicyDocument } from './document.js';
import type { Diagnostic } from './diagnostics.js';

/** Redshift targets a policy may name (`*` in a list allows any value of that list). */
export interface RedshiftReach {
  clusters: string[];
  workgroups: string[];
  secretArns: string[];
  dbUsers: string[];
}

/** An allowlist as configured (app file, `.github/charter.yml`, workflow inputs). */
export interface ReachConfig {
  /** Environment variables `*FromEnv` / `fromEnv` fields may name. Names only: no wildcard. */
  env: string[];
  /** App only: the IAM role assumed for this repository's AWS reads and writes; none: no AWS access. */
  roleArn?: string;
  redshift: RedshiftReach;
  /** Account roles a policy may name in `metadata.account`: name → role ARN. */
  accounts: Record<string, string>;
  /** What pull requests from forks get. */
  forks: { live: boolean; env: string[] };
}

/** The allowlist for one run: the configuration resolved for this repository and this pull request. */
export interface Reach {
  env: readonly string[];
  /** AWS credentials exist for this run (the app: a role is configured for the repository). */
  aws: boolean;
  redshift: RedshiftReach;
  accounts: Readonly<Record<string, string>>;
  /** Live state may be read at all; false for fork pull requests unless configured. */
  live: boolean;
  /** Why live state is not read, shown in the plan (e.g. "pull request from a fork"). */
  offlineReason?: string;
}

export function emptyReachConfig(): ReachConfig {
  return { env: [], redshift: { clusters: [], workgroups: [], secretArns: [], dbUsers: [] }, accounts: {}, forks: { live: false, env: [] } };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/;
const ACCOUNT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const REDSHIFT_KEYS: Record<string, keyof RedshiftReach> = { clusters: 'clusters', workgroups: 'workgroups', secretArns: 'secretArns', dbUsers: 'dbUsers' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(value: unknown, where: string, check?: (s: string) => boolean, what = 'a name'): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.trim() !== '')) throw new Error(`${where} must be a list of strings`);
  const out = list.map((s: string) => s.trim());
  for (const s of out) if (check && !check(s)) throw new Error(`${where}: ${JSON.stringify(s)} is not ${what}`);
  return [...new Set(out)];
}

function onlyKeys(obj: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) if (!keys.includes(key)) throw new Error(`${where}: unknown setting ${JSON.stringify(key)} (known: ${keys.join(', ')})`);
}

/**
 * Parses one allowlist (already decoded from YAML or JSON); throws naming `where` and the bad key. With
 * `allowRole` false (`.github/charter.yml`, the Action), `roleArn` is refused: a repository cannot pick its own
 * role; with `accountRoles` false (`.github/charter.yml`), accounts are names only, narrowing the app's.
 */
export function parseReachConfig(raw: unknown, where: string, options: { allowRole: boolean; accountRoles?: boolean } = { allowRole: true }): ReachConfig {
  const accountRoles = options.accountRoles ?? options.allowRole;
  const config = emptyReachConfig();
  if (raw === undefined || raw === null) return config;
  if (!isRecord(raw)) throw new Error(`${where} must be a mapping`);
  onlyKeys(raw, options.allowRole ? ['env', 'roleArn', 'redshift', 'accounts', 'forks'] : ['env', 'redshift', 'accounts', 'forks'], where);
  config.env = stringList(raw.env, `${where}.env`, (s) => ENV_NAME.test(s), 'an environment variable name');
  if (raw.roleArn !== undefined) {
    if (typeof raw.roleArn !== 'string' || !ROLE_ARN.test(raw.roleArn)) throw new Error(`${where}.roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    config.roleArn = raw.roleArn;
  }
  if (raw.redshift !== undefined) {
    if (!isRecord(raw.redshift)) throw new Error(`${where}.redshift must be a mapping`);
    onlyKeys(raw.redshift, Object.keys(REDSHIFT_KEYS), `${where}.redshift`);
    for (const [key, field] of Object.entries(REDSHIFT_KEYS)) config.redshift[field] = stringList(raw.redshift[key], `${where}.redshift.${key}`);
  }
  if (raw.accounts !== undefined) {
    // `.github/charter.yml` narrows by name only (a list); the app's configuration maps names to roles.
    if (Array.isArray(raw.accounts) && !accountRoles) {
      for (const name of stringList(raw.accounts, `${where}.accounts`, (s) => ACCOUNT_NAME.test(s), 'an account name')) config.accounts[name] = '';
    } else {
      if (!isRecord(raw.accounts)) throw new Error(`${where}.accounts must be a mapping of account names to role ARNs`);
      for (const [name, arn] of Object.entries(raw.accounts)) {
        if (!ACCOUNT_NAME.test(name)) throw new Error(`${where}.accounts: ${JSON.stringify(name)} is not an account name (lower case letters, digits, dashes)`);
        if (!accountRoles) {
          config.accounts[name] = '';
          continue;
        }
        if (typeof arn !== 'string' || !ROLE_ARN.test(arn)) throw new Error(`${where}.accounts.${name} must be an IAM role ARN`);
        config.accounts[name] = arn;
      }
    }
  }
  if (raw.forks !== undefined) {
    if (!isRecord(raw.forks)) throw new Error(`${where}.forks must be a mapping`);
    onlyKeys(raw.forks, ['live', 'env'], `${where}.forks`);
    if (raw.forks.live !== undefined && typeof raw.forks.live !== 'boolean') throw new Error(`${where}.forks.live must be true or false`);
    config.forks = { live: raw.forks.live === true, env: stringList(raw.forks.env, `${where}.forks.env`, (s) => ENV_NAME.test(s), 'an environment variable name') };
  }
  return config;
}

function intersect(granted: readonly string[], wanted: readonly string[]): string[] {
  if (granted.includes('*')) return [...wanted];
  if (wanted.includes('*')) return [...granted];
  return wanted.filter((w) => granted.includes(w));
}

/**
 * The repository's own settings can only take away from what the app grants: every list is intersected,
 * accounts keep the app's role ARNs, and forks get live reads only when both say so.
 */
export function narrowReach(granted: ReachConfig, repo: ReachConfig | undefined): ReachConfig {
  if (!repo) return granted;
  const accounts: Record<string, string> = {};
  for (const name of Object.keys(repo.accounts)) if (granted.accounts[name]) accounts[name] = granted.accounts[name];
  return {
    env: intersect(granted.env, repo.env),
    roleArn: granted.roleArn,
    redshift: {
      clusters: intersect(granted.redshift.clusters, repo.redshift.clusters),
      workgroups: intersect(granted.redshift.workgroups, repo.redshift.workgroups),
      secretArns: intersect(granted.redshift.secretArns, repo.redshift.secretArns),
      dbUsers: intersect(granted.redshift.dbUsers, repo.redshift.dbUsers),
    },
    accounts,
    forks: { live: granted.forks.live && repo.forks.live, env: intersect(granted.forks.env, repo.forks.env) },
  };
}

/** The reach of one run: a fork gets its own (by default offline, no secrets). */
export function reachFor(config: ReachConfig, options: { fork: boolean; aws: boolean }): Reach {
  if (options.fork) {
    // Offline, the repository's own list still decides what a policy may name; nothing is read either way.
    return {
      env: config.forks.live ? config.forks.env : config.env,
      aws: options.aws,
      redshift: config.redshift,
      accounts: config.accounts,
      live: config.forks.live,
      offlineReason: config.forks.live ? undefined : 'this pull request comes from a fork, and forks get offline validation only (forks.live is not set)',
    };
  }
  return { env: config.env, aws: options.aws, redshift: config.redshift, accounts: config.accounts, live: true };
}

// ---------------------------------------------------------------------------------------------------------
// What a policy names

export type ReferenceKind = 'env' | 'aws' | 'redshift-cluster' | 'redshift-workgroup' | 'redshift-secret' | 'redshift-db-user';

/** One thing outside the repository a policy names, with where it names it. */
export interface Reference {
  kind: ReferenceKind;
  /** The name (an environment variable, a cluster, ...); `aws` references use the service name. */
  value: string;
  path: PathSegment[];
}

/**
 * Every environment variable a spec names: any string under a key ending in `FromEnv`
 * (`urlFromEnv`, `clientSecretFromEnv`) or named `fromEnv` (`password: { fromEnv: VAR }`). The one place
 * that decides which fields read the environment, so a new `*FromEnv` field is covered without more code.
 */
export function envReferences(spec: unknown, prefix: PathSegment[] = ['spec']): Reference[] {
  const out: Reference[] = [];
  const walk = (value: unknown, path: PathSegment[], depth: number) => {
    if (depth > 64) return;
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], depth + 1));
    else if (isRecord(value)) {
      for (const [key, v] of Object.entries(value)) {
        if (typeof v === 'string' && (key === 'fromEnv' || key.endsWith('FromEnv'))) out.push({ kind: 'env', value: v, path: [...path, key] });
        else walk(v, [...path, key], depth + 1);
      }
    }
  };
  walk(spec, prefix, 0);
  return out;
}

function listed(list: readonly string[], value: string): boolean {
  return list.includes('*') || list.includes(value);
}

const HOW = 'the app\'s configuration for this repository (narrowed by .github/charter.yml on the default branch) or the Action\'s inputs';

/**
 * The positioned errors for everything `docs` name that `reach` does not allow. `references` gives each
 * provider's non-environment references (AWS, Redshift targets); environment variables and accounts are
 * found here for every kind.
 */
export function checkReach(docs: readonly PolicyDocument[], references: (doc: PolicyDocument) => Reference[], reach: Reach): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const doc of docs) {
    for (const ref of [...envReferences(doc.spec), ...references(doc)]) {
      const problem = refusal(ref, reach);
      if (problem) out.push(diagnosticAt(doc, ref.path, problem.code, 'error', problem.message, problem.hint));
    }
    const account = doc.account;
    if (account !== undefined && !reach.accounts[account]) {
      out.push(
        diagnosticAt(doc, ['metadata', 'account'], 'reach/account-not-allowed', 'error', `Account ${JSON.stringify(account)} is not on this repository's list of account roles; nothing was read`, `Add ${account} with its role ARN to the accounts of ${HOW}.`),
      );
    }
  }
  return out;
}

function refusal(ref: Reference, reach: Reach): { code: string; message: string; hint: string } | undefined {
  const v = JSON.stringify(ref.value);
  switch (ref.kind) {
    case 'env':
      return reach.env.includes(ref.value)
        ? undefined
        : { code: 'reach/env-not-allowed', message: `Environment variable ${v} is not on this repository's allowlist; it was not read`, hint: `Add ${ref.value} to the env list of ${HOW}.` };
    case 'aws':
      return reach.aws ? undefined : { code: 'reach/aws-not-configured', message: `No AWS role is configured for this repository, so ${ref.value} cannot be read`, hint: `Set roleArn for this repository in ${HOW}.` };
    case 'redshift-cluster':
      return listed(reach.redshift.clusters, ref.value) ? undefined : { code: 'reach/redshift-target-not-allowed', message: `Redshift cluster ${v} is not on this repository's allowlist; nothing was read`, hint: `Add it to redshift.clusters in ${HOW}.` };
    case 'redshift-workgroup':
      return listed(reach.redshift.workgroups, ref.value) ? undefined : { code: 'reach/redshift-target-not-allowed', message: `Redshift Serverless workgroup ${v} is not on this repository's allowlist; nothing was read`, hint: `Add it to redshift.workgroups in ${HOW}.` };
    case 'redshift-secret':
      return listed(reach.redshift.secretArns, ref.value) ? undefined : { code: 'reach/redshift-secret-not-allowed', message: `Secret ${v} is not on this repository's allowlist; nothing was read`, hint: `Add it to redshift.secretArns in ${HOW}.` };
    case 'redshift-db-user':
      return listed(reach.redshift.dbUsers, ref.value) ? undefined : { code: 'reach/redshift-db-user-not-allowed', message: `Database user ${v} is not on this repository's allowlist; nothing was read`, hint: `Add it to redshift.dbUsers in ${HOW}.` };
  }
}

/** The environment a run may read: only the allowlisted names, so an unchecked read finds nothing either. */
export function scopedEnvironment(env: Readonly<Record<string, string | undefined>>, reach: Reach | undefined): Record<string, string | undefined> {
  if (!reach) return { ...env };
  return Object.fromEntries(reach.env.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

const COMMON_VALUES = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'null', 'undefined', 'none', 'production', 'staging', 'development', 'localhost', 'postgres', 'password']);

/**
 * Whether a value is worth masking: masking a short or common value ("true", a region) would blank it out
 * all over the log and is a way to hide output, while such a value protects nothing.
 */
export function isMaskable(value: string): boolean {
  return value.length >= 8 && !COMMON_VALUES.has(value.trim().toLowerCase());
}

/** A keyed hash of a secret for the fingerprint: equal secrets compare equal, the value never shows. */
export function secretDigest(key: string, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}
