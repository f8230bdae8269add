/** How the runtime talks to a database: rows from catalog queries, and statements run atomically. */

export type Row = Record<string, unknown>;

/** BatchExecuteStatement accepts at most 40 statements, run as one transaction. */
export const DATA_API_BATCH_SIZE = 40;

/** One atomic unit of statements (a transaction or a Data API batch) and what happened to it. */
export interface UnitResult {
  /** Statements executed successfully (all of them when `error` is unset). */
  executed: number;
  /** The database error, secrets redacted; the statement at index `executed` failed. */
  error?: string;
}

export interface Executor {
  /** Runs one read-only query and returns its rows with column names as keys. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /**
   * Runs statements in order, atomically per unit: a PostgreSQL connection uses one transaction; the
   * Data API uses batches of at most 40. `onUnit` is told about each unit as it completes. With
   * `rollback`, the transaction is rolled back at the end (dry-apply; pg wire only).
   */
  execute(statements: string[], options?: { rollback?: boolean; onUnit?: (index: number, total: number, result: UnitResult) => void }): Promise<UnitResult[]>;
  /** Whether `execute(..., { rollback: true })` is possible. */
  readonly canRollback: boolean;
  /** Catalog queries made so far. */
  readonly queryCount: number;
  close(): Promise<void>;
}

/** Removes every secret from a message (a connection URL, its password, IdP client secrets). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***');
  }
  return out;
}

/** The secrets hidden inside a connection URL: the URL itself, its password, and its percent-decoded password. */
export function urlSecrets(url: string): string[] {
  const secrets = [url];
  try {
    const parsed = new URL(url);
    if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
  } catch {
    // Not a URL: only the whole string is known to be secret.
  }
  return secrets;
}
