/**
 * Errors raised by service handlers. Each service renders them in its own wire format
 * (Route 53 / CloudFront `<ErrorResponse>`, S3 `<Error>`, ACM JSON `__type`).
 */
export class SandboxError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra fields some services put in the error body (S3: Key, BucketName). */
  readonly fields: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

/** Fault description used by failNthWrite and the control plane. */
export interface InjectedError {
  code: string;
  message: string;
  status?: number;
}

/** Thrown by loadSandboxState / startSandbox when a state file or object is invalid. */
export class SandboxStateError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(
      `Invalid sandbox state${source ? ` in ${source}` : ''}:\n` + problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'SandboxStateError';
    this.problems = problems;
  }
}
