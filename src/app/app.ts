/**
 * The GitHub App: the Action's flows (src/github/flows.ts) on webhooks, with check runs, `/charter`
 * commands, per-repository serialised applies and the drift check across every installation.
 *
 * - `pull_request` opened, synchronize, reopened (and labeled/unlabeled with `charter:allow-destructive`):
 *   check run "Charter plan" on the head commit and the sticky plan comment.
 * - `push` to the default branch: the reviewed plan of the merged pull request is applied (fingerprint
 *   rule), the result goes to the pull request's comment and to the check run "Charter apply".
 * - `issue_comment` created: `/charter plan | apply | help` from users with write access; bots ignored.
 * - `create` / `delete` of a branch: BranchPipelines creates or deletes that branch's pipeline with the
 *   default branch's policies (src/github/branch-event.ts), serialised with the repository's applies.
 * - Drift: in process on a cron schedule and/or `POST /charter/drift` with a bearer token.
 *
 * Plans and applies of a repository run one at a time (src/app/lock.ts: in process, or a Redis lock shared
 * by every replica when REDIS_URL is set). Policies are read from the commit through the API
 * (src/github/policy-source.ts); nothing else is kept between events but a bounded memory of who was told
 * that commands need write access, so the app is otherwise stateless.
 */
import type { ApplicationFunction, ApplicationFunctionOptions, Context, Probot } from 'probot';
import { Cron } from 'croner';
import { assumeRoleSettings, roleSessionName } from '../aws/assume-role.js';
import { awsRuntime } from '../aws/settings.js';
import { emptyReachConfig, narrowReach, reachFor } from '../core/reach.js';
import type { AwsSettings, Logger } from '../core/provider.js';
import { inlineCode } from '../core/markdown.js';
import { ALLOW_DESTRUCTIVE_LABEL } from '../core/render/index.js';
import { FORCE_LABEL } from '../core/safety.js';
import { APPLY_CHECK, applyCheckResult, errorCheckResult, PLAN_CHECK, planCheckResult } from '../github/check-output.js';
import { completeCheckRun, createCompletedCheckRun, startCheckRun, updateCheckRunOutput, type CheckRunResult, type StartedCheckRun } from '../github/check-run.js';
import { httpStatus, type GitHub, type InstallationRepository } from '../github/client.js';
import { parseBranchEvent, reconcileBranch } from '../github/branch-event.js';
import { githubBranchSource } from '../github/branches.js';
import { applyNotification, driftNotification, type Notification, type Redactor } from '../notify/message.js';
import { sendNotification } from '../notify/webhook.js';
import { applyOnMerge, applyReviewedPlan, checkDrift, planPullRequest, type ApplyOutcome, type EngineOptions, type FlowEnv } from '../github/flows.js';
import { fetchPolicyFiles, type FetchedPolicies } from '../github/policy-source.js';
import { mapLimit } from '../core/concurrency.js';
import { readRepoConfig, type RepoConfig } from '../github/repo-config.js';
import { repositoryName, type RepoRef } from '../github/repo.js';
import { providers } from '../providers/index.js';
import { CheckRunProgress, DEFAULT_APPLY_PROGRESS_MS, type ProgressOutput } from './apply-progress.js';
import { helpReply, parseCommand } from './commands.js';
import { DEFAULT_CHECK_IN_PROGRESS_AFTER_MS, defaultWork, reachConfigFor, redact, type AppConfig } from './config.js';
import { driftEndpoint, type DriftRepoResult, type DriftRun } from './drift.js';
import { LocalLock, RedisLock, type Fence, type Release, type RepoLock } from './lock.js';
import { DEFAULT_THROTTLE, InstallationClients } from './throttle.js';
import { WorkQueue, type Job } from './work.js';

interface RepoTarget {
  gh: GitHub;
  repo: RepoRef;
  defaultBranch: string;
  log: Logger;
  /** Secrets this repository's policies read in this event: redacted from what goes back to it, nowhere else. */
  secrets?: string[];
  /** The installation the event came from (undefined for events without one). */
  installation?: number;
}

interface PlannedPull {
  number: number;
  headSha: string;
  labels: string[];
  fork?: boolean;
}

interface CommandRequest {
  command: NonNullable<ReturnType<typeof parseCommand>>;
  login: string;
  commentId: number;
  issueNumber: number;
  onPullRequest: boolean;
}

/** The coalesce id of a pull request's plans: one waits at most, the newest. */
function planKey(repo: RepoRef, number: number): string {
  return `plan:${repositoryName(repo).toLowerCase()}#${number}`;
}

/** The check run of a plan dropped because the pull request moved on before it was written. */
function supersededResult(planned: string, head: string): CheckRunResult {
  return {
    conclusion: 'neutral',
    title: `Superseded by ${head.slice(0, 12)}`,
    summary: `The pull request moved on to ${head} while ${planned} was planned, so this plan was not written. The plan of the newest head is in the pull request's comment and on that commit's check run.`,
  };
}

type ProbotLog = Context['log'];

function logger(log: ProbotLog): Logger {
  return { debug: (m) => log.debug(m), info: (m) => log.info(m), warn: (m) => log.warn(m) };
}

interface RepositoryPayload {
  owner: { login: string } | null;
  name: string;
  default_branch?: string;
}

