/* Types for the generated precompiled templates (scripts/gen-types.mjs). */
import type { TemplateSpecification } from 'handlebars';

export declare const templates: Record<string, TemplateSpecification>;
