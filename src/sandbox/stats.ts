import { compareStrings } from '../core/json.js';

/**
 * Per-operation request counters. Every HTTP request a service receives is counted,
 * including ones that fail or are throttled (so SDK retries show up).
 */
export interface RequestStats {
  calls(): Array<{ service: string; operation: string; count: number }>;
  count(service?: string, operation?: string): number;
  /** Calls per region (the region the request was signed for), service and operation. */
  regionCalls(): Array<{ region: string; service: string; operation: string; count: number }>;
  reset(): void;
}

export class StatsRecorder implements RequestStats {
  private readonly counts = new Map<string, { service: string; operation: string; count: number }>();
  private readonly byRegion = new Map<string, { region: string; service: string; operation: string; count: number }>();

  record(service: string, operation: string, region = 'us-east-1'): void {
    const key = `${service}:${operation}`;
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { service, operation, count: 1 });
    const rkey = `${region}:${key}`;
    const rentry = this.byRegion.get(rkey);
    if (rentry) rentry.count++;
    else this.byRegion.set(rkey, { region, service, operation, count: 1 });
  }

  regionCalls(): Array<{ region: string; service: string; operation: string; count: number }> {
    return [...this.byRegion.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => compareStrings(a.region, b.region) || compareStrings(a.service, b.service) || compareStrings(a.operation, b.operation));
  }

  calls(): Array<{ service: string; operation: string; count: number }> {
    return [...this.counts.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => compareStrings(a.service, b.service) || compareStrings(a.operation, b.operation));
  }

  count(service?: string, operation?: string): number {
    let total = 0;
    for (const e of this.counts.values()) {
      if (service !== undefined && e.service !== service) continue;
      if (operation !== undefined && e.operation !== operation) continue;
      total += e.count;
    }
    return total;
  }

  reset(): void {
    this.counts.clear();
    this.byRegion.clear();
  }

  toJSON(): { total: number; calls: Array<{ service: string; operation: string; count: number }> } {
    return { total: this.count(), calls: this.calls() };
  }
}
