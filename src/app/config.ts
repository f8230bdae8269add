/**
 * Everything the app reads from its environment, read in this one place. Probot itself reads `APP_ID`,
 * `PRIVATE_KEY` (or `PRIVATE_KEY_PATH`), `WEBHOOK_SECRET`, `PORT`, `HOST`, `LOG_LEVEL` and `GHE_HOST`
 * when `npm start` runs it; AWS credentials come from the SDK's default chain (environment, shared
 * files, SSO, container or instance roles, web identity).
 */
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Cron } from 'croner';
import { parse } from 'yaml';
import { DEFAULT_POLICY_PATHS } from '../core/load.js';
import type { AwsSettings } from '../core/provider.js';
import { secretDigestKey } from '../core/plan-meta.js';
import { parseReachConfig, type ReachConfig } from '../core/reach.js';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../core/engine.js';
import { parseThresholdPercent } from '../core/safety.js';
import { parseBoolean, parseConcurrency, parseList } from '../core/settings.js';
import { parseWebhookUrl } from '../notify/webhook.js';
import { DEFAULT_THROTTLE, type ThrottleConfig } from './throttle.js';

export interface DriftConfig {
  /** Cron pattern of the in-process drift check; undefined: no in-process schedule. */
  schedule?: string;
  /** IANA time zone of the schedule (UTC by default). */
  timezone: string;
  /** Bearer token of `POST /charter/drift`; undefined: the endpoint is off. */
  token?: string;
  /** Path of the drift endpoint. */
  path: string;
  /** Repositories checked at the same time. */
  concurrency: number;
}

export interface AppConfig {
  /** Policy paths used when a repository has no `.github/charter.yml` naming its own. */
  policyPaths: string[];
  aws: AwsSettings;
  /** Destructive and disruptive changes allowed everywhere (otherwise: the PR label). */
  allowDestructive: boolean;
  /** CHARTER_CHANGE_THRESHOLD: percent of what a policy owns a plan may update or delete without charter:force (default 30). */
  changeThresholdPercent?: number;
  /** `/charter apply` on open pull requests for repositories without `.github/charter.yml` saying otherwise. */
  allowApplyBeforeMerge: boolean;
  drift: DriftConfig;
  /** Login of the app's bot user (`<slug>[bot]`); looked up with `GET /app` when not set. */
  botLogin?: string;
  /** Values that must never appear in output (check runs, comments, the drift endpoint's answer). */
  secrets: string[];
  /**
   * What each repository's policies may reach, by `owner/repo` or `owner/*` (an installation's account), from
   * the file CHARTER_REACH_FILE names. A repository listed nowhere reaches nothing: no variables, no AWS.
   */
  reach: Record<string, ReachConfig>;
  /** Key of the HMAC of secrets in the fingerprint, derived from the plan signing key. */
  secretHashKey?: string;
  /**
   * HMAC key of the plan meta in the sticky comment: `CHARTER_PLAN_SIGNING_KEY`, else derived from the app's
   * private key (HKDF-SHA256), which every replica has and no repository can read. Undefined only when
   * neither is configured, and then the app refuses to start.
   */
  planSigningKey?: string;
  /** `REDIS_URL` (as Probot reads it): plans and applies take a per-repository lock every replica shares. */
  redisUrl?: string;
  /**
   * With `REDIS_URL`: how long a replica's locks and held deliveries outlive it (ms, default 60 s; renewed
   * while it lives), and how often each replica looks for work a dead one left to take over.
   */
  leaseMs?: number;
  /** Jobs run at once (default: the CPU count) and jobs allowed to wait (default 10,000). */
  work?: WorkConfig;
  /** Spacing of GitHub writes per installation token and of comment creations per repository. */
  throttle?: ThrottleConfig;
  /**
   * A plan's check run is created "in progress" only when the plan takes longer than this (ms); a faster plan
   * creates it already completed, one write instead of two.
   */
  checkInProgressAfterMs?: number;
  /**
   * Slack-compatible webhook for apply results and drift (`CHARTER_NOTIFY_WEBHOOK_URL`). Only the app's own
   * environment sets it: nothing in a repository (`.github/charter.yml`, a pull request) can name or change
   * where notifications go. A secret: in `secrets`, never logged.
   */
  notifyWebhook?: string;
  /** Web address of GitHub (`https://github.com`, or `https://GHE_HOST`): links in notifications. */
  webUrl?: string;
  /** Groups of changes one apply runs at once (`CHARTER_APPLY_CONCURRENCY`, 1 to MAX_CONCURRENCY; default 8). */
  applyConcurrency?: number;
  /**
   * Least time between two updates of an apply's check run summary while it runs (ms). Always the default
   * (10 s) in production: not read from the environment; the app harness shortens it for tests.
   */
  applyProgressMs?: number;
}

