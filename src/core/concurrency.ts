// Bounded concurrency over a list, shared by the providers' bulk reads and the app's downloads and drift.

/**
 * Runs `task` over `items` with at most `limit` at a time. After the first error no further task starts,
 * and the promise rejects with that error once the tasks already running have settled (so a caller that
 * cleans up on failure, such as removing a directory they write to, runs after the last of them).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await task(items[i]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
