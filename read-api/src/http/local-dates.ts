import { daysBetweenLocalDates, isValidLocalDate } from '@pti/write-side/domain';
import type { ProblemFieldError } from './problem.js';

/**
 * Cross-field checks of local date ranges. The schema checks the shape (`YYYY-MM-DD`); these check
 * that the dates exist (no 31 April), are in order and span at most `maxDays`.
 */
export function dateRangeErrors(
  range: { readonly from: string; readonly to: string },
  maxDays: number,
  where = '/querystring',
): ProblemFieldError[] {
  const errors: ProblemFieldError[] = [];
  if (!isValidLocalDate(range.from))
    errors.push({ path: `${where}/from`, message: 'is not an existing date' });
  if (!isValidLocalDate(range.to)) errors.push({ path: `${where}/to`, message: 'is not an existing date' });
  if (errors.length > 0) return errors;
  const span = daysBetweenLocalDates(range.from, range.to);
  if (span < 0) return [{ path: `${where}/to`, message: 'must not be before from' }];
  if (span + 1 > maxDays)
    return [{ path: `${where}/to`, message: `the range may cover at most ${maxDays} days` }];
  return [];
}

export function dateErrors(date: string, path: string): ProblemFieldError[] {
  return isValidLocalDate(date) ? [] : [{ path, message: 'is not an existing date' }];
}
