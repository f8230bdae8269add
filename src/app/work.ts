/**
 * The app's work queue: webhooks are acknowledged at once and their work waits here. At most `concurrency`
 * jobs run at a time (plans hold a few MiB each while they run, so this bounds memory); jobs of one key (a
 * repository) run one after another, in arrival order, without holding a slot while they wait; a job
 * queued under a `coalesce` id that is still waiting is replaced by the newer one (a burst of pushes to one
 * pull request plans once, the newest). The number of waiting jobs is capped: past it, `push` throws and the
 * delivery is answered with an error (GitHub shows it failed; it can be redelivered).
 */

export interface Job {
  /** Jobs with the same key run one at a time, in order (the repository). */
  key: string;
  /** A waiting job with the same id is replaced by this one, keeping its place. */
  coalesce?: string;
  /** What the job is, for logs. */
  label: string;
  run: () => Promise<void>;
  /** Called once when the job has finished, or was replaced by a newer one (that job keeps its own). */
  settled?: () => Promise<void> | void;
}

export interface WorkQueueOptions {
  concurrency: number;
  maxQueued: number;
  onError: (job: Job, error: unknown) => void;
}

export class QueueFullError extends Error {
  constructor(max: number) {
    super(`Charter is busy: ${max} jobs are already waiting; this delivery was not queued (redeliver it later)`);
    this.name = 'QueueFullError';
  }
}

export interface WorkStats {
  running: number;
  queued: number;
  /** Jobs replaced by a newer one with the same coalesce id before they ran. */
  coalesced: number;
  done: number;
  failed: number;
  /** The most jobs waiting at once so far. */
  peakQueued: number;
}

export class WorkQueue {
  /** Waiting jobs per key, oldest first. */
  private readonly queues = new Map<string, Job[]>();
  /** Keys with waiting jobs and none running, in the order they became ready. */
  private readonly ready: string[] = [];
  private readyHead = 0;
  private readonly running = new Set<string>();
  private readonly byCoalesce = new Map<string, Job>();
  private idleWaiters: Array<() => void> = [];
  private readonly counts: WorkStats = { running: 0, queued: 0, coalesced: 0, done: 0, failed: 0, peakQueued: 0 };

  constructor(private readonly options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${options.concurrency}`);
  }

  /** Queues `job`: `coalesced` when it replaced a waiting job with the same coalesce id. */
  push(job: Job): 'queued' | 'coalesced' {
    const same = job.coalesce !== undefined ? this.byCoalesce.get(job.coalesce) : undefined;
    if (same) {
      // Replace in place: the waiting job runs the newer work, where the older one stood.
      const replaced = same.settled;
      same.label = job.label;
      same.run = job.run;
      same.settled = job.settled;
      void Promise.resolve(replaced?.()).catch(() => undefined);
      this.counts.coalesced++;
      return 'coalesced';
    }
    if (this.counts.queued >= this.options.maxQueued) throw new QueueFullError(this.options.maxQueued);
    const entry: Job = { ...job };
    if (entry.coalesce !== undefined) this.byCoalesce.set(entry.coalesce, entry);
    let list = this.queues.get(entry.key);
    if (!list) {
      list = [];
      this.queues.set(entry.key, list);
      if (!this.running.has(entry.key)) this.ready.push(entry.key);
    }
    list.push(entry);
    this.counts.queued++;
    this.counts.peakQueued = Math.max(this.counts.peakQueued, this.counts.queued);
    this.dispatch();
    return 'queued';
  }

  /** Whether a job with this coalesce id waits (has not started yet). */
  waiting(coalesce: string): boolean {
    return this.byCoalesce.has(coalesce);
  }

  get stats(): WorkStats {
    return { ...this.counts };
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.counts.running === 0 && this.counts.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private dispatch(): void {
    while (this.counts.running < this.options.concurrency && this.readyHead < this.ready.length) {
      const key = this.ready[this.readyHead++];
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready.splice(0, this.readyHead);
        this.readyHead = 0;
      }
      const list = this.queues.get(key);
      const job = list?.shift();
      if (!list || !job) continue;
      if (list.length === 0) this.queues.delete(key);
      if (job.coalesce !== undefined && this.byCoalesce.get(job.coalesce) === job) this.byCoalesce.delete(job.coalesce);
      this.counts.queued--;
      this.counts.running++;
      this.running.add(key);
      // Started on a later turn of the event loop: webhooks waiting to be read go first.
      setImmediate(() => void this.execute(job));
    }
  }

  private async execute(job: Job): Promise<void> {
    try {
      await job.run();
      this.counts.done++;
    } catch (error) {
      this.counts.failed++;
      try {
        this.options.onError(job, error);
      } catch {
        // A failing error handler must not stop the queue.
      }
    } finally {
      try {
        await job.settled?.();
      } catch {
        // Same: the queue goes on.
      }
      this.counts.running--;
      this.running.delete(job.key);
      if (this.queues.has(job.key)) this.ready.push(job.key);
      this.dispatch();
      if (this.counts.running === 0 && this.counts.queued === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}
