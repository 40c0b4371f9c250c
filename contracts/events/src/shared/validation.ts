import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { type ValueError, type ValueErrorIterator, ValueErrorType } from '@sinclair/typebox/errors';

/** One reason a payload was rejected. `path` is a JSON Pointer into the payload (`''` is the root). */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** At most this many issues are reported for one payload. */
export const MAX_VALIDATION_ISSUES = 20;

function flatten(iterator: ValueErrorIterator): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of iterator) {
    issues.push(...explain(error));
    if (issues.length >= MAX_VALIDATION_ISSUES) break;
  }
  return issues;
}

/**
 * A union error alone says "Expected union value"; report instead the errors of the variant that
 * came closest (fewest errors), which for a discriminated union is the one with the right `kind`.
 */
function explain(error: ValueError): ValidationIssue[] {
  if (error.type === ValueErrorType.Union && error.errors.length > 0) {
    let best: ValidationIssue[] | undefined;
    for (const variant of error.errors) {
      const issues = flatten(variant);
      if (issues.length > 0 && (best === undefined || issues.length < best.length)) best = issues;
    }
    if (best) return best;
  }
  return [{ path: error.path, message: error.message }];
}

/** The issues of a compiled check against a value, most specific first, capped. */
export function issuesOf<T extends TSchema>(check: TypeCheck<T>, value: unknown): readonly ValidationIssue[] {
  return flatten(check.Errors(value)).slice(0, MAX_VALIDATION_ISSUES);
}
