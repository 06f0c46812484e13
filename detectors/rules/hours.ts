/**
 * Opening hours in the salon's own time zone. The wall clock is read through Intl with the IANA
 * zone, so a daylight-saving change moves opening time in UTC as it does for the people in the
 * salon; a fixed offset would be an hour off for half the year.
 */
import { WEEKDAYS, type OpeningInterval, type Weekday } from '../../config/fleet.js';

export type OpeningHours = Readonly<Partial<Record<Weekday, OpeningInterval>>>;

export interface LocalTime {
  readonly weekday: Weekday;
  /** Minutes after local midnight. */
  readonly minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localTime(ms: number, timeZone: string): LocalTime {
  let weekday: Weekday = 'mon';
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type === 'weekday') {
      const day = part.value.toLowerCase().slice(0, 3);
      weekday = WEEKDAYS.find((d) => d === day) ?? weekday;
    } else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minutes: hour * 60 + minute };
}

export function isOpenAt(ms: number, timeZone: string, hours: OpeningHours): boolean {
  const { weekday, minutes } = localTime(ms, timeZone);
  const interval = hours[weekday];
  return interval !== undefined && minutes >= interval.open && minutes < interval.close;
}

/**
 * `isOpenAt` cached per UTC minute: the rules ask on every frame, and every zone in use has
 * whole-minute offsets, so the answer cannot change within a UTC minute.
 */
export class OpeningClock {
  private minute = NaN;
  private open = false;

  constructor(
    private readonly timeZone: string,
    private readonly hours: OpeningHours,
  ) {}

  isOpen(ms: number): boolean {
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.open = isOpenAt(ms, this.timeZone, this.hours);
    }
    return this.open;
  }
}
