/**
 * One batch of validated events into ClickHouse: raw rows, incident reports and their day
 * shares, then the rollups of every key the batch touched. Each step is idempotent under
 * redelivery (see migrations/001 and 002), so the sink may repeat the whole batch after any
 * failure and the scores still count each event once.
 */
import { Type } from '@sinclair/typebox';
import type { ClickHouse } from '../clickhouse/client.js';
import { refreshIncidentDaily, refreshRollups } from '../clickhouse/rollups.js';
import { sql } from '../clickhouse/sql.js';
import type { IncidentEvent, SalonEvent } from '../events/schema.js';
import type { Logger } from '../common/log.js';
import { isTimeZone } from './local-day.js';
import { eventRow, incidentDayRows, incidentRow } from './rows.js';

export type TimeZoneOf = (salonId: string) => string;

export interface StoreTimings {
  readonly insertMs: number;
  readonly rollupMs: number;
}

export async function storeBatch(ch: ClickHouse, events: readonly SalonEvent[], timeZoneOf: TimeZoneOf, version: number): Promise<StoreTimings> {
  if (events.length === 0) return { insertMs: 0, rollupMs: 0 };
  const started = performance.now();
  const rows = events.map((e) => eventRow(e, timeZoneOf(e.salonId)));
  await ch.insert('events', rows);
  const incidents = events.filter((e): e is IncidentEvent => e.type === 'incident');
  if (incidents.length > 0) {
    await ch.insert('incidents', incidents.map((e) => incidentRow(e, timeZoneOf(e.salonId))));
    const days = incidents.flatMap((e) => incidentDayRows(e, timeZoneOf(e.salonId)));
    await ch.insert('incident_days', days);
    await refreshIncidentDaily(ch, days, version);
  }
  const inserted = performance.now();
  await refreshRollups(ch, rows, version);
  return { insertMs: inserted - started, rollupMs: performance.now() - inserted };
}

const SalonZoneRow = Type.Object({ salonId: Type.String(), timezone: Type.String() });

/**
 * Salon -> IANA time zone from the `salons` dimension, reloaded periodically. A salon not (yet)
 * in the dimension, or with a zone this runtime does not know, is assigned UTC days and logged
 * once: its events are stored rather than held back.
 */
export class SalonTimeZones {
  private zones = new Map<string, string>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly ch: ClickHouse,
    private readonly log: Logger,
  ) {}

  async reload(): Promise<void> {
    const rows = await this.ch.query(
      sql`SELECT salonId, argMax(timezone, updatedAt) AS timezone FROM salons GROUP BY salonId`,
      SalonZoneRow,
    );
    const zones = new Map<string, string>();
    for (const { salonId, timezone } of rows) {
      if (isTimeZone(timezone)) zones.set(salonId, timezone);
      else this.warnOnce(salonId, `unknown time zone "${timezone}"`);
    }
    this.zones = zones;
  }

  readonly of: TimeZoneOf = (salonId) => {
    const zone = this.zones.get(salonId);
    if (zone !== undefined) return zone;
    this.warnOnce(salonId, 'salon not in the salons dimension');
    return 'UTC';
  };

  private warnOnce(salonId: string, why: string): void {
    if (this.warned.has(salonId) || this.warned.size > 10_000) return;
    this.warned.add(salonId);
    this.log.warn('salon days counted in UTC', { salonId, why });
  }
}
