import type HandlebarsApi from 'handlebars';
import runtime from 'handlebars/runtime.js';
import { templates } from './templates.generated.js';

/**
 * Templates from templates/, precompiled by scripts/gen-types.mjs (CI fails when they are stale) and run
 * by the Handlebars runtime: no template compiler is loaded at start-up.
 */
export type TemplateFn = (view: object) => string;

// handlebars/runtime ships no useful types; it is the same API minus the compiler.
const hbs = (runtime as unknown as typeof HandlebarsApi).create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
const cache = new Map<string, TemplateFn>();

/** Whether templates/ ships (and gen:types precompiled) a template of this file name. */
export function hasTemplate(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(templates, name);
}

export function template(name: string): TemplateFn {
  let fn = cache.get(name);
  if (!fn) {
    const spec = templates[name];
    if (!spec) throw new Error(`No precompiled template ${name}: run npm run gen:types`);
    const delegate = hbs.template(spec);
    fn = (view: object) => delegate(view);
    cache.set(name, fn);
  }
  return fn;
}

/** Makes templates available as partials (`{{> name}}`) under the given names. */
export function registerPartials(partials: Record<string, string>): void {
  for (const [name, file] of Object.entries(partials)) {
    if (!hbs.partials[name]) hbs.registerPartial(name, hbs.template(templates[file]));
  }
}
