/**
 * Fault injection: throttling, a one-off failure of the Nth write, and added latency.
 */
import type { InjectedError } from './errors.js';

export interface FaultController {
  /**
   * The next `count` calls to service/operation ('*' = any operation) get the service's throttling error;
   * with `region`, only calls signed for that region (to fail one region of a multi-region policy).
   */
  throttle(service: string, operation: string | '*', count: number, region?: string): void;
  /** The Nth mutating call to `service` (counted from now; 1 = the next one) fails once. */
  failNthWrite(service: string, n: number, error?: InjectedError): void;
  /** Milliseconds added before every response. */
  latency(ms: number): void;
  /** Clear all faults (throttles, pending write failures, latency). */
  reset(): void;
}

export interface FaultSnapshot {
  latencyMs: number;
  throttles: Array<{ service: string; operation: string; remaining: number; region?: string }>;
  writeFailures: Array<{ service: string; writesUntilFailure: number; error?: InjectedError }>;
}

/** Body accepted by `POST /_sandbox/faults`. */
export interface FaultRequest {
  reset?: boolean;
  latency?: number;
  throttle?: Array<{ service: string; operation?: string; count: number; region?: string }>;
  failNthWrite?: Array<{ service: string; n: number; error?: InjectedError }>;
}

interface Throttle {
  service: string;
  operation: string;
  remaining: number;
  region?: string;
}
interface WriteFailure {
  service: string;
  remaining: number;
  error?: InjectedError;
}

function checkCount(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new TypeError(`${name} must be an integer ≥ ${min}, got ${String(n)}`);
}

export class Faults implements FaultController {
  private throttles: Throttle[] = [];
  private writeFailures: WriteFailure[] = [];
  private latencyMs = 0;

  throttle(service: string, operation: string, count: number, region?: string): void {
    checkCount('count', count, 0);
    if (count > 0) this.throttles.push(region === undefined ? { service, operation, remaining: count } : { service, operation, remaining: count, region });
  }

  failNthWrite(service: string, n: number, error?: InjectedError): void {
    checkCount('n', n, 1);
    this.writeFailures.push(error ? { service, remaining: n, error: { ...error } } : { service, remaining: n });
  }

  latency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`latency must be a number ≥ 0, got ${String(ms)}`);
    this.latencyMs = ms;
  }

  reset(): void {
    this.throttles = [];
    this.writeFailures = [];
    this.latencyMs = 0;
  }

  get delayMs(): number {
    return this.latencyMs;
  }

  /** Consume one throttle matching this call; true when the call must be throttled. */
  takeThrottle(service: string, operation: string, region?: string): boolean {
    const t = this.throttles.find((x) => x.service === service && (x.operation === '*' || x.operation === operation) && (x.region === undefined || x.region === region));
    if (!t) return false;
    t.remaining--;
    if (t.remaining <= 0) this.throttles = this.throttles.filter((x) => x !== t);
    return true;
  }

  /**
   * Count one mutating call for `service`. Returns the failure to inject (`null` = use the
   * service default) when a failNthWrite countdown reaches this call, otherwise undefined.
   */
  takeWriteFailure(service: string): InjectedError | null | undefined {
    let hit: WriteFailure | undefined;
    for (const f of this.writeFailures) {
      if (f.service !== service) continue;
      f.remaining--;
      if (f.remaining === 0 && !hit) hit = f;
    }
    this.writeFailures = this.writeFailures.filter((f) => f.remaining > 0);
    if (!hit) return undefined;
    return hit.error ?? null;
  }

  snapshot(): FaultSnapshot {
    return {
      latencyMs: this.latencyMs,
      throttles: this.throttles.map((t) => ({ ...t })),
      writeFailures: this.writeFailures.map((f) => ({
        service: f.service,
        writesUntilFailure: f.remaining,
        ...(f.error ? { error: { ...f.error } } : {}),
      })),
    };
  }

  /** Apply a control-plane request (validated); throws TypeError with a readable message. */
  apply(body: unknown): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TypeError('expected a JSON object');
    const req = body as Record<string, unknown>;
    for (const key of Object.keys(req)) {
      if (!['reset', 'latency', 'throttle', 'failNthWrite'].includes(key)) {
        throw new TypeError(`unknown field ${JSON.stringify(key)} (expected reset, latency, throttle, failNthWrite)`);
      }
    }
    if (req.reset === true) this.reset();
    if (req.latency !== undefined) this.latency(Number(req.latency));
    for (const t of asList(req.throttle, 'throttle')) {
      this.throttle(str(t.service, 'throttle[].service'), t.operation === undefined ? '*' : str(t.operation, 'throttle[].operation'), Number(t.count), t.region === undefined ? undefined : str(t.region, 'throttle[].region'));
    }
    for (const f of asList(req.failNthWrite, 'failNthWrite')) {
      let error: InjectedError | undefined;
      if (f.error !== undefined) {
        const e = f.error as Record<string, unknown>;
        error = { code: str(e.code, 'error.code'), message: str(e.message, 'error.message') };
        if (e.status !== undefined) error.status = Number(e.status);
      }
      this.failNthWrite(str(f.service, 'failNthWrite[].service'), Number(f.n), error);
    }
  }
}

function asList(v: unknown, name: string): Array<Record<string, unknown>> {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const item of list) {
    if (typeof item !== 'object' || item === null) throw new TypeError(`${name}: expected objects`);
  }
  return list as Array<Record<string, unknown>>;
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') throw new TypeError(`${name} must be a non-empty string`);
  return v;
}