function repoOf(repository: RepositoryPayload): RepoRef {
  if (!repository.owner?.login) throw new Error(`The event's repository ${repository.name} has no owner`);
  return { owner: repository.owner.login, repo: repository.name };
}

/** What to do when the default chain finds no credentials, where the app runs. */
const APP_CREDENTIALS_HELP =
  "Give the app's process AWS credentials: the role of where it runs (ECS task role, EKS IRSA, EC2 instance profile), or AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its environment; each repository's role is then assumed from them.";

const WRITE_PERMISSIONS = new Set(['admin', 'maintain', 'write']);

/** A pull request whose head lives in another repository (a fork, or a deleted one). */
function isFork(pr: { head: { repo?: { full_name?: string } | null }; base: { repo?: { full_name?: string } } }): boolean {
  return pr.head.repo?.full_name?.toLowerCase() !== pr.base.repo?.full_name?.toLowerCase();
}

/** How many (repository, pull request, user) denials are remembered; the oldest are forgotten first. */
const DENIALS_KEPT = 10_000;
/** After this long a denied user's permission is looked up again (but never answered a second time). */
const DENIAL_RECHECK_MS = 24 * 60 * 60_000;

/** With Redis: how long a dead replica's locks and held deliveries last (renewed while it lives). */
const DEFAULT_LEASE_MS = 60_000;

/** How long a replica's claim on a scheduled drift tick is kept (longer than any clock skew between replicas). */
const DRIFT_TICK_CLAIM_MS = 10 * 60_000;

/** The running app: handlers, the per-repository lock and the drift check. */
/** Assumed-role sessions (and their SDK clients) kept between plans: bounded, whatever the number of repositories. */
const MAX_CACHED_ROLES = 256;

export class CharterApp {
  /** Plans and applies per repository, one at a time (shared by every replica with Redis). */
  readonly locks: RepoLock;
  private identity?: Promise<{ login: string; appId: number }>;
  private driftRun?: Promise<DriftRun>;
  private cron?: Cron;
  /** With Redis: the timer looking for deliveries a dead replica left unfinished. */
  private resumer?: NodeJS.Timeout;
  private resuming = false;
  /** `repo#pr@user` → when a user without write access was last looked up. */
  private readonly denied = new Map<string, number>();
  /** `repo#pr@user` already told that commands need write access: at most one reply each. */
  private readonly answered = new Set<string>();
  /** GitHub clients throttled per installation token (writes) and per repository (comments). */
  readonly clients: InstallationClients;
  /** Where webhooks' work waits: bounded, one job per repository at a time, pull request plans coalesced. */
  readonly work: WorkQueue;
  /** Jobs that failed since `drained()` was last called (the newest few). */
  private failures: unknown[] = [];
  /**
   * Assumed-role settings per role, session (the repository) and parent: their credentials are renewed before
   * expiry and their SDK clients are cached with them, so plans of one repository share both instead of
   * calling STS and building clients per plan. Keyed by the session name, so no repository uses another's.
   */
  private readonly roles = new Map<string, AwsSettings>();

  constructor(
    readonly app: Probot,
    readonly config: AppConfig,
  ) {
    if (!config.planSigningKey) {
      throw new Error('Charter needs a key to sign reviewed plans: set CHARTER_PLAN_SIGNING_KEY, or PRIVATE_KEY (the key is derived from it)');
    }
    this.appAws = { credentialsHelp: APP_CREDENTIALS_HELP, ...config.aws };
    this.locks = config.redisUrl ? RedisLock.connect(config.redisUrl, { ttlMs: config.leaseMs }) : new LocalLock();
    this.clients = new InstallationClients(app, config.throttle ?? DEFAULT_THROTTLE);
    const work = config.work ?? defaultWork();
    this.work = new WorkQueue({
      ...work,
      onError: (job, error) => {
        // The delivery was acknowledged already: the failure is logged (and is on the check run).
        app.log.error(`${job.label} failed: ${this.reason(error)}`);
        this.failures.push(error);
        if (this.failures.length > 100) this.failures.shift();
      },
    });
  }

  /**
   * Waits until every queued job has run; throws the first failure among the jobs since the last call (the
   * work of a webhook runs after its delivery was acknowledged, so this is where its errors surface).
   */
  async drained(): Promise<void> {
    await this.work.idle();
    const [first] = this.failures;
    this.failures = [];
    if (first !== undefined) throw first;
  }

