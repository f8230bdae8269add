import { progressLines } from '../core/progress.js';
import type { ApplyEvent } from '../core/provider.js';

/** GitHub's check runs are rate-limited writes: an apply's summary is rewritten at most this often. */
export const DEFAULT_APPLY_PROGRESS_MS = 10_000;
/** The most recent progress lines the summary shows (the whole report follows when the apply ends). */
const RECENT_LINES = 30;

export interface ProgressOutput {
  title: string;
  summary: string;
}

/**
 * An apply's progress on its check run (issue 14): the same events and lines as the CLI and the Action,
 * counted and the latest shown, written at most once per `intervalMs` (the first no sooner than
 * `intervalMs` after the check run was created, so a short apply costs no extra write). A write that fails
 * is logged and the apply goes on. `stop` cancels what is pending and waits for a write in flight, so
 * nothing lands after the check run is completed.
 */
export class CheckRunProgress {
  private readonly lines: string[] = [];
  private readonly running = new Set<string>();
  private readonly counts = { applied: 0, failed: 0, 'not-attempted': 0 };
  private lastWrite: number;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  readonly onEvent: (event: ApplyEvent) => void;

  constructor(
    private readonly write: (output: ProgressOutput) => Promise<void>,
    private readonly options: { intervalMs: number; now?: () => number; warn?: (message: string) => void },
  ) {
    this.lastWrite = this.now();
    const format = progressLines((line) => {
      this.lines.push(line);
      if (this.lines.length > RECENT_LINES) this.lines.shift();
    });
    this.onEvent = (event) => {
      if (this.stopped) return;
      format(event);
      if (event.type === 'start') this.running.add(event.change.address);
      if (event.type === 'end') {
        this.running.delete(event.change.address);
        this.counts[event.result.status]++;
      }
      this.dirty = true;
      this.schedule();
    };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** What the check run shows now: the counts in the title, the latest lines in a code block. */
  output(): ProgressOutput {
    const { applied, failed } = this.counts;
    const ended = applied + failed + this.counts['not-attempted'];
    const title = `Applying: ${ended} change(s) ended (${applied} applied, ${failed} failed), ${this.running.size} running`;
    const body = this.lines.join('\n');
    // A fence longer than any run of backticks in the lines (record values and errors are not ours).
    const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
    const fence = '`'.repeat(Math.max(3, longest + 1));
    return { title, summary: `${title}.\n\nLatest progress (the full report follows when the apply ends):\n\n${fence}text\n${body}\n${fence}\n` };
  }

  private schedule(): void {
    if (this.timer || this.writing || this.stopped) return;
    const wait = Math.max(0, this.lastWrite + this.options.intervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref?.();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.stopped || !this.dirty) return;
    this.dirty = false;
    this.writing = this.write(this.output())
      .catch((error: unknown) => this.options.warn?.(`Could not update the apply's check run: ${(error as Error).message ?? String(error)}`))
      .finally(() => {
        // Counted from the end of the write: a write held back (GitHub's spacing of writes) still keeps
        // the next one a whole interval after it.
        this.lastWrite = this.now();
        this.writing = undefined;
        if (this.dirty) this.schedule();
      });
  }

  /** No more writes; resolves once a write in flight has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
  }
}
