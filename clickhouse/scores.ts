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
 * Only incidents whose latest review is not "dismiss" count: incident_daily holds totals net of
 * dismissals, recomputed by whoever stores a review (clickhouse/reviews.ts), so a dismissal
 * leaves every score at the next query. A standard without opportunities has no rate (null) and
 * stays out of the weighted mean; the score is 100 x the weighted mean.
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
import { Sql, sql, sqlDay } from './sql.js';

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

const SalonDimRow = Type.Object({ salonId: Type.String(), regionId: Type.String(), partnerId: Type.String() });

function checkRange(from: string, to: string): { from: Sql; to: Sql } {
  const a = sqlDay(from);
  const b = sqlDay(to);
  if (from > to) throw new SalonwatchError('INPUT_INVALID', `empty day range: ${from} is after ${to}`);
  return { from: sql`${a}`, to: sql`${b}` };
}

/**
 * The newest row per (salon, day) of a versioned daily table, two ways because 18.16 favours
 * each for one shape (measured on a year of 1,300 salons): FINAL for many salons over a month,
 * argMax over a GROUP BY for one salon over a year (FINAL pays per monthly partition, ~5x).
 */
export type Newest = 'final' | 'argmax';

function newestDaily(table: Sql, columns: readonly string[], salonFilter: Sql, from: Sql, to: Sql, newest: Newest): Sql {
  const where = sql`WHERE ${salonFilter} AND localDate >= ${from} AND localDate <= ${to}`;
  if (newest === 'final') return sql`SELECT salonId, localDate, ${new Sql(columns.join(', '))} FROM ${table} FINAL ${where}`;
  const picked = new Sql(columns.map((c) => `argMax(${c}, version) AS ${c}`).join(', '));
  return sql`SELECT salonId, localDate, ${picked} FROM ${table} ${where} GROUP BY salonId, localDate`;
}

/** `key` is the day (one salon) or the salon (a ranking); `salonFilter` narrows the salons. */
function opportunitiesSql(key: Sql, salonFilter: Sql, from: Sql, to: Sql, newest: Newest): Sql {
  const rows = newestDaily(sql`rollup_daily`, ['visitsStaffPresent', 'waits', 'openSeconds', 'observedSeconds'], salonFilter, from, to, newest);
  return sql`
SELECT ${key} AS key,
  toFloat64(sum(visitsStaffPresent)) AS visitsStaffPresent, toFloat64(sum(waits)) AS waits,
  sum(openSeconds) AS openSeconds, sum(observedSeconds) AS observedSeconds
FROM (${rows})
GROUP BY key`;
}

const TotalsRow = Type.Object({
  key: Type.String(),
  greetingIncidents: Type.Number(),
  waitingIncidents: Type.Number(),
  queueIncidents: Type.Number(),
  staffIncidents: Type.Number(),
  coverageIncidents: Type.Number(),
  greetingSeconds: Type.Number(),
  waitingSeconds: Type.Number(),
  queueSeconds: Type.Number(),
  staffSeconds: Type.Number(),
  coverageSeconds: Type.Number(),
});

const TOTAL_COLUMNS = [
  'greetingIncidents',
  'waitingIncidents',
  'queueIncidents',
  'staffIncidents',
  'coverageIncidents',
  'greetingSeconds',
  'waitingSeconds',
  'queueSeconds',
  'staffSeconds',
  'coverageSeconds',
];

/** The range's undismissed incidents, from the per-day totals (migrations/005 and 006). */
function incidentTotalsSql(key: Sql, salonFilter: Sql, from: Sql, to: Sql, newest: Newest): Sql {
  return sql`
SELECT ${key} AS key,
  toFloat64(sum(greetingIncidents)) AS greetingIncidents, toFloat64(sum(waitingIncidents)) AS waitingIncidents,
  toFloat64(sum(queueIncidents)) AS queueIncidents, toFloat64(sum(staffIncidents)) AS staffIncidents,
  toFloat64(sum(coverageIncidents)) AS coverageIncidents,
  sum(greetingSeconds) AS greetingSeconds, sum(waitingSeconds) AS waitingSeconds, sum(queueSeconds) AS queueSeconds,
  sum(staffSeconds) AS staffSeconds, sum(coverageSeconds) AS coverageSeconds
FROM (${newestDaily(sql`incident_daily`, TOTAL_COLUMNS, salonFilter, from, to, newest)})
GROUP BY key`;
}

/** Undismissed incidents per key (incident_daily is net of dismissals). */
function incidentLoads(totals: readonly (typeof TotalsRow.static)[]): Map<string, IncidentLoad> {
  const loads = new Map<string, IncidentLoad>();
  for (const t of totals) {
    loads.set(t.key, {
      count: {
        greeting: t.greetingIncidents,
        waiting_time: t.waitingIncidents,
        queue_length: t.queueIncidents,
        staff_presence: t.staffIncidents,
        camera_coverage: t.coverageIncidents,
      },
      seconds: {
        greeting: t.greetingSeconds,
        waiting_time: t.waitingSeconds,
        queue_length: t.queueSeconds,
        staff_presence: t.staffSeconds,
        camera_coverage: t.coverageSeconds,
      },
    });
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
    const [opportunities, totals, dimension] = await Promise.all([
      ch.query(opportunitiesSql(sql`salonId`, filter, range.from, range.to, 'final'), OpportunityRow),
      ch.query(incidentTotalsSql(sql`salonId`, filter, range.from, range.to, 'final'), TotalsRow),
      ch.query(
        sql`SELECT salonId, argMax(regionId, updatedAt) AS regionId, argMax(partnerId, updatedAt) AS partnerId FROM salons GROUP BY salonId`,
        SalonDimRow,
      ),
    ]);
    const loads = incidentLoads(totals);
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
      const [opportunities, totals] = await Promise.all([
        ch.query(opportunitiesSql(day, filter, range.from, range.to, 'argmax'), OpportunityRow),
        ch.query(incidentTotalsSql(day, filter, range.from, range.to, 'argmax'), TotalsRow),
      ]);
      const loads = incidentLoads(totals);
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