export interface WorkConfig {
  concurrency: number;
  maxQueued: number;
}

export const DEFAULT_MAX_QUEUED = 10_000;
export const DEFAULT_CHECK_IN_PROGRESS_AFTER_MS = 2_000;

/** Jobs per CPU: a plan mostly waits on GitHub and AWS (and on the write spacing), so a few per CPU keep it busy. */
export const JOBS_PER_CPU = 8;

/** The defaults of what the environment may leave out: jobs sized to the CPU count. */
export function defaultWork(): WorkConfig {
  return { concurrency: Math.max(1, availableParallelism()) * JOBS_PER_CPU, maxQueued: DEFAULT_MAX_QUEUED };
}

/** The allowlist of one repository: its own entry, else its owner's `owner/*`, else nothing. */
export function reachConfigFor(config: Pick<AppConfig, 'reach'>, repository: string): ReachConfig | undefined {
  const name = repository.toLowerCase();
  return config.reach[name] ?? config.reach[`${name.split('/')[0]}/*`];
}

/** Parses the allowlist file: `repositories: { "owner/repo": {env, roleArn, redshift, accounts, forks}, "owner/*": ... }`. */
export function parseReachFile(text: string, file: string): Record<string, ReachConfig> {
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: true, maxAliasCount: 0 });
  } catch (error) {
    throw new Error(`${file} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  const top = (raw ?? {}) as Record<string, unknown>;
  if (typeof top !== 'object' || Array.isArray(top) || Object.keys(top).some((k) => k !== 'repositories')) throw new Error(`${file} must be a mapping with one key, repositories`);
  const repos = (top.repositories ?? {}) as Record<string, unknown>;
  if (typeof repos !== 'object' || Array.isArray(repos)) throw new Error(`${file}: repositories must be a mapping of owner/repo (or owner/*) to settings`);
  const out: Record<string, ReachConfig> = {};
  for (const [name, value] of Object.entries(repos)) {
    if (!/^[A-Za-z0-9-]{1,39}\/([A-Za-z0-9._-]{1,100}|\*)$/.test(name)) throw new Error(`${file}: ${JSON.stringify(name)} is not owner/repo or owner/*`);
    out[name.toLowerCase()] = parseReachConfig(value, `${file}: repositories.${name}`);
  }
  return out;
}

function reachFile(env: NodeJS.ProcessEnv): Record<string, ReachConfig> {
  const file = env.CHARTER_REACH_FILE?.trim();
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`CHARTER_REACH_FILE ${file} cannot be read: ${(error as Error).message}`);
  }
  return parseReachFile(text, file);
}

export const DEFAULT_DRIFT_SCHEDULE = '17 6 * * *';
export const DEFAULT_DRIFT_PATH = '/charter/drift';

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  return parseBoolean(env[name], fallback, name);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer of at least ${min}, got "${raw}"`);
  return n;
}

function schedule(env: NodeJS.ProcessEnv, timezone: string): string | undefined {
  const raw = (env.CHARTER_DRIFT_SCHEDULE ?? DEFAULT_DRIFT_SCHEDULE).trim();
  if (raw === '' || raw.toLowerCase() === 'off') return undefined;
  try {
    new Cron(raw, { paused: true, timezone }).stop();
  } catch (error) {
    throw new Error(`CHARTER_DRIFT_SCHEDULE is not a cron pattern: ${(error as Error).message}`);
  }
  return raw;
}

/** The app's private key as Probot reads it: `PRIVATE_KEY`, else the file at `PRIVATE_KEY_PATH`. */
function privateKey(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PRIVATE_KEY) return env.PRIVATE_KEY;
  if (!env.PRIVATE_KEY_PATH) return undefined;
  try {
    return readFileSync(env.PRIVATE_KEY_PATH, 'utf8');
  } catch {
    return undefined; // Probot reports a missing key file itself.
  }
}

/**
 * The plan meta's signing key. A dedicated `CHARTER_PLAN_SIGNING_KEY` survives a rotation of the private
 * key; the derived one changes with it (plans reviewed before a rotation must be planned again).
 */
function planSigningKey(env: NodeJS.ProcessEnv, key: string | undefined): string | undefined {
  const dedicated = env.CHARTER_PLAN_SIGNING_KEY?.trim();
  if (dedicated !== undefined && dedicated !== '') {
    if (dedicated.length < 32) throw new Error('CHARTER_PLAN_SIGNING_KEY must be at least 32 characters long (use a random secret)');
    return dedicated;
  }
  if (!key) return undefined;
  return Buffer.from(hkdfSync('sha256', key.replace(/\\n/g, '\n'), 'charter', 'charter plan meta signing key v1', 32)).toString('hex');
}

export function readAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const timezone = env.CHARTER_DRIFT_TIMEZONE?.trim() || 'UTC';
  const token = env.CHARTER_DRIFT_TOKEN?.trim() || undefined;
  if (token && token.length < 16) throw new Error('CHARTER_DRIFT_TOKEN must be at least 16 characters long');
  const path = env.CHARTER_DRIFT_PATH?.trim() || DEFAULT_DRIFT_PATH;
  if (!path.startsWith('/')) throw new Error(`CHARTER_DRIFT_PATH must start with "/", got "${path}"`);
  const aws: AwsSettings = {};
  if (env.CHARTER_AWS_ENDPOINT) aws.endpoint = env.CHARTER_AWS_ENDPOINT;
  if (env.CHARTER_AWS_REGION) aws.region = env.CHARTER_AWS_REGION;
  const policyPaths = parseList(env.CHARTER_POLICY_PATHS);
  const key = privateKey(env);
  const signingKey = planSigningKey(env, key);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  const notifyRaw = env.CHARTER_NOTIFY_WEBHOOK_URL?.trim() || undefined;
  const notifyWebhook = notifyRaw && parseWebhookUrl(notifyRaw, 'CHARTER_NOTIFY_WEBHOOK_URL');
  const gheHost = env.GHE_HOST?.trim();
  return {
    policyPaths: policyPaths.length ? policyPaths : [...DEFAULT_POLICY_PATHS],
    aws,
    allowDestructive: bool(env, 'CHARTER_ALLOW_DESTRUCTIVE', false),
    ...(env.CHARTER_CHANGE_THRESHOLD ? { changeThresholdPercent: parseThresholdPercent(env.CHARTER_CHANGE_THRESHOLD, 'CHARTER_CHANGE_THRESHOLD') } : {}),
    allowApplyBeforeMerge: bool(env, 'CHARTER_ALLOW_APPLY_BEFORE_MERGE', false),
    drift: {
      schedule: schedule(env, timezone),
      timezone,
      token,
      path,
      concurrency: positiveInt(env, 'CHARTER_DRIFT_CONCURRENCY', 4),
    },
    botLogin: env.CHARTER_BOT_LOGIN?.trim() || undefined,
    reach: reachFile(env),
    ...(signingKey ? { secretHashKey: secretDigestKey(signingKey) } : {}),
    ...(signingKey ? { planSigningKey: signingKey } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    work: {
      concurrency: positiveInt(env, 'CHARTER_CONCURRENCY', defaultWork().concurrency),
      maxQueued: positiveInt(env, 'CHARTER_MAX_QUEUED', DEFAULT_MAX_QUEUED),
    },
    throttle: {
      writeMs: positiveInt(env, 'CHARTER_THROTTLE_WRITE_MS', DEFAULT_THROTTLE.writeMs, 0),
      notifyMs: positiveInt(env, 'CHARTER_THROTTLE_NOTIFY_MS', DEFAULT_THROTTLE.notifyMs, 0),
    },
    applyConcurrency: parseConcurrency(env.CHARTER_APPLY_CONCURRENCY, DEFAULT_CONCURRENCY, MAX_CONCURRENCY, 'CHARTER_APPLY_CONCURRENCY'),
    checkInProgressAfterMs: positiveInt(env, 'CHARTER_CHECK_IN_PROGRESS_AFTER_MS', DEFAULT_CHECK_IN_PROGRESS_AFTER_MS, 0),
    ...(notifyWebhook ? { notifyWebhook } : {}),
    webUrl: gheHost ? `${env.GHE_PROTOCOL?.trim() || 'https'}://${gheHost}` : 'https://github.com',
    secrets: [key, signingKey, redisUrl, notifyRaw, notifyWebhook, env.WEBHOOK_SECRET, env.GITHUB_CLIENT_SECRET, token, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter(
      (s): s is string => typeof s === 'string' && s.length >= 8,
    ),
  };
}

/** Replaces every configured secret in `text` (error messages end up in check runs and logs). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    out = out.split(secret).join('***');
    // A PEM key may be quoted line by line in an error: redact its body lines too.
    // (`PRIVATE_KEY` may hold its line breaks as literal `\n`, as Probot accepts.)
    for (const line of secret.split(/\r?\n|\\n/)) if (line.length >= 16 && !line.startsWith('-----')) out = out.split(line).join('***');
  }
  return out;
}
