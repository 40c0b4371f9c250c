import { isValidLocalDate } from '@pti/write-side/domain';
import { Type } from '@sinclair/typebox';
import type { ProblemFieldError } from '../http/problem.js';
import { STREAM_NAME_PATTERN } from './stream-names.js';

/** Shared request parts of the audit routes. */

export const StreamParams = Type.Object({
  stream: Type.String({
    pattern: STREAM_NAME_PATTERN,
    maxLength: 90,
    description: 'centre-<id>, calendar-<centreId>-<YYYY-MM-DD> or booking-<id>',
    examples: ['booking-c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c'],
  }),
});

/** RFC 3339 date-time with an offset (`Z` or `+01:00`): an instant, never a wall-clock reading. */
export const INSTANT_WITH_OFFSET_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';

export const InstantQuery = (description: string) =>
  Type.String({ pattern: INSTANT_WITH_OFFSET_PATTERN, description, examples: ['2025-03-12T12:00:00Z'] });

/** The instant, or the error at `path` (the pattern admits 2025-02-31, which Date rolls over). */
export function parseInstant(value: string, path: string): Date | ProblemFieldError {
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) || !isValidLocalDate(value.slice(0, 10))
    ? { path, message: 'is not an existing instant' }
    : instant;
}
