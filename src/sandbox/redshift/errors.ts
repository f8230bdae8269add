/**
 * An error raised while parsing or running a statement. It makes the statement FAILED (it is
 * not an API error); the Data API shows it as `ERROR: <message>`.
 */
export class SqlError extends Error {
  /** 0-based offset in the statement, when the error is about a position. */
  readonly position?: number;

  constructor(message: string, position?: number) {
    super(message);
    this.name = 'SqlError';
    if (position !== undefined) this.position = position;
  }
}
