/**
 * Rollup maintenance: after a batch of events is stored, the rows of every (salon, hour) and
 * (salon, local day) the batch touched are recomputed from the raw events, deduplicated by
 * event id, and inserted with a newer version (see migrations/002_rollups.sql for why this is
 * not a materialized view). Recomputing is idempotent, so a crash anywhere in the sink's
 * insert -> recompute -> commit sequence is repaired by the redelivery that follows.
 */
import type { ClickHouse } from './client.js';
import { Sql, sql, sqlDay, sqlList } from './sql.js';

/** Keeps each statement well under 18.16's default max_query_size of 256 KiB. */
const SALONS_PER_STATEMENT = 2000;

const ROLLUP_COLUMNS = new Sql(`events, visits, visitors, visitsStaffPresent, visitsGreeted, greetingLatencySum, visitSeconds,
  waits, waitsAbandoned, waitSeconds, waitMaxS, queueSamples, queueLengthSum, queueLengthMax,
  staffSamples, openSeconds, unstaffedOpenSeconds, observedSeconds, cameraHealthEvents`);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Per camera first, then across cameras: counts add up, sample seconds take the maximum. */
export function hourlyRecomputeSql(salons: readonly string[], hour: number, version: number): Sql {
  const from = new Date(hour * 1000);
  const to = new Date((hour + 3600) * 1000);
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
    LIMIT 1 BY eventId
  )
  GROUP BY salonId, hour, localDate, cameraId
)
GROUP BY salonId, hour, localDate`;
}

/**
 * A local day's hours lie within [day - 14 h, day + 38 h) in UTC for every offset from -12 to
 * +14, so the hour range lets the primary index (salonId, hour) skip the rest.
 */
export function dailyRecomputeSql(salons: readonly string[], day: string, version: number): Sql {
  const midnight = Date.parse(`${sqlDay(day).value}T00:00:00.000Z`);
  const from = new Date(midnight - 14 * 3_600_000);
  const to = new Date(midnight + 38 * 3_600_000);
  return sql`
INSERT INTO rollup_daily (salonId, localDate, version, ${ROLLUP_COLUMNS})
SELECT salonId, localDate, ${version},
  sum(events), sum(visits), sum(visitors), sum(visitsStaffPresent), sum(visitsGreeted), sum(greetingLatencySum), sum(visitSeconds),
  sum(waits), sum(waitsAbandoned), sum(waitSeconds), max(waitMaxS), sum(queueSamples), sum(queueLengthSum), max(queueLengthMax),
  sum(staffSamples), sum(openSeconds), sum(unstaffedOpenSeconds), sum(observedSeconds), sum(cameraHealthEvents)
