/**
 * Salon-local calendar days. A salon's daily score is about its own day (a Kamchatka salon
 * open 10:00-21:00 spans two UTC days), and ClickHouse's date functions take the time zone as
 * a constant, so one query cannot convert many salons' events each in its own zone. The sink
 * therefore stamps every row with its local day here. Pure: instants are passed in.
 */

/** Every UTC offset in the IANA database is a multiple of 15 minutes, so are local midnights. */
const QUARTER_MS = 15 * 60 * 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();
// Offsets change only at quarter-hour instants, so the local day of each quarter is cached.
const cache = new Map<string, string>();
const CACHE_LIMIT = 200_000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // en-CA prints dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** `YYYY-MM-DD` of the instant `ms` in `timeZone` (an IANA name that `isTimeZone` accepted). */
export function localDay(ms: number, timeZone: string): string {
  const quarter = Math.floor(ms / QUARTER_MS);
  const key = `${timeZone}|${quarter}`;
  let day = cache.get(key);
  if (day === undefined) {
    day = formatter(timeZone).format(new Date(quarter * QUARTER_MS));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, day);
  }
  return day;
}

export interface DaySlice {
  readonly day: string;
  readonly seconds: number;
}

/**
 * Splits the interval [startMs, endMs) into the local days it overlaps, with the seconds in
 * each. An empty interval still yields its start day with 0 seconds, so an incident that just
 * opened is counted on the day it opened. `maxDays` bounds the work for absurd intervals.
 */
export function splitByLocalDay(startMs: number, endMs: number, timeZone: string, maxDays = 400): DaySlice[] {
  const slices: DaySlice[] = [];
  let from = startMs;
  let day = localDay(from, timeZone);
  if (endMs <= startMs) return [{ day, seconds: 0 }];
  // Walk quarter-hour boundaries; a local midnight is always one of them.
  let boundary = (Math.floor(from / QUARTER_MS) + 1) * QUARTER_MS;
  while (boundary < endMs && slices.length < maxDays) {
    const next = localDay(boundary, timeZone);
    if (next !== day) {
      slices.push({ day, seconds: (boundary - from) / 1000 });
      from = boundary;
      day = next;
    }
    boundary += QUARTER_MS;
  }
  slices.push({ day, seconds: (endMs - from) / 1000 });
  return slices;
}
