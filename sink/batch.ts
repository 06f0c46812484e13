/**
 * A batch of validated events in the form the sink holds it until ClickHouse acknowledges: the
 * raw rows already encoded for the events table, the keys the rollups must recompute, the
 * incident reports (the only events whose other tables need them whole) and each event's
 * producedAt. Each event is turned into its row once, when it arrives, and then dropped: a held
 * batch is one buffer and a few small arrays instead of every parsed event. Holding the parsed
 * events (then rows) made every young-generation collection copy them again while the batch
 * filled and was stored: in `bench sink` profiles the sink spent 12 µs per event collecting
 * garbage that way, against under 3 µs held like this. Pure.
 */
import type { TouchedRow } from '../clickhouse/rollups.js';
import { TabSeparatedWriter, type TabSeparatedRows } from '../clickhouse/tab-separated.js';
import type { IncidentEvent, SalonEvent } from '../events/schema.js';
import { EVENT_COLUMNS, eventRow, incidentDayRows, type EventRow, type IncidentDayRow } from './rows.js';

export type TimeZoneOf = (salonId: string) => string;

const HOUR_S = 3600;

export class EventBatch {
  private readonly rows: TabSeparatedWriter<EventRow>;
  private readonly incidentEvents: IncidentEvent[] = [];
  /** One entry per (salon, UTC hour, local day): all the rollups need to know (`touchedKeys`). */
  private readonly touchedKeys = new Map<string, TouchedRow>();
  private readonly produced: number[] = [];
  private days: IncidentDayRow[] | undefined;

  constructor(
    private readonly timeZoneOf: TimeZoneOf,
    initialBytes?: number,
  ) {
    this.rows = new TabSeparatedWriter(EVENT_COLUMNS, initialBytes);
  }

  /** The zone the batch's rows were given for a salon (incident rows must use the same). */
  timeZone(salonId: string): string {
    return this.timeZoneOf(salonId);
  }

  get count(): number {
    return this.rows.rows;
  }

  /** Rows for the events table, for `ClickHouse.insertTabSeparated`. */
  get eventRows(): TabSeparatedRows {
    return this.rows;
  }

  get incidents(): readonly IncidentEvent[] {
    return this.incidentEvents;
  }

  /** producedAt of each event, epoch milliseconds, in the order added. */
  get producedAtMs(): readonly number[] {
    return this.produced;
  }

  /** The incidents' shares of each local day (both storing steps need them). */
  incidentDays(): readonly IncidentDayRow[] {
    this.days ??= this.incidentEvents.flatMap((e) => incidentDayRows(e, this.timeZoneOf(e.salonId)));
    return this.days;
  }

  /** Rows standing for every (salon, hour, local day) the batch touched, for `refreshRollups`. */
  touched(): TouchedRow[] {
    return [...this.touchedKeys.values()];
  }

  /** Adds one validated event; throws (leaving the batch as it was) if it cannot be stored. */
  add(event: SalonEvent): void {
    const row = eventRow(event, this.timeZoneOf(event.salonId));
    this.rows.write(row);
    const hour = Math.floor(row.occurredAt / HOUR_S) * HOUR_S;
    const key = `${row.salonId}\u0000${hour}\u0000${row.localDate}`;
    if (!this.touchedKeys.has(key)) this.touchedKeys.set(key, { salonId: row.salonId, occurredAt: hour, localDate: row.localDate });
    if (event.type === 'incident') {
      this.incidentEvents.push(event);
      this.days = undefined;
    }
    this.produced.push(row.producedAt * 1000 + row.producedMs);
  }

  /** Appends a later batch: after a failed store, the failed batch goes first. */
  append(later: EventBatch): void {
    this.rows.append(later.rows);
    for (const [key, touched] of later.touchedKeys) this.touchedKeys.set(key, touched);
    for (const incident of later.incidentEvents) this.incidentEvents.push(incident);
    this.days = undefined;
    for (const ms of later.produced) this.produced.push(ms);
  }
}