FROM rollup_hourly FINAL
WHERE salonId IN (${sqlList(salons)}) AND hour >= ${from} AND hour < ${to} AND localDate = ${sqlDay(day)}
GROUP BY salonId, localDate`;
}
export interface TouchedRow {
  readonly salonId: string;
  /** Epoch seconds. */
  readonly occurredAt: number;
  readonly localDate: string;
}

/** Salons touched per UTC hour (epoch seconds) and per local day. */
export function touchedKeys(rows: readonly TouchedRow[]): { hours: Map<number, Set<string>>; days: Map<string, Set<string>> } {
  const hours = new Map<number, Set<string>>();
  const days = new Map<string, Set<string>>();
  for (const r of rows) {
    const hour = Math.floor(r.occurredAt / 3600) * 3600;
    let h = hours.get(hour);
    if (h === undefined) hours.set(hour, (h = new Set()));
    h.add(r.salonId);
    let d = days.get(r.localDate);
    if (d === undefined) days.set(r.localDate, (d = new Set()));
    d.add(r.salonId);
  }
  return { hours, days };
}

/**
 * Recomputes the hourly rows, then the daily rows built from them, for every key the rows
 * touched: one statement per touched hour (and per touched day), each over the salons touched
 * in it. `version` must grow between calls (the sink passes a monotonic clock reading).
 */
export async function refreshRollups(ch: ClickHouse, rows: readonly TouchedRow[], version: number): Promise<void> {
  const { hours, days } = touchedKeys(rows);
  for (const [hour, salons] of hours) {
    for (const part of chunks([...salons], SALONS_PER_STATEMENT)) await ch.command(hourlyRecomputeSql(part, hour, version));
  }
  for (const [day, salons] of days) {
    for (const part of chunks([...salons], SALONS_PER_STATEMENT)) await ch.command(dailyRecomputeSql(part, day, version));
  }
}

export interface IncidentDayKey {
  readonly salonId: string;
  readonly localDate: string;
}

/** Per standard: incidents opened (count-based standards) and incident seconds (time-based). */
const INCIDENT_TOTALS = new Sql(`sumIf(opened, standard = 'greeting' AND dismissed = 0), sumIf(opened, standard = 'waiting_time' AND dismissed = 0),
  sumIf(opened, standard = 'queue_length' AND dismissed = 0), sumIf(opened, standard = 'staff_presence' AND dismissed = 0),
  sumIf(opened, standard = 'camera_coverage' AND dismissed = 0),
  sumIf(seconds, standard = 'greeting' AND dismissed = 0), sumIf(seconds, standard = 'waiting_time' AND dismissed = 0),
  sumIf(seconds, standard = 'queue_length' AND dismissed = 0), sumIf(seconds, standard = 'staff_presence' AND dismissed = 0),
  sumIf(seconds, standard = 'camera_coverage' AND dismissed = 0)`);

/**
 * The incident totals of the given keys, net of dismissed incidents: each incident's newest
 * review decides (no review: counted). Dismissed shares are filtered inside the sums, not by a
 * WHERE, so a day whose every incident was dismissed still gets its (zero) row.
 */
function netTotals(shares: Sql, verdictsOf: Sql): Sql {
  return sql`${INCIDENT_TOTALS}
FROM
(
  SELECT salonId, localDate, incidentId, standard, opened, seconds FROM incident_days FINAL ${shares}
) AS shares
ANY LEFT JOIN
(
  SELECT incidentId, toUInt8(argMax(verdict, (reviewedAt, reviewedMs)) = 'dismiss') AS dismissed
  FROM incident_reviews ${verdictsOf}
  GROUP BY incidentId
) AS verdicts USING incidentId
GROUP BY salonId, localDate`;
}

/**
 * Recomputes the incident_daily rows of the given salons on one day, net of dismissals. Two
 * writers run it: the sink after storing incidents, and whoever stores a review
 * (clickhouse/reviews.ts), so that a dismissal leaves every score at once.
 *
 * The row's version is at least one above every version of those keys when the statement reads
 * them, and at least the caller's clock reading taken before it started reading. So a recompute
 * that saw a review always outranks one that ran before the review was stored, even when the
 * two writers' clocks differ; a recompute overtaken in flight (read before the review, written
 * after the reviewer's) can still win by a clock skew's margin, and the next recompute of the
 * key (the next batch touching that salon-day) repairs it.
 */
export function incidentDailyRecomputeSql(salons: readonly string[], day: string, version: number): Sql {
  const keys = sql`WHERE salonId IN (${sqlList(salons)}) AND localDate = ${sqlDay(day)}`;
  return sql`
INSERT INTO incident_daily
SELECT salonId, localDate, greatest(toUInt64(${version}), (SELECT max(version) + 1 FROM incident_daily ${keys})),
  ${netTotals(keys, sql`WHERE incidentId IN (SELECT incidentId FROM incident_days ${keys})`)}`;
}

/** Every key of incident_daily recomputed (migrations/006, generated benchmark data). */
export function incidentDailyRebuildSql(version: number): Sql {
  return sql`
INSERT INTO incident_daily
SELECT salonId, localDate, toUInt64(${version}),
  ${netTotals(sql``, sql``)}`;
}

/** Recomputes incident_daily for every (salon, day) the incident-day rows touched. */
export async function refreshIncidentDaily(ch: ClickHouse, rows: readonly IncidentDayKey[], version: number): Promise<void> {
  const days = new Map<string, Set<string>>();
  for (const r of rows) {
    let d = days.get(r.localDate);
    if (d === undefined) days.set(r.localDate, (d = new Set()));
    d.add(r.salonId);
  }
  for (const [day, salons] of days) {
    for (const part of chunks([...salons], SALONS_PER_STATEMENT)) await ch.command(incidentDailyRecomputeSql(part, day, version));
  }
}
