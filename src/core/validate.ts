import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import type { PathSegment, PolicyDocument } from './document.js';
import type { ParsedDocument } from './load.js';
import type { Provider } from './provider.js';
import { validators } from './schema-validators.generated.js';
import { truncateText } from './text.js';

export const API_VERSION = 'charter/v1';

/**
 * Validates the envelope and each kind's spec with validators precompiled from policies/schemas
 * (scripts/gen-types.mjs), so start-up compiles nothing.
 */
export class SchemaValidator {
  constructor(private readonly providers: readonly Provider[]) {}

  private validatorFor(schemaFile: string): ValidateFunction {
    const fn = validators[schemaFile];
    if (!fn) throw new Error(`No precompiled validator for ${schemaFile}: run npm run gen:types`);
    return fn;
  }

  /** Validates envelope and spec; returns typed documents for the valid ones and diagnostics for the rest. */
  validate(parsed: readonly ParsedDocument[]): { documents: PolicyDocument[]; diagnostics: Diagnostic[] } {
    const documents: PolicyDocument[] = [];
    const diagnostics: Diagnostic[] = [];
    const seen = new Map<string, ParsedDocument>();
    for (const doc of parsed) {
      const value = doc.value;
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        const pos = doc.locate([]);
        diagnostics.push({ code: 'policy/not-a-mapping', severity: 'error', message: 'A policy document must be a mapping with apiVersion, kind, metadata and spec', hint: 'Start the document with `apiVersion: charter/v1`.', ...pos });
        continue;
      }
      const record = value as Record<string, unknown>;
      const kind = typeof record.kind === 'string' ? record.kind : undefined;
      const provider = this.providers.find((p) => p.kind === kind);
      const envelopeErrors = this.check('policy.schema.json', value, doc, [], kind);
      let specErrors: Diagnostic[] = [];
      if (provider && record.spec && typeof record.spec === 'object' && !Array.isArray(record.spec)) {
        specErrors = this.check(provider.schemaFile, record.spec, doc, ['spec'], kind);
      }
      const policy = kind && typeof (record.metadata as { name?: unknown })?.name === 'string' ? `${kind}/${(record.metadata as { name: string }).name}` : undefined;
      const problems = [...envelopeErrors, ...specErrors].map((d) => ({ ...d, policy }));
      diagnostics.push(...problems);
      if (problems.some((d) => d.severity === 'error') || !provider || !policy) continue;
      const name = (record.metadata as { name: string }).name;
      const first = seen.get(policy);
      if (first) {
        const at = first.locate(['metadata', 'name']);
        diagnostics.push({
          code: 'policy/duplicate-name',
          severity: 'error',
          message: `${policy} is already defined at ${at.file}:${at.line}:${at.column}`,
          hint: 'metadata.name must be unique per kind across the repository.',
          policy,
          ...doc.locate(['metadata', 'name']),
        });
        continue;
      }
      seen.set(policy, doc);
      documents.push({
        apiVersion: String(record.apiVersion),
        kind: provider.kind,
        name,
        spec: record.spec,
        ...(typeof (record.metadata as { account?: unknown }).account === 'string' ? { account: (record.metadata as { account: string }).account } : {}),
        file: doc.file,
        absoluteFile: doc.absoluteFile,
        index: doc.index,
        position: (path) => doc.locate(path),
      });
    }
    return { documents, diagnostics };
  }

  private check(schemaFile: string, value: unknown, doc: ParsedDocument, prefix: PathSegment[], kind: string | undefined): Diagnostic[] {
    const fn = this.validatorFor(schemaFile);
    if (fn(value)) return [];
    const errors = fn.errors ?? [];
    // A value of the wrong type also fails enum/const; the type error alone says what is wrong.
    const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
    const relevant = errors.filter((e) => !((e.keyword === 'enum' || e.keyword === 'const') && wrongType.has(e.instancePath)));
    return dedupe(relevant.map((e) => toDiagnostic(e, doc, prefix, kind, this.providers)));
  }
}

function pathOf(error: ErrorObject, prefix: PathSegment[]): PathSegment[] {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return [...prefix, ...parts];
}

type SchemaNode = { description?: string; properties?: Record<string, SchemaNode>; type?: string | string[] };

