/**
 * What the AWS JSON 1.1 services (ACM, Shield, the Redshift Data API) share: the operation comes from the
 * `X-Amz-Target` header (`<prefix><Operation>`), the body is one JSON object.
 */
import { SandboxError } from '../errors.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';

export type JsonObject = Record<string, unknown>;

export function parseJsonBody(req: ServiceRequest): JsonObject {
  const raw = req.body.toString('utf8').trim();
  if (raw === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as JsonObject;
  } catch {
    // fall through
  }
  throw new SandboxError(400, 'SerializationException', 'Request body is not a JSON object');
}

function target(req: ServiceRequest): string | undefined {
  const t = req.headers['x-amz-target'];
  return typeof t === 'string' ? t : undefined;
}

/** `matches` and `operation` of a ServiceHandler whose operations are named by `X-Amz-Target: <prefix><Op>`. */
export function jsonTargetRouting(prefix: string): Pick<ServiceHandler, 'matches' | 'operation'> {
  return {
    matches: (req) => target(req)?.startsWith(prefix) ?? false,
    operation(req) {
      const t = target(req);
      return t?.startsWith(prefix) && req.method === 'POST' ? t.slice(prefix.length) : 'Unknown';
    },
  };
}

/** AWS's answer to a required member that is absent: `ValidationException` naming it in camel case. */
export function memberMustNotBeNull(key: string): SandboxError {
  const member = key.charAt(0).toLowerCase() + key.slice(1);
  return new SandboxError(400, 'ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}

/**
 * A string member of a request body: undefined when absent, or `missing(key)` (the service's own error)
 * when the member is required; any other type is a SerializationException, as the SDKs' services answer.
 */
export function stringMember(body: JsonObject, key: string, missing?: (key: string) => SandboxError): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (missing) throw missing(key);
    return undefined;
  }
  if (typeof v !== 'string') throw new SandboxError(400, 'SerializationException', `${key} must be a string`);
  return v;
}

/** A 200 answer with a JSON 1.1 body (`{}` when the operation returns nothing). */
export function jsonResponse(body: unknown): ServiceResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body ?? {}) };
}

/** A JSON 1.1 error: `__type` and `message`, plus the members a service adds to its errors. */
export function jsonErrorResponse(err: SandboxError, req: ServiceRequest, members: Record<string, unknown> = {}): ServiceResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': req.requestId },
    body: JSON.stringify({ __type: err.code, message: err.message, ...members }),
  };
}
