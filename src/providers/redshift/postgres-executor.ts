/** Executor over the PostgreSQL wire protocol (PostgreSQL, or a Redshift endpoint): node-postgres. */
import pg from 'pg';
import { redact, urlSecrets, type Executor, type Row, type UnitResult } from './executor.js';

export class PostgresExecutor implements Executor {
  readonly canRollback = true;
  queryCount = 0;
  private readonly secrets: string[];

  private constructor(
    private readonly client: pg.Client,
    url: string,
    extraSecrets: readonly string[],
  ) {
    this.secrets = [...urlSecrets(url), ...extraSecrets];
  }

  /** Connects; a failure is reported without the URL or its password. */
  static async connect(url: string, extraSecrets: readonly string[] = []): Promise<PostgresExecutor> {
    const client = new pg.Client({ connectionString: url, application_name: 'charter' });
    // A connection error after connect (server restart) must not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new Error(`cannot connect to the database: ${redact(errorText(error), urlSecrets(url))}`);
    }
    return new PostgresExecutor(client, url, extraSecrets);
  }

  async query(sql: string, params?: unknown[]): Promise<Row[]> {
    this.queryCount++;
    try {
      const result = await this.client.query(sql, params);
      return result.rows as Row[];
    } catch (error) {
      throw new Error(redact(errorText(error), this.secrets));
    }
  }

  /** One transaction for everything: all statements commit together or none does. */
  async execute(statements: string[], options: { rollback?: boolean; onUnit?: (index: number, total: number, result: UnitResult) => void } = {}): Promise<UnitResult[]> {
    let executed = 0;
    let result: UnitResult;
    try {
      await this.client.query('BEGIN');
      for (const statement of statements) {
        await this.client.query(statement);
        executed++;
      }
      await this.client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
      result = { executed };
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      result = { executed, error: redact(errorText(error), this.secrets) };
    }
    options.onUnit?.(0, 1, result);
    return [result];
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

function errorText(error: unknown): string {
  const e = error as { message?: string; code?: string };
  const message = e?.message ?? String(error);
  return e?.code && /^[0-9A-Z]{5}$/.test(e.code) ? `${message} (SQLSTATE ${e.code})` : message;
}
