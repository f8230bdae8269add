/* Types for the generated precompiled validators (scripts/gen-types.mjs). */
import type { ValidateFunction } from 'ajv';

export declare const validators: Record<string, ValidateFunction>;
