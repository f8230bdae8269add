/**
 * Executor over the Amazon Redshift Data API (the real SDK client; the sandbox through the endpoint
 * override). Statements are asynchronous: submit, poll DescribeStatement, then page GetStatementResult.
 */
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type DescribeStatementResponse,
  type Field,
} from '@aws-sdk/client-redshift-data';
import { awsErrorMessage, clientConfig, withRateLimit } from '../../aws/clients.js';
import { AwsCredentialsError } from '../../aws/credentials.js';
import { pollUntil } from '../../aws/wait.js';
import type { AwsSettings } from '../../core/provider.js';
import { DATA_API_BATCH_SIZE, redact, type Executor, type Row, type UnitResult } from './executor.js';
import type { DataApi } from './spec.generated.js';

export interface DataApiOptions {
  aws: AwsSettings;
  target: DataApi;
  pollIntervalMs: number;
  waitTimeoutMs: number;
  secrets?: readonly string[];
}

export function dataApiClient(aws: AwsSettings, region?: string): RedshiftDataClient {
  // The Data API allows a few dozen calls per second per account; stay well inside it unless told otherwise.
  const settings: AwsSettings = { ...aws, requestsPerSecond: { 'redshift-data': 30, ...aws.requestsPerSecond } };
  return withRateLimit(new RedshiftDataClient(clientConfig(settings, 'redshift-data', region)), settings, 'redshift-data');
}

function fieldValue(f: Field): unknown {
  if (f.isNull) return null;
  if (f.stringValue !== undefined) return f.stringValue;
  if (f.longValue !== undefined) return f.longValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  if (f.doubleValue !== undefined) return f.doubleValue;
  return null;
}

export class DataApiExecutor implements Executor {
  readonly canRollback = false;
  queryCount = 0;
  /** BatchExecuteStatement calls made so far (the benchmark counts them). */
  batchCalls = 0;
  private readonly client: RedshiftDataClient;

  constructor(private readonly options: DataApiOptions) {
    this.client = dataApiClient(options.aws, options.target.region);
  }

  private get target() {
    const t = this.options.target;
    return { ClusterIdentifier: t.clusterIdentifier, WorkgroupName: t.workgroupName, Database: t.database, SecretArn: t.secretArn, DbUser: t.dbUser };
  }

  private fail(message: string): never {
    throw new Error(redact(message, this.options.secrets ?? []));
  }

  /** Polls until the statement (or batch) is done; returns the final description. A hand loop: the Data API has no SDK waiter. */
  private wait(id: string): Promise<DescribeStatementResponse> {
    return pollUntil(
      () => this.client.send(new DescribeStatementCommand({ Id: id })),
      (d) => d.Status === 'FINISHED' || d.Status === 'FAILED' || d.Status === 'ABORTED',
      this.options,
      (d) => new Error(redact(`statement ${id} still ${d.Status ?? 'unknown'} after ${this.options.waitTimeoutMs} ms`, this.options.secrets ?? [])),
    );
  }

  async query(sql: string): Promise<Row[]> {
    this.queryCount++;
    let id: string;
    try {
      id = (await this.client.send(new ExecuteStatementCommand({ ...this.target, Sql: sql, StatementName: 'charter-read' }))).Id!;
    } catch (error) {
      if (error instanceof AwsCredentialsError) throw error; // said by the caller as a credentials problem
      this.fail(awsErrorMessage(error));
    }
    const d = await this.wait(id);
    if (d.Status !== 'FINISHED') this.fail(`${d.Status}: ${d.Error ?? 'statement did not finish'}`);
    if (!d.HasResultSet) return [];
    const rows: Row[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new GetStatementResultCommand({ Id: id, NextToken: token }));
      const names = (page.ColumnMetadata ?? []).map((c) => c.name ?? c.label ?? '');
      for (const record of page.Records ?? []) {
        const row: Row = {};
        record.forEach((f, i) => (row[names[i]] = fieldValue(f)));
        rows.push(row);
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }

  /** Chunks of at most 40 statements, each one BatchExecuteStatement (one transaction); stops at the first failure. */
  async execute(statements: string[], options: { rollback?: boolean; onUnit?: (index: number, total: number, result: UnitResult) => void } = {}): Promise<UnitResult[]> {
    if (options.rollback) throw new Error('dry-apply needs a transaction that can be rolled back: the Redshift Data API has none (use a urlFromEnv connection)');
    const total = Math.ceil(statements.length / DATA_API_BATCH_SIZE);
    const results: UnitResult[] = [];
    for (let i = 0; i < total; i++) {
      const chunk = statements.slice(i * DATA_API_BATCH_SIZE, (i + 1) * DATA_API_BATCH_SIZE);
      const result = await this.runBatch(chunk);
      results.push(result);
      options.onUnit?.(i, total, result);
      if (result.error) break;
    }
    return results;
  }

  private async runBatch(chunk: string[]): Promise<UnitResult> {
    const secrets = this.options.secrets ?? [];
    try {
      this.batchCalls++;
      const { Id } = await this.client.send(new BatchExecuteStatementCommand({ ...this.target, Sqls: chunk, StatementName: 'charter-apply' }));
      const d = await this.wait(Id!);
      if (d.Status === 'FINISHED') return { executed: chunk.length };
      // The batch is one transaction: nothing of it stays. Report which statement failed.
      const failed = (d.SubStatements ?? []).findIndex((s) => s.Status === 'FAILED');
      const at = failed >= 0 ? failed : 0;
      const message = (failed >= 0 ? d.SubStatements![failed].Error : undefined) ?? d.Error ?? `batch ${d.Status}`;
      return { executed: at, error: redact(message, secrets) };
    } catch (error) {
      return { executed: 0, error: redact(error instanceof Error && !('$metadata' in error) ? error.message : awsErrorMessage(error), secrets) };
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