/** Every schema diagnostic carries a hint: its own, else what the schema says the field is. */
function toDiagnostic(error: ErrorObject, doc: ParsedDocument, prefix: PathSegment[], kind: string | undefined, providers: readonly Provider[]): Diagnostic {
  const diagnostic = schemaDiagnostic(error, doc, prefix, kind, providers);
  if (diagnostic.hint) return diagnostic;
  const schema = error.parentSchema as SchemaNode | undefined;
  const params = error.params as Record<string, unknown>;
  const described = error.keyword === 'required' ? schema?.properties?.[String(params.missingProperty)]?.description : schema?.description;
  const fallback: Record<string, string> = {
    'schema/missing-key': `Add ${String(params.missingProperty)}: under ${pathOf(error, prefix).join('.') || 'the document'}.`,
    'schema/wrong-type': `Write a ${String(params.type)} here${params.type === 'string' ? ' (quote it if YAML reads it as a number, boolean or null)' : ''}.`,
  };
  const hint = [described, fallback[diagnostic.code]].filter(Boolean).join(' ') || 'See the schema in policies/schemas for what this field accepts.';
  return { ...diagnostic, hint };
}

function schemaDiagnostic(error: ErrorObject, doc: ParsedDocument, prefix: PathSegment[], kind: string | undefined, providers: readonly Provider[]): Diagnostic {
  const path = pathOf(error, prefix);
  const where = path.length ? path.join('.') : 'the document';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> })?.properties ?? {});
      const guess = closest(key, known);
      return {
        code: 'schema/unknown-key',
        severity: 'error',
        message: `Unknown key "${key}" in ${where}`,
        hint: guess ? `Did you mean "${guess}"?` : `Allowed keys: ${known.join(', ')}.`,
        ...doc.locate([...path, key], 'key'),
      };
    }
    case 'required':
      return {
        code: 'schema/missing-key',
        severity: 'error',
        message: `Missing required key "${String(params.missingProperty)}" in ${where}`,
        ...doc.locate(path, 'value'),
      };
    case 'type':
      return { code: 'schema/wrong-type', severity: 'error', message: `${where} must be ${String(params.type)}`, ...doc.locate(path) };
    case 'const':
      if (path.length === 1 && path[0] === 'apiVersion') {
        return { code: 'policy/unsupported-api-version', severity: 'error', message: `apiVersion must be ${API_VERSION}`, hint: `Use apiVersion: ${API_VERSION}.`, ...doc.locate(path) };
      }
      return { code: 'schema/invalid-value', severity: 'error', message: `${where} must be ${JSON.stringify(params.allowedValue)}`, ...doc.locate(path) };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      if (path.length === 1 && path[0] === 'kind') {
        return {
          code: 'policy/unknown-kind',
          severity: 'error',
          message: `Unknown policy kind "${truncateText(String(kind))}"`,
          hint: `Known kinds: ${providers.map((p) => p.kind).join(', ')}.${closest(String(kind), allowed) ? ` Did you mean "${closest(String(kind), allowed)}"?` : ''}`,
          ...doc.locate(path),
        };
      }
      return { code: 'schema/invalid-value', severity: 'error', message: `${where} must be one of: ${allowed.join(', ')}`, ...doc.locate(path) };
    }
    case 'pattern':
    case 'format':
      return { code: 'schema/invalid-format', severity: 'error', message: `${where} does not have the expected format (${String(params.pattern ?? params.format)})`, ...doc.locate(path) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties':
      return { code: 'schema/out-of-range', severity: 'error', message: `${where} ${error.message ?? 'is out of range'}`, ...doc.locate(path) };
    case 'uniqueItems': {
      // Point at the repeat (the later item), which is the one to remove.
      const [first, repeat] = [Number(params.i), Number(params.j)].sort((a, b) => a - b);
      return { code: 'schema/duplicate-item', severity: 'error', message: `${where}.${repeat} repeats ${where}.${first}`, hint: 'Remove the repeated item.', ...doc.locate([...path, repeat]) };
    }
    default:
      return { code: 'schema/invalid', severity: 'error', message: `${where} ${error.message ?? 'is invalid'}`, ...doc.locate(path) };
  }
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.line}|${d.column}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The known word nearest to a typo, if it is near enough to be a plausible suggestion. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // No suggestion for a long value: nothing is a plausible typo of it, and the distance would cost length × length.
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
