/**
 * GitHub clients throttled per installation token, as GitHub's secondary-limit guidance asks ("serial
 * writes, about a second apart, per user or token"), not per process.
 *
 * Probot's event client (`context.octokit`) gives every installation the throttling id "no-id", so the
 * write limiter of `@octokit/plugin-throttling` (one write at a time, 1 s apart) and its notification
 * limiter (3 s between comment and issue creations) are shared by the whole process: one plan every few
 * seconds whatever the load. Here each event gets a client built the way `probot.auth(installationId)`
 * builds one (same options, same token cache), with its own limiters: writes keyed by installation,
 * notification-triggering writes (comments, issues) keyed by installation and repository.
 *
 * With `REDIS_URL`, Probot gives the throttling options a Redis Bottleneck connection; the limiters here are
 * made on that connection, so every replica shares the same per-token spacing.
 *
 * Probot's clients carry @octokit/plugin-retry (5xx answers, comment writes included, are retried 3 times)
 * and @octokit/plugin-throttling; Probot's app-level handler only logs a secondary rate limit, so these
 * clients wait its `retry-after` (up to MAX_RATE_LIMIT_WAIT_S) and retry twice, as the Action's and the CLI's do.
 */
import type { Probot } from 'probot';
import Bottleneck from 'bottleneck';
import { DO_NOT_RETRY, MAX_RATE_LIMIT_WAIT_S, type GitHub } from '../github/client.js';
import type { RepoRef } from '../github/repo.js';

export interface ThrottleConfig {
  /** Spacing of writes (and GraphQL requests) per installation token, in ms (GitHub: about 1 s). */
  writeMs: number;
  /** Spacing of writes that notify people (comments, issues) per repository, in ms. */
  notifyMs: number;
}

export const DEFAULT_THROTTLE: ThrottleConfig = { writeMs: 1000, notifyMs: 3000 };

type Limiter = { schedule(options: unknown, task: () => Promise<unknown>): Promise<unknown> };
interface Group {
  key(id: string): Limiter;
}
type BottleneckClass = typeof Bottleneck;

interface ThrottleOptions {
  enabled?: boolean;
  Bottleneck?: BottleneckClass;
  connection?: Bottleneck.IORedisConnection;
  timeout?: number;
  [name: string]: unknown;
}

interface FactoryArgs {
  octokit: { constructor: new (options: Record<string, unknown>) => GitHub };
  octokitOptions: { throttle?: ThrottleOptions; retry?: Record<string, unknown>; auth?: Record<string, unknown>; [name: string]: unknown };
  [name: string]: unknown;
}

/** A client per event, throttled per installation (writes) and per repository (notifications). */
export class InstallationClients {
  private groups?: { write: Group; notify: Group };

  constructor(
    private readonly app: Probot,
    private readonly config: ThrottleConfig,
    /** Prefix of the limiters' ids (in Redis, shared by every replica with the same prefix). */
    private readonly prefix = 'charter',
  ) {}

  /** The client for `repo` of `installationId`. */
  async forRepo(installationId: number, repo: RepoRef): Promise<GitHub> {
    const appOctokit = await this.app.auth();
    const repoKey = `${installationId}/${repo.owner}/${repo.repo}`.toLowerCase();
    return (await appOctokit.auth({
      type: 'installation',
      installationId,
      // As `probot.auth(installationId)` does (probot/lib/octokit/get-authenticated-octokit.js), with our limiters.
      factory: ({ octokit, octokitOptions, ...otherOptions }: FactoryArgs) => {
        const throttle = octokitOptions.throttle;
        const groups = throttle?.enabled ? this.limiters(throttle) : undefined;
        const log = this.app.log.child({ name: 'github', installation: installationId });
        return new octokit.constructor({
          ...octokitOptions,
          log,
          // Probot's retry options (a test may turn retries off) with the statuses a retry cannot change.
          retry: { doNotRetry: DO_NOT_RETRY, ...octokitOptions.retry },
          throttle: groups
            ? {
                ...throttle,
                id: String(installationId),
                onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
                  const retrying = retryCount < 2 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
                  log.warn(`Secondary rate limit on ${options.method} ${options.url}; ${retrying ? `retrying in ${retryAfter} s` : `not retried (retry after ${retryAfter} s)`}`);
                  return retrying;
                },
                write: groups.write,
                // The plugin asks `notifications.key(id)` with the installation id: narrowed to the repository.
                notifications: { key: () => groups.notify.key(repoKey) },
              }
            : { enabled: false },
          auth: { ...octokitOptions.auth, otherOptions, installationId },
        });
      },
    })) as GitHub;
  }

  /** The limiters, made once, on Probot's Redis connection when it has one. */
  private limiters(throttle: ThrottleOptions): { write: Group; notify: Group } {
    if (this.groups) return this.groups;
    const Limiters = throttle.Bottleneck ?? Bottleneck;
    const common = { timeout: throttle.timeout ?? 2 * 60_000, ...(throttle.connection ? { connection: throttle.connection } : {}) };
    this.groups = {
      write: new Limiters.Group({ id: `${this.prefix}-write`, maxConcurrent: 1, minTime: this.config.writeMs, ...common }) as unknown as Group,
      notify: new Limiters.Group({ id: `${this.prefix}-notify`, maxConcurrent: 1, minTime: this.config.notifyMs, ...common }) as unknown as Group,
    };
    return this.groups;
  }
}
