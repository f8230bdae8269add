import { compareStrings } from '../core/json.js';

/**
 * Per-operation request counters. Every HTTP request a service receives is counted,
 * including ones that fail or are throttled (so SDK retries show up).
 */
export interface RequestStats {
  calls(): Array<{ service: string; operation: string; count: number }>;
  count(service?: string, operation?: string): number;
  reset(): void;
}

export class StatsRecorder implements RequestStats {
  private readonly counts = new Map<string, { service: string; operation: string; count: number }>();

  record(service: string, operation: string): void {
    const key = `${service}:${operation}`;
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { service, operation, count: 1 });
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
  }

  toJSON(): { total: number; calls: Array<{ service: string; operation: string; count: number }> } {
    return { total: this.count(), calls: this.calls() };
  }
}
