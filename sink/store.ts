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
import type { SalonEvent } from '../events/schema.js';
import type { Logger } from '../common/log.js';
import { EventBatch, type TimeZoneOf } from './batch.js';
import { isTimeZone } from './local-day.js';
import { incidentRow } from './rows.js';

export type { TimeZoneOf } from './batch.js';

export interface StoreTimings {
  readonly insertMs: number;
  readonly rollupMs: number;
}

/**
 * A batch's raw rows into the events table, as TabSeparated: the bulk of what the sink writes.
 * The benchmark's bare-insert baseline calls this too, so it measures the same adapter and format.
 */
export function insertEventRows(ch: ClickHouse, batch: EventBatch): Promise<void> {
  return ch.insertTabSeparated('events', batch.eventRows);
}

/**
 * The first step of storing a batch: its raw rows, and its incident reports with their day
 * shares. The two touch disjoint tables and run at the same time. Both settle before a failure
 * is reported, so a retry never overlaps a statement of the failed attempt. Returns the ms taken.
 */
export async function writeEventBatch(ch: ClickHouse, batch: EventBatch): Promise<number> {
  const started = performance.now();
  const incidents = async () => {
    if (batch.incidents.length === 0) return;
    const insertedMs = Date.now();
    await ch.insert('incidents', batch.incidents.map((e) => incidentRow(e, batch.timeZone(e.salonId), insertedMs)));
    await ch.insert('incident_days', batch.incidentDays());
  };
  await settleAll([insertEventRows(ch, batch), incidents()]);
  return performance.now() - started;
}

/**
 * The second step: the rollups and incident totals of every key the batches touched,
 * recomputed from what is stored. It must follow the batches' own writes, and successive
 * recomputes must run in the order of their versions, so that the newest version of a key was
 * computed from at least everything an older one saw (rows of later batches written meanwhile
 * only make an earlier recompute more complete). Several batches written by then are
 * recomputed as one: a key is recomputed from all its rows at once. Returns the ms taken.
 */
export async function recomputeEventBatches(ch: ClickHouse, batches: readonly EventBatch[], version: number): Promise<number> {
  const started = performance.now();
  // One refreshRollups over all the touched keys: split by salon and run side by side, the same
  // recompute took twice as long (each hourly statement reads its hour whatever the salon list).
  const touched = batches.flatMap((b) => b.touched());
  const days = batches.flatMap((b) => b.incidentDays());
  await settleAll([
    touched.length === 0 ? Promise.resolve() : refreshRollups(ch, touched, version),
    days.length === 0 ? Promise.resolve() : refreshIncidentDaily(ch, days, version),
  ]);
  return performance.now() - started;
}

/** Both steps, one after the other. */
export async function storeEventBatch(ch: ClickHouse, batch: EventBatch, version: number): Promise<StoreTimings> {
  if (batch.count === 0) return { insertMs: 0, rollupMs: 0 };
  const insertMs = await writeEventBatch(ch, batch);
  return { insertMs, rollupMs: await recomputeEventBatches(ch, [batch], version) };
}

async function settleAll(steps: readonly Promise<unknown>[]): Promise<void> {
  for (const result of await Promise.allSettled(steps)) {
    if (result.status === 'rejected') throw result.reason;
  }
}

/** `storeEventBatch` for events at hand (tests, fixtures). */
export function storeBatch(ch: ClickHouse, events: readonly SalonEvent[], timeZoneOf: TimeZoneOf, version: number): Promise<StoreTimings> {
  const batch = new EventBatch(timeZoneOf);
  for (const event of events) batch.add(event);
  return storeEventBatch(ch, batch, version);
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
