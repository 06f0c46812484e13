/**
 * Rollup maintenance: after a batch of events is stored, the rows of every (salon, hour) and
 * (salon, local day) the batch touched are recomputed from the raw events, deduplicated by
 * event id, and inserted with a newer version (see migrations/002_rollups.sql for why this is
 * not a materialized view). Recomputing is idempotent, so a crash anywhere in the sink's
 * insert -> recompute -> commit sequence is repaired by the redelivery that follows.
 */
import type { ClickHouse } from './client.js';
import { joinSql, Sql, sql, sqlDay, sqlList } from './sql.js';

export interface HourKey {
  readonly salonId: string;
  /** Epoch seconds of the UTC hour's start. */
  readonly hour: number;
}

export interface DayKey {
  readonly salonId: string;
  /** `YYYY-MM-DD`, salon-local. */
  readonly day: string;
}

/** Keeps each statement well under 18.16's default max_query_size of 256 KiB. */
const KEYS_PER_STATEMENT = 1000;

const ROLLUP_COLUMNS = new Sql(`events, visits, visitors, visitsStaffPresent, visitsGreeted, greetingLatencySum, visitSeconds,
  waits, waitsAbandoned, waitSeconds, waitMaxS, queueSamples, queueLengthSum, queueLengthMax,
  staffSamples, openSeconds, unstaffedOpenSeconds, observedSeconds, cameraHealthEvents`);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Per camera first, then across cameras: counts add up, sample seconds take the maximum. */
export function hourlyRecomputeSql(keys: readonly HourKey[], version: number): Sql {
  const salons = [...new Set(keys.map((k) => k.salonId))];
  const hours = keys.map((k) => k.hour);
  const from = new Date(Math.min(...hours) * 1000);
  const to = new Date((Math.max(...hours) + 3600) * 1000);
  const tuples = joinSql(keys.map((k) => sql`(${k.salonId}, ${k.hour})`));
  return sql`
INSERT INTO rollup_hourly (salonId, hour, localDate, version, ${ROLLUP_COLUMNS})
SELECT salonId, hour, localDate, ${version},
  sum(events), sum(visits), sum(visitors), sum(visitsStaffPresent), sum(visitsGreeted), sum(greetingLatencySum), sum(visitSeconds),
  sum(waits), sum(waitsAbandoned), sum(waitSeconds), max(waitMaxS), sum(queueSamples), sum(queueLengthSum), max(queueLengthMax),
  sum(staffSamples), max(openSeconds), max(unstaffedOpenSeconds), max(observedSeconds), sum(cameraHealthEvents)
FROM
(
  SELECT salonId, toStartOfHour(occurredAt) AS hour, localDate, cameraId,
    count() AS events,
    countIf(type = 'visit') AS visits,
    sumIf(groupSize, type = 'visit') AS visitors,
    countIf(type = 'visit' AND staffPresent = 1) AS visitsStaffPresent,
    countIf(type = 'visit' AND greeted = 1) AS visitsGreeted,
    sumIf(greetingLatencyS, type = 'visit' AND greeted = 1) AS greetingLatencySum,
    sumIf(durationS, type = 'visit') AS visitSeconds,
    countIf(type = 'wait') AS waits,
    countIf(type = 'wait' AND abandoned = 1) AS waitsAbandoned,
    sumIf(waitS, type = 'wait') AS waitSeconds,
    maxIf(waitS, type = 'wait') AS waitMaxS,
    countIf(type = 'queue_sample') AS queueSamples,
    sumIf(queueLength, type = 'queue_sample') AS queueLengthSum,
    maxIf(queueLength, type = 'queue_sample') AS queueLengthMax,
    countIf(type = 'staff_sample') AS staffSamples,
    sumIf(windowS, type = 'staff_sample' AND open = 1) AS openSeconds,
    sumIf(windowS, type = 'staff_sample' AND open = 1 AND staffCount = 0) AS unstaffedOpenSeconds,
    greatest(sumIf(windowS, type = 'staff_sample'), sumIf(windowS, type = 'queue_sample')) AS observedSeconds,
    countIf(type = 'camera_health') AS cameraHealthEvents
  FROM
  (
    SELECT eventId, salonId, occurredAt, localDate, cameraId, type, groupSize, staffPresent, greeted, greetingLatencyS,
      durationS, abandoned, waitS, queueLength, windowS, open, staffCount
    FROM events
    WHERE salonId IN (${sqlList(salons)}) AND occurredAt >= ${from} AND occurredAt < ${to}
      AND (salonId, toUInt32(toStartOfHour(occurredAt))) IN (${tuples})
    LIMIT 1 BY eventId
  )
  GROUP BY salonId, hour, localDate, cameraId
)
GROUP BY salonId, hour, localDate`;
}

export function dailyRecomputeSql(keys: readonly DayKey[], version: number): Sql {
  const salons = [...new Set(keys.map((k) => k.salonId))];
  const days = [...new Set(keys.map((k) => k.day))].map(sqlDay);
  const tuples = joinSql(keys.map((k) => sql`(${k.salonId}, ${sqlDay(k.day)})`));
  return sql`
INSERT INTO rollup_daily (salonId, localDate, version, ${ROLLUP_COLUMNS})
SELECT salonId, localDate, ${version},
  sum(events), sum(visits), sum(visitors), sum(visitsStaffPresent), sum(visitsGreeted), sum(greetingLatencySum), sum(visitSeconds),
  sum(waits), sum(waitsAbandoned), sum(waitSeconds), max(waitMaxS), sum(queueSamples), sum(queueLengthSum), max(queueLengthMax),
  sum(staffSamples), sum(openSeconds), sum(unstaffedOpenSeconds), sum(observedSeconds), sum(cameraHealthEvents)
FROM rollup_hourly FINAL
WHERE salonId IN (${sqlList(salons)}) AND localDate IN (${sqlList(days)}) AND (salonId, localDate) IN (${tuples})
GROUP BY salonId, localDate`;
}
export interface TouchedRow {
  readonly salonId: string;
  /** Epoch seconds. */
  readonly occurredAt: number;
  readonly localDate: string;
}

export function touchedKeys(rows: readonly TouchedRow[]): { hours: HourKey[]; days: DayKey[] } {
  const hours = new Map<string, HourKey>();
  const days = new Map<string, DayKey>();
  for (const r of rows) {
    const hour = Math.floor(r.occurredAt / 3600) * 3600;
    hours.set(`${r.salonId}\u0000${hour}`, { salonId: r.salonId, hour });
    days.set(`${r.salonId}\u0000${r.localDate}`, { salonId: r.salonId, day: r.localDate });
  }
  return { hours: [...hours.values()], days: [...days.values()] };
}

/**
 * Recomputes the hourly rows, then the daily rows built from them, for every key the rows
 * touched. `version` must grow between calls (the sink passes a monotonic clock reading).
 */
export async function refreshRollups(ch: ClickHouse, rows: readonly TouchedRow[], version: number): Promise<void> {
  const { hours, days } = touchedKeys(rows);
  for (const part of chunks(hours, KEYS_PER_STATEMENT)) await ch.command(hourlyRecomputeSql(part, version));
  for (const part of chunks(days, KEYS_PER_STATEMENT)) await ch.command(dailyRecomputeSql(part, version));
}
