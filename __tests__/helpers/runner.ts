/**
 * The GitHub Actions runner, as far as Charter's Action depends on it: `action.yml` read and checked with
 * GitHub's own parser (@actions/workflow-parser, the one behind GitHub's Actions language services), a
 * workflow step's `with:` evaluated with GitHub's expression engine (@actions/expressions) and turned into
 * `INPUT_*` variables with the runner's name mapping, `action.yml`'s defaults for the inputs the step leaves
 * out, and `runs.main` started with the event payload. Tests that run the Action go through here, so a
 * broken `action.yml` fails them as it would fail `uses:` on GitHub.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import validator from '@action-validator/core';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from './aws.js';

export interface ActionManifest {
  file: string;
  using: string;
  /** Absolute path of `runs.main`. */
  main: string;
  inputs: Map<string, { default?: string; required: boolean }>;
  outputs: string[];
}

type ValidationState = ReturnType<typeof validator.validateAction>;

/** action-validator's errors as lines; `ignored` drops those at a path its (lagging) schema gets wrong. */
function validatorErrors(state: ValidationState, ignored: (path: string) => boolean = () => false): string[] {
  type Error = ValidationState['errors'][number];
  const onlyIgnored = (errors: Error[]) => errors.length > 0 && errors.every((e) => 'path' in e && ignored(e.path ?? ''));
  // An error is ignored when it is at an ignored path, or is a oneOf (over runs kinds) one of whose
  // branches fails only there.
  const ignoredError = (e: Error) => onlyIgnored([e]) || ('states' in e && Boolean(e.states?.some((branch) => onlyIgnored(branch.errors))));
  return state.errors.filter((e) => !ignoredError(e)).map((e) => `${('path' in e && e.path) || '/'}: ${e.title}${e.detail ? ` (${e.detail})` : ''}`);
}

/**
 * Errors in an action metadata file, from GitHub's parser and from action-validator (SchemaStore's schema).
 * action-validator 0.6's schema predates `node24`: its one complaint about `runs.using` is dropped when the
 * value is one GitHub's own schema accepts (checked by the first parser).
 */
export function actionFileErrors(content: string, name = 'action.yml'): string[] {
  const result = parseAction({ name, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => `GitHub parser: ${e.message}`);
  if (errors.length) return errors;
  const template = convertActionTemplate(result.context, result.value!);
  const nodeRuntime = template.runs.using === 'node20' || template.runs.using === 'node24';
  const lags = (path: string) => nodeRuntime && path === '/runs/using';
  return validatorErrors(validator.validateAction(content), lags).map((e) => `action-validator: ${e}`);
}

/** Errors in a workflow file, from GitHub's parser and from action-validator. */
export function workflowFileErrors(content: string, name = 'workflow.yml'): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => `GitHub parser: ${e.message}`);
  return [...errors, ...validatorErrors(validator.validateWorkflow(content)).map((e) => `action-validator: ${e}`)];
}

/** Reads an action.yml as the runner does; throws with the parsers' messages when it is not valid. */
export function loadActionManifest(file = join(repoRoot, 'action.yml')): ActionManifest {
  const content = readFileSync(file, 'utf8');
  const errors = actionFileErrors(content, file);
  if (errors.length) throw new Error(`${file} is not a valid action:\n${errors.join('\n')}`);
  const result = parseAction({ name: file, content }, new NoOperationTraceWriter());
  const template = convertActionTemplate(result.context, result.value!);
  if (!('main' in template.runs)) throw new Error(`${file}: runs.using ${template.runs.using} is not a JavaScript action`);
  const inputs = new Map<string, { default?: string; required: boolean }>();
  for (const input of template.inputs ?? []) {
    inputs.set(input.id, { default: input.default?.toString(), required: input.required ?? false });
  }
  return { file, using: template.runs.using, main: join(dirname(file), template.runs.main), inputs, outputs: (template.outputs ?? []).map((o) => o.id) };
}

/** The expression contexts a step's `with:` and an input default may read. */
export interface ExpressionContext {
  github?: Record<string, unknown>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  env?: Record<string, string>;
  steps?: Record<string, unknown>;
}

/** Evaluates every `${{ … }}` in a string with GitHub's expression engine, as the runner does. */
export function evaluateTemplate(value: string, context: ExpressionContext): string {
  const names = Object.keys(context);
  const ctx = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary;
  let out = '';
  let at = 0;
  for (;;) {
    const start = value.indexOf('${{', at);
    if (start < 0) return out + value.slice(at);
    const end = value.indexOf('}}', start);
    if (end < 0) throw new Error(`unclosed expression in "${value}"`);
    const lexed = new Lexer(value.slice(start + 3, end)).lex();
    const expr = new Parser(lexed.tokens, names, []).parse();
    out += value.slice(at, start) + new Evaluator(expr, ctx).evaluate().coerceString();
    at = end + 2;
  }
}

/** The runner's input variable name: spaces to underscores, upper case (hyphens are kept). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * The `INPUT_*` variables the runner gives `runs.main` for a step: each `with:` value evaluated, each
 * declared input it leaves out set from its evaluated default. An input the action does not declare fails
 * here (the runner only warns, which hides typos in tests).
 */
export function stepInputEnv(manifest: ActionManifest, withInputs: Record<string, string>, context: ExpressionContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(withInputs)) {
    if (!manifest.inputs.has(name)) throw new Error(`Unexpected input '${name}': action.yml declares ${[...manifest.inputs.keys()].join(', ')}`);
    env[inputVariable(name)] = evaluateTemplate(String(value), context);
  }
  for (const [name, input] of manifest.inputs) {
    if (name in withInputs) continue;
    if (input.required) throw new Error(`Input required and not supplied: ${name}`);
    if (input.default !== undefined) env[inputVariable(name)] = evaluateTemplate(input.default, context);
  }
  return env;
}

/** The ```yaml blocks of a Markdown file that are workflows (they have `on` and `jobs`), with their line. */
export function workflowsInMarkdown(file: string): Array<{ line: number; content: string; workflow: Record<string, unknown> }> {
  const text = readFileSync(file, 'utf8');
  const out: Array<{ line: number; content: string; workflow: Record<string, unknown> }> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```yaml') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    const content = lines.slice(start, end).join('\n');
    const doc = parseYaml(content) as unknown;
    if (doc && typeof doc === 'object' && 'jobs' in doc && 'on' in doc) out.push({ line: start + 1, content, workflow: doc as Record<string, unknown> });
    i = end;
  }
  return out;
}
