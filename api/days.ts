/** Day ranges in query strings: real calendar days, in order, and bounded so a query stays cheap. */
import { SalonwatchError } from '../common/errors.js';

export const MAX_RANGE_DAYS = 400;

function dayNumber(day: string, field: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  // The pattern admits 2026-02-31; a real day prints back identically.
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new SalonwatchError(
      'INPUT_INVALID',
      `querystring/${field} is not a calendar day: ${day}`,
    );
  }
  return ms / 86_400_000;
}

export function checkDayRange(from: string, to: string): void {
  const span = dayNumber(to, 'to') - dayNumber(from, 'from');
  if (span < 0)
    throw new SalonwatchError(
      'INPUT_INVALID',
      'querystring/to must not be before querystring/from',
    );
  if (span >= MAX_RANGE_DAYS)
    throw new SalonwatchError(
      'INPUT_INVALID',
      `querystring/to: a range covers at most ${MAX_RANGE_DAYS} days`,
    );
}

/** Instants in filters: real calendar instants (the pattern admits 25:61). */
export function checkInstant(value: string, field: string): void {
  const ms = Date.parse(value);
  if (
    !Number.isFinite(ms) ||
    new Date(ms).toISOString().replace('.000Z', 'Z') !== value.replace('.000Z', 'Z')
  ) {
    throw new SalonwatchError(
      'INPUT_INVALID',
      `querystring/${field} is not a calendar instant: ${value}`,
    );
  }
}
