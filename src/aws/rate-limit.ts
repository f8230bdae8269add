/**
 * Spaces requests so a service never sees more than `perSecond` of them from this process, whatever
 * the concurrency. Route 53 allows five requests per second per account; going over only buys throttling.
 */
export class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number) {}

  async take(): Promise<void> {
    if (!Number.isFinite(this.perSecond) || this.perSecond <= 0) return;
    const interval = 1000 / this.perSecond;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + interval;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

/** Documented or safe request rates per service (requests per second, per account). */
export const DEFAULT_RATES: Record<string, number> = {
  route53: 5,
  acm: 10,
  cloudfront: 10,
  s3: 100,
  codepipeline: 5,
  codebuild: 5,
  codeartifact: 5,
};

const limiters = new Map<string, RateLimiter>();

/** One limiter per (endpoint or account scope, service), shared by every client in the process. */
export function limiterFor(scope: string, service: string, perSecond: number): RateLimiter {
  const key = `${scope}|${service}|${perSecond}`;
  let limiter = limiters.get(key);
  if (!limiter) limiters.set(key, (limiter = new RateLimiter(perSecond)));
  return limiter;
}
