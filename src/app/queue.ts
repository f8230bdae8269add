/**
 * Runs tasks one after another per key (a repository): two merges in quick succession apply in the order
 * their webhooks arrived, never at the same time. Different keys run in parallel. In memory, so it
 * serialises within one process only: with several replicas, route applies to a single worker.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task queued earlier under `key` has settled; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running tasks. */
  get busy(): string[] {
    return [...this.tails.keys()];
  }
}
