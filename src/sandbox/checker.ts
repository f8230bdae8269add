/** Validation helpers for the sandbox state file (state.ts composes the sections each service module loads). */

export type Json = Record<string, unknown>;

/** Collects every problem of a hand-written state file with its JSON path, instead of stopping at the first. */
export class Checker {
  constructor(readonly problems: string[] = []) {}

  fail(path: string, message: string): void {
    this.problems.push(path ? `${path}: ${message}` : message);
  }

  object(value: unknown, path: string): Json | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.fail(path, `expected an object, got ${describe(value)}`);
    return undefined;
  }

  known(obj: Json, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.fail(path ? `${path}.${key}` : key, `unknown field (expected one of: ${allowed.join(', ')})`);
      }
    }
  }

  string(obj: Json, key: string, path: string, required = false): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) this.fail(join(path, key), 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.fail(join(path, key), `expected a string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  integer(obj: Json, key: string, path: string, min: number, max: number): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(join(path, key), `expected an integer from ${min} to ${max}, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  boolean(obj: Json, key: string, path: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.fail(join(path, key), `expected true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  array(obj: Json, key: string, path: string): unknown[] {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(join(path, key), `expected a list, got ${describe(v)}`);
      return [];
    }
    return v;
  }

  stringList(obj: Json, key: string, path: string): string[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.fail(join(path, key), `expected a list of strings, got ${describe(v)}`);
      return undefined;
    }
    return v as string[];
  }

  stringMap(obj: Json, key: string, path: string): Record<string, string> | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    const o = this.object(v, join(path, key));
    if (!o) return undefined;
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(o)) {
      if (typeof val !== 'string') this.fail(join(join(path, key), k), `expected a string, got ${describe(val)}`);
      else out[k] = val;
    }
    return out;
  }

  timestamp(obj: Json, key: string, path: string): string | undefined {
    const v = this.string(obj, key, path);
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) {
      this.fail(join(path, key), `expected an ISO 8601 date-time, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return new Date(t).toISOString();
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  return `${typeof v} ${String(v)}`;
}
