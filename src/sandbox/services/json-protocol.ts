/**
 * What the AWS JSON 1.1 services (ACM, Shield, the Redshift Data API) share: the operation comes from the
 * `X-Amz-Target` header (`<prefix><Operation>`), the body is one JSON object.
 */
import { SandboxError } from '../errors.js';
import type { ServiceHandler, ServiceRequest } from './types.js';

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
