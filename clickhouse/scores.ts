/**
 * Compliance scores and rankings.
 *
 * Rates per standard (1 = fully compliant), over the opportunities the day offered:
 *   greeting        1 - greeting incidents / visits with staff present
 *   waiting_time    1 - waiting-time incidents / waits
 *   queue_length    1 - queue-length incident seconds / open seconds observed from samples
 *   staff_presence  1 - staff-presence incident seconds / open seconds observed from samples
 *   camera_coverage 1 - outage seconds / (observed seconds + outage seconds); an unusable camera
 *                   sends no samples, so its outage is added to what was observed
 * Only incidents whose latest review is not "dismiss" count: dismissing one removes it from
 * every score at the next query, with nothing to recompute. A standard without opportunities
 * has no rate (null) and stays out of the weighted mean; the score is 100 x the weighted mean.
 *
 * A ranking over a period pools the period's counts per salon (a busy day weighs more than a
 * quiet one); a macro-region's score is the mean of its salons' scores, so each salon counts
 * the same whatever its traffic. Ties share a rank (1, 2, 2, 4).
 *
 * Rates and scores are pure functions below; the queries only add up counts.
 */
import { Type } from '@sinclair/typebox';
import { SalonwatchError } from '../common/errors.js';
import { STANDARDS, type Standard } from '../events/schema.js';
import type { ClickHouse } from './client.js';
import { sql, sqlDay, type Sql } from './sql.js';

export type Weights = Readonly<Record<Standard, number>>;
export type Rates = Readonly<Record<Standard, number | null>>;

export interface Opportunities {
  readonly visitsStaffPresent: number;
  readonly waits: number;
  readonly openSeconds: number;
  readonly observedSeconds: number;
}

export interface IncidentLoad {
  /** Incidents opened (count-based standards). */
  readonly count: Readonly<Record<Standard, number>>;
  /** Incident seconds (time-based standards). */
  readonly seconds: Readonly<Record<Standard, number>>;
}

const zeroes = (): Record<Standard, number> => ({ greeting: 0, queue_length: 0, waiting_time: 0, staff_presence: 0, camera_coverage: 0 });
export const NO_INCIDENTS: IncidentLoad = { count: zeroes(), seconds: zeroes() };

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const rate = (bad: number, opportunities: number) => (opportunities > 0 ? clamp01(1 - bad / opportunities) : null);

export function complianceRates(o: Opportunities, incidents: IncidentLoad): Rates {
  const outage = incidents.seconds.camera_coverage;
  return {
    greeting: rate(incidents.count.greeting, o.visitsStaffPresent),
    waiting_time: rate(incidents.count.waiting_time, o.waits),
    queue_length: rate(incidents.seconds.queue_length, o.openSeconds),
    staff_presence: rate(incidents.seconds.staff_presence, o.openSeconds),
    camera_coverage: rate(outage, o.observedSeconds + outage),
  };
}

/** 100 x the weighted mean of the rates that exist; null when none does (or all their weights are 0). */
export function weightedScore(rates: Rates, weights: Weights): number | null {
  let sum = 0;
  let weight = 0;
  for (const s of STANDARDS) {
    const r = rates[s];
    const w = weights[s];
    if (r === null || !(w > 0)) continue;
    sum += w * r;
    weight += w;
  }
  return weight > 0 ? (100 * sum) / weight : null;
}