  register(options?: Partial<ApplicationFunctionOptions>): void {
    const app = this.app;
    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], (context) => this.onPullRequest(context));
    app.on(['pull_request.labeled', 'pull_request.unlabeled'], async (context) => {
      // Labels that change what the plan may do: the plan is redone (its meta records them).
      const name = context.payload.label?.name;
      if (name === ALLOW_DESTRUCTIVE_LABEL || name === FORCE_LABEL) await this.onPullRequest(context);
    });
    app.on('push', (context) => this.onPush(context));
    app.on('issue_comment.created', (context) => this.onComment(context));
    app.on(['create', 'delete'], (context) => this.onBranch(context));
    if (this.config.drift.token) {
      const endpoint = driftEndpoint({
        path: this.config.drift.path,
        token: this.config.drift.token,
        run: () => this.driftEverywhere(),
        busy: () => Boolean(this.driftRun),
        secrets: this.config.secrets,
      });
      try {
        if (!options?.addHandler) throw new Error('no HTTP server');
        options.addHandler(endpoint);
        app.log.info(`Drift endpoint: POST ${this.config.drift.path} (bearer token)`);
      } catch (error) {
        // `probot.load()` outside a server (serverless adapters) has nowhere to mount the endpoint.
        app.log.warn(`The drift endpoint ${this.config.drift.path} is not served: ${(error as Error).message}`);
      }
    }
    if (this.config.redisUrl) {
      this.resumer = setInterval(() => void this.resumeOrphans(), this.config.leaseMs ?? DEFAULT_LEASE_MS);
      this.resumer.unref();
    }
    if (this.config.drift.schedule) {
      this.cron = new Cron(this.config.drift.schedule, { timezone: this.config.drift.timezone, unref: true, protect: true }, async () => {
        try {
          // Every replica fires at the same scheduled second: the first to claim that second runs the check.
          const tick = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
          if (!(await this.locks.claim(`drift:${tick}`, DRIFT_TICK_CLAIM_MS))) {
            app.log.info(`Scheduled drift check of ${tick}: run by another replica`);
            return;
          }
          const run = await this.driftEverywhere();
          app.log.info(`Scheduled drift check: ${run.results.length} repositories, ${run.failed} failed`);
        } catch (error) {
          app.log.error(`Scheduled drift check failed: ${this.reason(error)}`);
        }
      });
      app.log.info(`Drift check scheduled "${this.config.drift.schedule}" (${this.config.drift.timezone}); next at ${this.cron.nextRun()?.toISOString()}`);
    }
  }

  /**
   * Takes over the deliveries a dead replica held (queued or running when it died): each is handled again
   * here, as if redelivered (a plan is redone on the pull request's head; an apply is guarded by the reviewed
   * plan and finds what was applied already). Holding it again decides which live replica takes it.
   */
  async resumeOrphans(): Promise<number> {
    if (this.resuming) return 0;
    this.resuming = true;
    let resumed = 0;
    try {
      for (const { key, record } of await this.locks.orphans()) {
        if (!key.startsWith('delivery:')) continue;
        const id = key.slice('delivery:'.length);
        try {
          const { name, payload } = JSON.parse(record) as { name: string; payload: unknown };
          this.app.log.warn(`delivery ${id} (${name}): its replica stopped before finishing it; handling it here`);
          await this.app.receive({ id, name, payload } as never);
          resumed++;
        } catch (error) {
          this.app.log.error(`delivery ${id}: could not be resumed: ${this.reason(error)}`);
        }
      }
    } catch (error) {
      this.app.log.error(`Looking for deliveries left by stopped replicas failed: ${this.reason(error)}`);
    } finally {
      this.resuming = false;
    }
    return resumed;
  }

  /** Stops the in-process schedule and waits for a drift run in progress (its outcome is reported where it was started). */
  async stop(): Promise<void> {
    clearInterval(this.resumer);
    this.cron?.stop();
    await this.work.idle();
    await this.driftRun?.then(
      () => undefined,
      () => undefined,
    );
    await this.locks.close();
  }

  /** The next scheduled drift check, if there is a schedule. */
  nextDriftCheck(): Date | undefined {
    return this.cron?.nextRun() ?? undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Helpers

  /** An error as one line for a check run or a reply: the GitHub status or AWS error name, secrets redacted. */
  reason(error: unknown, target?: RepoTarget): string {
    let text: string;
    const status = httpStatus(error);
    if (status !== undefined) text = `GitHub API error ${status}: ${(error as Error).message}`;
    else if (error instanceof Error) text = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
    else text = String(error);
    return redact(text, this.secretsOf(target));
  }

  /** The app's own secrets and those the repository's policies read in this event. */
  private secretsOf(target?: RepoTarget): string[] {
    return target?.secrets?.length ? [...this.config.secrets, ...target.secrets] : this.config.secrets;
  }

  /**
   * Posts a notification to the app's webhook (CHARTER_NOTIFY_WEBHOOK_URL), if one is configured. Bounded
   * (one POST, a timeout) and never throws: a chat outage is a warning, not a failed apply or drift check.
   */
  private async notify(target: RepoTarget, build: (redact: Redactor) => Notification | undefined): Promise<void> {
    if (!this.config.notifyWebhook) return;
    const message = build((text) => redact(text, this.secretsOf(target)));
    if (message) await sendNotification({ url: this.config.notifyWebhook }, message, target.log);
  }

  /** A check run's output with every configured secret redacted (provider errors end up in it). */
  private redactResult(result: CheckRunResult, target: RepoTarget): CheckRunResult {
    const clean = (text: string) => redact(text, this.secretsOf(target));
    return {
      ...result,
      title: clean(result.title),
      summary: clean(result.summary),
      ...(result.text !== undefined ? { text: clean(result.text) } : {}),
      ...(result.annotations ? { annotations: result.annotations.map((a) => ({ ...a, title: clean(a.title), message: clean(a.message) })) } : {}),
    };
  }

  /**
   * The error to rethrow to Probot, which logs it and answers the delivery with its message: the same error
   * unless its message or stack holds a secret, else a copy with them redacted (keeping name and status).
   */
  private redactError(error: unknown, target: RepoTarget): unknown {
    if (!(error instanceof Error)) return error;
    const secrets = this.secretsOf(target);
    const message = redact(error.message, secrets);
    if (message === error.message && redact(error.stack ?? '', secrets) === (error.stack ?? '')) return error;
    const safe = new Error(message);
    safe.name = error.name;
    const status = httpStatus(error);
    if (status !== undefined) Object.assign(safe, { status });
    return safe;
  }

  /** The app's bot login and id (`GET /app`, once): only comments written by both are Charter's. */
  private bot(): Promise<{ login: string; appId: number }> {
    this.identity ??= (async () => {
      const octokit = await this.app.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data?.slug || typeof data.id !== 'number') throw new Error('GET /app returned no slug or id: cannot tell which comments are Charter\'s');
      return { login: this.config.botLogin ?? `${data.slug}[bot]`, appId: data.id };
    })();
    return this.identity.catch((error: unknown) => {
      this.identity = undefined;
      throw error;
    });
  }

  /** The app's own AWS settings, one object for the app's life: SDK clients are cached per settings object. */
  private readonly appAws: AwsSettings;

  private assumed(parent: AwsSettings, parentRole: string, roleArn: string, session: string): AwsSettings {
    const key = JSON.stringify([parentRole, roleArn, session]);
    let settings = this.roles.get(key);
    if (settings) {
      // Most recently used last, so the oldest is the one dropped when the cache is full.
      this.roles.delete(key);
    } else {
      settings = assumeRoleSettings(parent, roleArn, session);
      if (this.roles.size >= MAX_CACHED_ROLES) this.roles.delete(this.roles.keys().next().value!);
    }
    this.roles.set(key, settings);
    return settings;
  }

  /**
   * The engine for one repository: policies reach only what the app's configuration grants it (narrowed by
   * its `.github/charter.yml`), with AWS credentials of the repository's own role (STS AssumeRole, the
   * session named after the repository) and account roles chained from it; none configured, no AWS at all.
   */
  private engine(source: FetchedPolicies, paths: string[], target: RepoTarget, settings: RepoConfig, fork = false): EngineOptions {
    const name = repositoryName(target.repo);
    const granted = reachConfigFor(this.config, name) ?? emptyReachConfig();
    const config = narrowReach(granted, settings.allow);
    const base = awsRuntime(this.appAws, target.log);
    const aws = config.roleArn ? this.assumed(this.appAws, '', config.roleArn, roleSessionName(name)) : this.appAws;
    const secrets = (target.secrets ??= []);
    // The app's own default paths may match nothing (an org-wide installation); paths a repository named may not.
    const named = paths !== this.config.policyPaths;
    return {
      cwd: source.dir,
      paths,
      pathsNamed: named,
      allowNoPolicies: !named,
      ...(this.config.changeThresholdPercent !== undefined ? { safety: { thresholdPercent: this.config.changeThresholdPercent } } : {}),
      providers,
      execution: { concurrency: this.config.applyConcurrency },
      runtime: {
        ...base,
        aws,
        reach: reachFor(config, { fork, aws: Boolean(config.roleArn) }),
        accountAws: (_account, roleArn) => this.assumed(aws, config.roleArn ?? '', roleArn, roleSessionName(name)),
        secretHashKey: this.config.secretHashKey,
        // BranchPipelines lists the branches of the event's repository only: the installation token reaches
        // every repository of the installation, and a pull request's policy may name any of them.
        branches: githubBranchSource(target.gh, { allowed: [name] }),
        // Allowlisted secrets the policies read are redacted from what this event reports, for this repository only.
        maskSecret: (value) => {
          if (!secrets.includes(value)) secrets.push(value);
        },
      },
    };
  }

  private async flowEnv(target: RepoTarget, source: FetchedPolicies, paths: string[], settings: RepoConfig, fence: Fence, fork = false): Promise<FlowEnv> {
    const { login, appId } = await this.bot();
    return {
      gh: target.gh,
      repo: target.repo,
      engine: this.engine(source, paths, target, settings, fork),
      comment: true,
      trust: { authors: [login], appId, signingKey: this.config.planSigningKey },
      allowDestructive: this.config.allowDestructive,
      fence,
      log: target.log,
    };
  }

  /** Runs `task` holding the repository's lock: plans and applies of one repository never overlap. */
  private serialised<T>(target: RepoTarget, task: (fence: Fence) => Promise<T>): Promise<T> {
    return this.locks.run(repositoryName(target.repo).toLowerCase(), (fence, token) => {
      target.log.debug(`${repositoryName(target.repo)}: lock taken (fencing token ${token})`);
      return task(fence);
    });
  }

  /**
   * Runs `work`, which starts the check run (lazily: nothing is created for a repository without policies)
   * and returns its result. Any error ends the check run as failed with the reason and is rethrown.
   *
   * With `inProgressAfterMs`, `start()` creates the check run "in progress" only once the work has taken that
   * long; work done sooner creates it already completed (one write instead of two), and work that calls
   * `quiet()` writes its result only to a check run that exists already (a plan dropped as superseded).
   */
  private async checked(
    target: RepoTarget,
    name: string,
    sha: string,
    work: (start: () => Promise<void>, quiet: () => void, update: (output: ProgressOutput) => Promise<void>) => Promise<CheckRunResult | undefined>,
    inProgressAfterMs?: number,
  ): Promise<void> {
    const startedAt = new Date();
    let creating: Promise<StartedCheckRun> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let quiet = false;
    const create = () => (creating ??= startCheckRun(target.gh, target.repo, name, sha));
    const start = async () => {
      if (inProgressAfterMs === undefined) {
        await create();
        return;
      }
      timer ??= setTimeout(() => void create().catch(() => undefined), inProgressAfterMs);
    };
    const finish = async (result: CheckRunResult) => {
      clearTimeout(timer);
      if (creating) await completeCheckRun(target.gh, target.repo, (await creating).id, result);
      else if (!quiet) await createCompletedCheckRun(target.gh, target.repo, name, sha, result, startedAt);
    };
    try {
      // Progress on a check run already created in progress (an apply's), redacted like its final result.
      const update = async (output: ProgressOutput) => {
        if (!creating) return;
        const clean = (text: string) => redact(text, this.secretsOf(target));
        await updateCheckRunOutput(target.gh, target.repo, (await creating).id, { title: clean(output.title), summary: clean(output.summary) });
      };
      const result = await work(start, () => (quiet = true), update);
      clearTimeout(timer);
      if (result && (creating || timer)) await finish(this.redactResult(result, target));
    } catch (error) {
      clearTimeout(timer);
      const reason = this.reason(error, target);
      try {
        quiet = false;
        await finish(errorCheckResult(reason));
      } catch (reportError) {
        target.log.warn(`Could not mark the check run "${name}" failed: ${this.reason(reportError)}`);
      }
      throw this.redactError(error, target);
    }
  }

  /** Fetches the policies of `sha` (paths from `.github/charter.yml` on `configRef`, else the app's) and runs `use`. */
  private async withPolicies<T>(
    target: RepoTarget,
    sha: string,
    configRef: string,
    use: (source: FetchedPolicies, paths: string[], settings: RepoConfig) => Promise<T>,
  ): Promise<T | undefined> {
    const settings = await readRepoConfig(target.gh, target.repo, configRef);
    const paths = settings.policies ?? this.config.policyPaths;
    const source = await fetchPolicyFiles(target.gh, target.repo, sha, paths);
    try {
      // Skipped quietly only on the app's defaults: paths `.github/charter.yml` names go to the engine, which
      // reports each one matching nothing (withPolicies passes the config's own array for the defaults).
      if (!source.policyFiles && !settings.policies) {
        target.log.debug(`${repositoryName(target.repo)}@${sha.slice(0, 12)}: no policy files under ${paths.join(', ')}; nothing to do`);
        return undefined;
      }
      return await use(source, paths, settings);
    } finally {
      await source.dispose();
    }
  }

  private async reply(target: RepoTarget, issueNumber: number, body: string): Promise<void> {
    await target.gh.rest.issues.createComment({ owner: target.repo.owner, repo: target.repo.repo, issue_number: issueNumber, body });
  }

  // -------------------------------------------------------------------------------------------------------
  // Flows

  /** Plan → check run "Charter plan" and the sticky comment. */
  async plan(target: RepoTarget, pr: PlannedPull): Promise<void> {
    let movedTo: string | undefined;
    await this.serialised(target, (fence) =>
      this.checked(
        target,
        PLAN_CHECK,
        pr.headSha,
        async (start, quiet) =>
          this.withPolicies(target, pr.headSha, target.defaultBranch, async (source, paths, settings) => {
            await start();
            const { fork, ...planned } = pr;
            const outcome = await planPullRequest(await this.flowEnv(target, source, paths, settings, fence, fork), planned);
            if (outcome.movedTo) {
              // The newest head wins: this plan is dropped before it writes anything but its own check run.
              movedTo = outcome.movedTo;
              quiet();
              return supersededResult(pr.headSha, outcome.movedTo);
            }
            const url = typeof outcome.comment === 'object' ? outcome.comment.url : undefined;
            return planCheckResult(outcome.input, url);
          }),
        this.config.checkInProgressAfterMs ?? DEFAULT_CHECK_IN_PROGRESS_AFTER_MS,
      ),
    );
    // Deliveries can arrive out of order: make sure the head GitHub has now gets planned (unless queued already).
    if (movedTo && target.installation !== undefined && !this.work.waiting(planKey(target.repo, pr.number))) {
      this.queuePlan(target, target.installation, { ...pr, headSha: movedTo }, `plan of ${repositoryName(target.repo)}#${pr.number}@${movedTo.slice(0, 12)} (the head it moved on to)`);
    }
  }

  /**
   * Applies at `sha` (serialised per repository): the merge commit on the default branch, or the head of an
   * open pull request when the repository allows apply before merge (`pr` given).
   */
  apply(target: RepoTarget, sha: string, pr?: { number: number; headSha: string }): Promise<void> {
    return this.serialised(target, (fence) =>
      this.checked(target, APPLY_CHECK, sha, async (start, _quiet, update) => {
        const result = await this.withPolicies(target, sha, pr ? target.defaultBranch : sha, async (source, paths, settings) => {
          await start();
          const env = await this.flowEnv(target, source, paths, settings, fence);
          // The check run's summary follows the apply, rewritten at most every 10 s.
          const progress = new CheckRunProgress(update, { intervalMs: this.config.applyProgressMs ?? DEFAULT_APPLY_PROGRESS_MS, warn: (m) => target.log.warn(m) });
          env.engine = { ...env.engine, execution: { ...env.engine.execution, onEvent: progress.onEvent } };
          let outcome: ApplyOutcome;
          try {
            outcome = pr ? await applyReviewedPlan(env, pr, sha, { reviewedAt: sha }) : await applyOnMerge(env, sha, { emptyPlanNeedsNoReview: true });
          } finally {
            await progress.stop();
          }
          target.log.info(redact(`${repositoryName(target.repo)}@${sha.slice(0, 12)}: apply ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}`, this.secretsOf(target)));
          await this.notify(target, (redactor) =>
            applyNotification(
              {
                repository: repositoryName(target.repo),
                status: outcome.status,
                pullRequest: outcome.pullRequest,
                plan: outcome.plan,
                report: outcome.report,
                reason: outcome.reason,
                pullRequestUrl: outcome.pullRequest !== undefined && this.config.webUrl ? `${this.config.webUrl}/${repositoryName(target.repo)}/pull/${outcome.pullRequest}` : undefined,
              },
              redactor,
            ),
          );
          // The sticky comment shows refusals and results; anything else is said in a reply.
          if (!outcome.ok && !outcome.input && outcome.pullRequest !== undefined) {
            await this.reply(target, outcome.pullRequest, `Charter did not apply anything: ${redact(outcome.reason ?? outcome.status, this.secretsOf(target))}`);
          }
          return applyCheckResult(outcome);
        });
        if (result === undefined && pr) await this.reply(target, pr.number, 'Charter found no policy files in this pull request; nothing to apply.');
        return result;
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------------
  // Events

  /**
   * Queues the work of a delivery: the webhook is acknowledged at once. Only what the job needs is kept
   * (not the payload), so waiting jobs stay small; the client is made when the job starts (its token too).
   */
  private async enqueue(context: Context, repository: RepositoryPayload, label: string, run: (target: RepoTarget) => Promise<void>, coalesce?: string): Promise<void> {
    const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
    const repo = repoOf(repository);
    const base = { repo, defaultBranch: repository.default_branch ?? 'main', log: logger(context.log), installation };
    // Without an installation (not sent to apps) the event's own client is all there is.
    const fallback = installation === undefined ? context.octokit : undefined;
    // One delivery handled once at a time, across replicas: a copy that arrives while it is still queued or
    // running (a proxy retrying after a timeout) is skipped. Only while in flight: once done, the hold is
    // released, so a redelivery from GitHub (a user retrying) runs again.
    let release: Release | undefined;
    if (context.id) {
      // Recorded with it (in Redis): if this replica dies before the work is done, another one resumes it.
      release = await this.locks.hold(`delivery:${context.id}`, JSON.stringify({ name: context.name, payload: context.payload }));
      if (!release) {
        context.log.info(`delivery ${context.id} (${label}): already being handled (by this or another replica); skipped`);
        return;
      }
    }
    const settled = release && (() => release());
    try {
      this.queue({ key: repositoryName(repo).toLowerCase(), label, coalesce, settled }, base, fallback, run);
    } catch (error) {
      await settled?.();
      throw error;
    }
  }

  private queue(
    job: Omit<Job, 'run'>,
    base: Omit<RepoTarget, 'gh'>,
    fallback: GitHub | undefined,
    run: (target: RepoTarget) => Promise<void>,
  ): void {
    const result = this.work.push({
      ...job,
      run: async () => {
        const gh = fallback ?? (await this.clients.forRepo(base.installation as number, base.repo));
        const target: RepoTarget = { ...base, gh };
        try {
          await run(target);
        } catch (error) {
          throw this.redactError(error, target);
        }
      },
    });
    base.log.debug(`${job.label}: ${result}`);
  }

  /** Queues a plan of a pull request; a plan of the same pull request still waiting is replaced by it. */
  private queuePlan(target: Omit<RepoTarget, 'gh'>, installation: number, pr: PlannedPull, label: string): void {
    this.queue({ key: repositoryName(target.repo).toLowerCase(), label, coalesce: planKey(target.repo, pr.number) }, { ...target, installation }, undefined, (t) => this.plan(t, pr));
  }

  async onPullRequest(
    context: Context<'pull_request.opened' | 'pull_request.synchronize' | 'pull_request.reopened' | 'pull_request.labeled' | 'pull_request.unlabeled'>,
  ): Promise<void> {
    const { pull_request: pr, repository } = context.payload;
    if (pr.state !== 'open') return;
    const planned: PlannedPull = { number: pr.number, headSha: pr.head.sha, labels: pr.labels.map((l) => l.name), fork: isFork(pr) };
    const repo = repoOf(repository);
    await this.enqueue(context, repository, `plan of ${repositoryName(repo)}#${pr.number}@${pr.head.sha.slice(0, 12)}`, (target) => this.plan(target, planned), planKey(repo, pr.number));
  }

  async onPush(context: Context<'push'>): Promise<void> {
    const { ref, after, deleted, repository } = context.payload;
    const defaultBranch = repository.default_branch ?? repository.master_branch;
    if (ref !== `refs/heads/${defaultBranch}` || deleted || /^0+$/.test(after)) {
      context.log.debug(`push to ${ref}: not the default branch (${defaultBranch}); nothing to apply`);
      return;
    }
    const name = `${repository.owner?.login}/${repository.name}`;
    await this.enqueue(context, repository, `apply of ${name}@${after.slice(0, 12)}`, (target) => this.apply({ ...target, defaultBranch: defaultBranch ?? 'main' }, after));
  }

  async onComment(context: Context<'issue_comment.created'>): Promise<void> {
    const { comment, issue, repository } = context.payload;
    if (comment.user?.type === 'Bot' || comment.user?.login.endsWith('[bot]') || context.isBot) {
      context.log.debug(`comment ${comment.id} by ${comment.user?.login}: bots are ignored`);
      return;
    }
    const command = parseCommand(comment.body ?? '');
    if (!command) return;
    const request: CommandRequest = { command, login: comment.user?.login ?? '', commentId: comment.id, issueNumber: issue.number, onPullRequest: Boolean(issue.pull_request) };
    await this.enqueue(context, repository, `/charter ${command.name} on ${repository.owner?.login}/${repository.name}#${issue.number}`, (target) => this.runCommand(target, request));
  }

  private async runCommand(target: RepoTarget, { command, login, commentId, issueNumber, onPullRequest }: CommandRequest): Promise<void> {
    const issue = { number: issueNumber, pull_request: onPullRequest };
    // Commands from users without write access: one lookup and at most one reply per user and pull request.
    const who = `${repositoryName(target.repo).toLowerCase()}#${issue.number}@${login.toLowerCase()}`;
    const deniedAt = this.denied.get(who);
    if (deniedAt !== undefined && Date.now() - deniedAt < DENIAL_RECHECK_MS) {
      target.log.debug(`comment ${commentId} by ${login}: no write access (already answered)`);
      return;
    }
    if (!(await this.canWrite(target, login))) {
      this.remember(this.denied, who, Date.now());
      if (this.answered.has(who)) return;
      this.remember(this.answered, who);
      await this.reply(target, issue.number, `@${login} Charter commands need write access to this repository.`);
      return;
    }
    this.denied.delete(who);
    if (command.name === 'help') return this.reply(target, issue.number, helpReply(command.unknown));
    if (!issue.pull_request) return this.reply(target, issue.number, 'Charter commands work on pull requests.');
    const { data: pr } = await target.gh.rest.pulls.get({ owner: target.repo.owner, repo: target.repo.repo, pull_number: issue.number });
    const labels = pr.labels.map((l) => l.name ?? '').filter(Boolean);
    if (command.name === 'plan') {
      if (pr.state !== 'open') return this.reply(target, issue.number, 'This pull request is closed; Charter plans open pull requests only.');
      return this.plan(target, { number: pr.number, headSha: pr.head.sha, labels, fork: isFork(pr) });
    }
    // apply
    if (pr.merged_at) {
      // A retry after the merge (e.g. a failed apply): only while the merge commit is the default branch's head.
      const { data: branch } = await target.gh.rest.repos.getBranch({ owner: target.repo.owner, repo: target.repo.repo, branch: target.defaultBranch });
      if (!pr.merge_commit_sha || branch.commit.sha !== pr.merge_commit_sha) {
        return this.reply(
          target,
          issue.number,
          `Not applied: ${target.defaultBranch} has moved on since this pull request was merged, so its merge commit is no longer what would be applied. Charter applies each push to ${target.defaultBranch} by itself.`,
        );
      }
      return this.apply(target, pr.merge_commit_sha);
    }
    if (pr.state !== 'open') return this.reply(target, issue.number, 'This pull request was closed without merging; nothing to apply.');
    const settings = await readRepoConfig(target.gh, target.repo, target.defaultBranch);
    if (!(settings.allowApplyBeforeMerge ?? this.config.allowApplyBeforeMerge)) {
      return this.reply(
        target,
        issue.number,
        `Not applied: Charter applies after the merge. To allow ${inlineCode('/charter apply')} before merging, set ${inlineCode('allowApplyBeforeMerge: true')} in ${inlineCode('.github/charter.yml')} on ${target.defaultBranch}.`,
      );
    }
    return this.apply(target, pr.head.sha, { number: pr.number, headSha: pr.head.sha });
  }

  /** Adds to a bounded memory, forgetting the oldest entry when full (Map and Set keep insertion order). */
  private remember(memory: Map<string, number> | Set<string>, key: string, value = 0): void {
    if (memory instanceof Map) {
      memory.delete(key);
      memory.set(key, value);
    } else memory.add(key);
    if (memory.size > DENIALS_KEPT) memory.delete(memory.keys().next().value as string);
  }

  private async canWrite(target: RepoTarget, username: string): Promise<boolean> {
    if (!username) return false;
    try {
      const { data } = await target.gh.rest.repos.getCollaboratorPermissionLevel({ owner: target.repo.owner, repo: target.repo.repo, username });
      return WRITE_PERMISSIONS.has(data.role_name ?? '') || WRITE_PERMISSIONS.has(data.permission);
    } catch (error) {
      if (httpStatus(error) === 404) return false;
      throw error;
    }
  }

  /**
   * A branch was created or deleted: BranchPipelines creates or deletes its pipeline, with the policies of
   * the default branch (never the new branch's), serialised with the repository's applies. The outcome goes
   * to the log; a failed apply (a failing cleanup build keeps the pipeline) fails the queued job (logged as an error).
   */
  async onBranch(context: Context<'create' | 'delete'>): Promise<void> {
    const { repository } = context.payload;
    const parsed = parseBranchEvent(context.name, context.payload);
    if ('ignored' in parsed) {
      context.log.debug(`${context.name}: ${parsed.ignored}; nothing to do`);
      return;
    }
    const { branch, action } = parsed.event;
    const name = `${repository.owner?.login}/${repository.name}`;
    const what = `${name}: branch ${JSON.stringify(branch)} ${action}`;
    await this.enqueue(context, repository, what, (target) =>
      this.serialised(target, async () => {
        const outcome = await this.withPolicies(target, target.defaultBranch, target.defaultBranch, async (source, paths, settings) =>
          reconcileBranch({ gh: target.gh, repo: target.repo, engine: this.engine(source, paths, target, settings), allowDestructive: this.config.allowDestructive, log: target.log }, parsed.event),
        );
        if (!outcome) return target.log.debug(`${what}: no policy files; nothing to do`);
        for (const r of outcome.report?.results ?? []) target.log.info(redact(`${what}: ${r.address} ${r.status}${r.detail ? ` (${r.detail})` : ''}${r.error ? `: ${r.error}` : ''}`, this.secretsOf(target)));
        if (outcome.leftForDrift) target.log.info(`${what}: ${outcome.leftForDrift} change(s) about other branches are left for the drift check`);
        if (!outcome.ok) {
          const reason = redact(outcome.reason ?? outcome.status, this.secretsOf(target));
          target.log.warn(`${what}: ${outcome.status}: ${reason}`);
          throw new Error(reason);
        }
        target.log.info(`${what}: ${outcome.status}`);
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------------
  // Drift

  /** The drift check for every repository of every installation; one run at a time. */
  driftEverywhere(): Promise<DriftRun> {
    if (this.driftRun) return this.driftRun;
    const run = this.runDrift().finally(() => {
      this.driftRun = undefined;
    });
    this.driftRun = run;
    return run;
  }

  private async runDrift(): Promise<DriftRun> {
    const log = this.app.log;
    const appOctokit = await this.app.auth();
    const installations = await appOctokit.paginate(appOctokit.rest.apps.listInstallations, { per_page: 100 });
    const targets: Array<{ installation: number; gh: GitHub; repository: InstallationRepository }> = [];
    const results: DriftRepoResult[] = [];
    for (const installation of installations) {
      if (installation.suspended_at) {
        // A suspended installation cannot get a token (403): nothing to check there, and not a failure.
        const account = installation.account && 'login' in installation.account ? `${installation.account.login}/*` : '*';
        results.push({ installation: installation.id, repository: account, status: 'skipped', reason: 'installation suspended' });
        continue;
      }
      try {
        const octokit = await this.app.auth(installation.id);
        const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
        for (const repository of repositories) targets.push({ installation: installation.id, gh: octokit, repository });
      } catch (error) {
        const reason = this.reason(error);
        log.error(`Drift: cannot list the repositories of installation ${installation.id}: ${reason}`);
        results.push({ installation: installation.id, repository: installation.account && 'login' in installation.account ? `${installation.account.login}/*` : '*', status: 'failed', reason });
      }
    }
    const checked = await mapLimit(targets, this.config.drift.concurrency, async ({ installation, repository }): Promise<DriftRepoResult> => {
      const name = `${repository.owner.login}/${repository.name}`;
      if (repository.archived || repository.disabled) return { installation, repository: name, status: 'skipped', reason: 'archived' };
      const repo = repoOf(repository);
      // Throttled per installation token like the webhooks' work, not by one limit for the whole process.
      const gh = await this.clients.forRepo(installation, repo);
      const target: RepoTarget = { gh, repo, defaultBranch: repository.default_branch ?? 'main', log: logger(log.child({ repository: name })), installation };
      try {
        const outcome = await this.withPolicies(target, target.defaultBranch, target.defaultBranch, async (source, paths, settings) =>
          checkDrift({ gh, repo: target.repo, engine: this.engine(source, paths, target, settings), log: target.log }),
        );
        if (!outcome) return { installation, repository: name, status: 'skipped', reason: 'no policy files' };
        if (!outcome.ok) return { installation, repository: name, status: 'invalid', reason: outcome.reason };
        if (outcome.plan.policies.length) await this.notify(target, (redactor) => driftNotification({ repository: name, plan: outcome.plan, issue: outcome.issue }, redactor));
        return { installation, repository: name, status: outcome.drift ? 'drift' : 'clean', issue: outcome.issue && { action: outcome.issue.action, number: outcome.issue.number } };
      } catch (error) {
        const reason = this.reason(error, target);
        log.error(`Drift check of ${name} failed: ${reason}`);
        return { installation, repository: name, status: 'failed', reason };
      }
    });
    results.push(...checked);
    return { results, failed: results.filter((r) => r.status === 'failed').length };
  }
}

/** The Probot application function for `config`. */
export function createCharterApp(config: AppConfig, onCreated?: (charter: CharterApp) => void): ApplicationFunction {
  return (app, options) => {
    const charter = new CharterApp(app, config);
    charter.register(options);
    onCreated?.(charter);
  };
}
