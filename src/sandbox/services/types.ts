/**
 * The contract every simulated service implements. Adding a service = one module exporting a
 * ServiceHandler (with its state section, see section.ts), plus one line in services/index.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxError } from '../errors.js';
import type { SandboxState, StateSection } from '../section.js';

export interface ServiceRequest {
  method: string;
  /** Raw (still percent-encoded) URL path. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Region from the SigV4 credential scope (us-east-1 when unsigned). */
  region: string;
  requestId: string;
}

export interface ServiceResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface ServiceContext {
  readonly state: SandboxState;
  now(): Date;
  /** Mark the state as modified (persisted after the response when `persist` is on). */
  changed(): void;
}

export interface ServiceHandler {
  /** SigV4 signing name, also the name used in stats and faults (`route53`, `acm`, `s3`, ...). */
  readonly name: string;
  /** Response header carrying the request id (default `x-amzn-requestid`; S3 uses `x-amz-request-id`). */
  readonly requestIdHeader?: string;
  /** This service's section of the account state file (shape, empty form, loader), when it keeps state. */
  readonly state?: StateSection;
  /** Fallback when the request is unsigned: does this request look like ours? */
  matches(req: ServiceRequest): boolean;
  /** SDK operation name for stats/faults, or 'Unknown'. Must not throw. */
  operation(req: ServiceRequest): string;
  /** Operations counted by failNthWrite. */
  isMutating(operation: string): boolean;
  handle(operation: string, req: ServiceRequest, ctx: ServiceContext): ServiceResponse | Promise<ServiceResponse>;
  /** Render an error in the service's wire format. */
  renderError(err: SandboxError, req: ServiceRequest): ServiceResponse;
  /** The error a throttled call receives. */
  throttleError(): SandboxError;
  /** The error failNthWrite injects when no error is given (non-retryable by the SDK). */
  defaultWriteFailure(): SandboxError;
}