/** Competition ranking by score, highest first; ties share a rank, then order by key. */
export function rankBy<T>(items: readonly T[], score: (item: T) => number, key: (item: T) => string): (T & { rank: number })[] {
  const sorted = [...items].sort((a, b) => score(b) - score(a) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let rank = 0;
  let previous = Number.NaN;
  return sorted.map((item, i) => {
    const s = score(item);
    if (s !== previous) rank = i + 1;
    previous = s;
    return { ...item, rank };
  });
}

export interface DailyScore {
  readonly day: string;
  readonly score: number | null;
  readonly standards: Rates;
}

export interface SalonRank {
  readonly rank: number;
  readonly salonId: string;
  readonly regionId: string;
  readonly partnerId: string;
  readonly score: number;
}

export interface RegionRank {
  readonly rank: number;
  readonly regionId: string;
  readonly score: number;
  readonly salons: number;
}

const OpportunityRow = Type.Object({
  key: Type.String(),
  visitsStaffPresent: Type.Number(),
  waits: Type.Number(),
  openSeconds: Type.Number(),
  observedSeconds: Type.Number(),
});

const IncidentRow = Type.Object({
  key: Type.String(),
  standard: Type.Union(STANDARDS.map((s) => Type.Literal(s))),
  opened: Type.Number(),
  seconds: Type.Number(),
});

const SalonDimRow = Type.Object({ salonId: Type.String(), regionId: Type.String(), partnerId: Type.String() });

function checkRange(from: string, to: string): { from: Sql; to: Sql; reviewsFrom: Date } {
  const a = sqlDay(from);
  const b = sqlDay(to);
  if (from > to) throw new SalonwatchError('INPUT_INVALID', `empty day range: ${from} is after ${to}`);
  const reviewsFrom = new Date(Math.max(0, Date.parse(`${a.value}T00:00:00.000Z`) - 86_400_000));
  return { from: sql`${a}`, to: sql`${b}`, reviewsFrom };
}

/** `key` is the day (one salon) or the salon (a ranking); `salonFilter` narrows the salons. */
function opportunitiesSql(key: Sql, salonFilter: Sql, from: Sql, to: Sql): Sql {
  return sql`
SELECT ${key} AS key,
  toFloat64(sum(visitsStaffPresent)) AS visitsStaffPresent, toFloat64(sum(waits)) AS waits,
  sum(openSeconds) AS openSeconds, sum(observedSeconds) AS observedSeconds
FROM rollup_daily FINAL
WHERE ${salonFilter} AND localDate >= ${from} AND localDate <= ${to}
GROUP BY key`;
}

/**
 * Each incident's newest share of each day, minus incidents whose newest review dismisses
 * them, summed per key and standard. "Newest share" is the highest version per (salon, day,
 * incident), taken two ways because 18.16 favours each for one shape (measured on a year of
 * 1,300 salons): FINAL for many salons over a month (merging sorted parts beats hashing
 * 280,000 string keys, 4x), argMax over a GROUP BY for one salon over a year (FINAL pays per
 * monthly partition, 5x). A review is never older than its incident, and an incident of a
 * local day starts at most 14 h before that day's UTC midnight, so reviews before the range
 * (less a day) cannot concern it and are not read.
 */
function incidentsSql(key: Sql, salonFilter: Sql, from: Sql, to: Sql, reviewsFrom: Date, newest: 'final' | 'argmax'): Sql {
  const dismissed = sql`
    SELECT incidentId FROM incident_reviews
    WHERE ${salonFilter} AND reviewedAt >= ${reviewsFrom}
    GROUP BY incidentId HAVING argMax(verdict, (reviewedAt, reviewedMs)) = 'dismiss'`;
  const shares =
    newest === 'final'
      ? sql`SELECT salonId, localDate, incidentId, standard, opened, seconds
  FROM incident_days FINAL
  WHERE ${salonFilter} AND localDate >= ${from} AND localDate <= ${to}`
      : sql`SELECT salonId, localDate, incidentId, any(standard) AS standard, argMax(opened, version) AS opened, argMax(seconds, version) AS seconds
  FROM incident_days
  WHERE ${salonFilter} AND localDate >= ${from} AND localDate <= ${to}
  GROUP BY salonId, localDate, incidentId`;
  return sql`
SELECT ${key} AS key, toString(standard) AS standard, toFloat64(sum(opened)) AS opened, sum(seconds) AS seconds
FROM
(
  ${shares}
)
WHERE incidentId NOT IN (${dismissed})
GROUP BY key, standard`;
}

function incidentLoads(rows: readonly (typeof IncidentRow.static)[]): Map<string, IncidentLoad> {
  const loads = new Map<string, { count: Record<Standard, number>; seconds: Record<Standard, number> }>();
  for (const r of rows) {
    let load = loads.get(r.key);
    if (load === undefined) {
      load = { count: zeroes(), seconds: zeroes() };
      loads.set(r.key, load);
    }
    load.count[r.standard] += r.opened;
    load.seconds[r.standard] += r.seconds;
  }
  return loads;
}

export interface ScoreQueries {
  dailyScores(salonId: string, from: string, to: string): Promise<DailyScore[]>;
  salonRanking(from: string, to: string, regionId: string | null): Promise<SalonRank[]>;
  regionRanking(from: string, to: string): Promise<RegionRank[]>;
}

/** `weights` is read at every query, so a changed standards configuration applies at once. */
export function scoreQueries(ch: ClickHouse, weights: () => Weights): ScoreQueries {
  async function salonScores(from: string, to: string, regionId: string | null) {
    const range = checkRange(from, to);
    const filter =
      regionId === null ? sql`1` : sql`salonId IN (SELECT salonId FROM salons GROUP BY salonId HAVING argMax(regionId, updatedAt) = ${regionId})`;
    const [opportunities, incidents, dimension] = await Promise.all([
      ch.query(opportunitiesSql(sql`salonId`, filter, range.from, range.to), OpportunityRow),
      ch.query(incidentsSql(sql`salonId`, filter, range.from, range.to, range.reviewsFrom, 'final'), IncidentRow),
      ch.query(
        sql`SELECT salonId, argMax(regionId, updatedAt) AS regionId, argMax(partnerId, updatedAt) AS partnerId FROM salons GROUP BY salonId`,
        SalonDimRow,
      ),
    ]);
    const loads = incidentLoads(incidents);
    const salons = new Map(dimension.map((d) => [d.salonId, d]));
    const w = weights();
    const scored: Omit<SalonRank, 'rank'>[] = [];
    for (const o of opportunities) {
      const score = weightedScore(complianceRates(o, loads.get(o.key) ?? NO_INCIDENTS), w);
      const dim = salons.get(o.key);
      if (score === null) continue;
      scored.push({ salonId: o.key, regionId: dim?.regionId ?? '', partnerId: dim?.partnerId ?? '', score });
    }
    return scored;
  }

  return {
    async dailyScores(salonId, from, to) {
      const range = checkRange(from, to);
      const filter = sql`salonId = ${salonId}`;
      const day = sql`toString(localDate)`;
      const [opportunities, incidents] = await Promise.all([
        ch.query(opportunitiesSql(day, filter, range.from, range.to), OpportunityRow),
        ch.query(incidentsSql(day, filter, range.from, range.to, range.reviewsFrom, 'argmax'), IncidentRow),
      ]);
      const loads = incidentLoads(incidents);
      const w = weights();
      return opportunities
        .map((o) => {
          const standards = complianceRates(o, loads.get(o.key) ?? NO_INCIDENTS);
          return { day: o.key, score: weightedScore(standards, w), standards };
        })
        .sort((a, b) => (a.day < b.day ? -1 : 1));
    },

    async salonRanking(from, to, regionId) {
      return rankBy(await salonScores(from, to, regionId), (s) => s.score, (s) => s.salonId);
    },

    async regionRanking(from, to) {
      const byRegion = new Map<string, number[]>();
      for (const s of await salonScores(from, to, null)) {
        if (s.regionId === '') continue;
        const list = byRegion.get(s.regionId) ?? [];
        list.push(s.score);
        byRegion.set(s.regionId, list);
      }
      const regions = [...byRegion].map(([regionId, scores]) => ({
        regionId,
        salons: scores.length,
        score: scores.reduce((a, b) => a + b, 0) / scores.length,
      }));
      return rankBy(regions, (r) => r.score, (r) => r.regionId);
    },
  };
}
