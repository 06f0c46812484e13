/**
 * Daily compliance scores and rankings over the backbone's tables (rollup_daily, incident_days,
 * incident_reviews, salons).
 *
 * PROVISIONAL: the event backbone (issue 6) owns the score definition; until its score and
 * ranking functions land in `clickhouse/`, this module computes them so the API can be built
 * and measured, and it is the one place to switch over. The definition used here:
 *
 *   rate per standard and salon-local day, 1 - failures / opportunities, clamped to [0, 1]:
 *     greeting        failures: greeting incidents opened that day; opportunities: visits with staff present
 *     waiting_time    failures: waiting-time incidents opened;      opportunities: waits
 *     queue_length    failures: seconds of queue incidents;         opportunities: observed seconds
 *     staff_presence  failures: seconds of staff incidents;         opportunities: open seconds
 *     camera_coverage failures: seconds of camera incidents;        opportunities: open seconds
 *   a standard with no opportunities that day has no rate (null) and drops out of the score;
 *   score = 100 * sum(weight * rate) / sum(weight) over the standards that have a rate.
 *   Incidents whose newest review is a dismissal do not count, from the moment it is stored.
 */
import { Type } from '@sinclair/typebox';
import type { ClickHouse } from '../clickhouse/client.js';
import { ident, joinSql, sql, sqlDay, type Sql } from '../clickhouse/sql.js';
import { resolveStandards, parseStandardsOverride, type Standards } from '../config/standards.js';
import type { ScoreSource } from './clickhouse-store.js';
import type { DailyScore, RegionRank, SalonRank } from './store.js';

type Weights = Standards['weights'];

/** The weights in force: defaults merged with the admin's stored override (api_standards). */
export async function currentWeights(ch: ClickHouse): Promise<Weights> {
  const rows = await ch.query(
    sql`SELECT override FROM api_standards ORDER BY updatedAt DESC, updatedMs DESC LIMIT 1`,
    Type.Object({ override: Type.String() }),
  );
  const row = rows[0];
  const override = row === undefined ? {} : parseStandardsOverride(JSON.parse(row.override) as unknown, 'api_standards.override');
  return resolveStandards([override]).weights;
}

/** Per salon-day rates (-1: no opportunity) and the weighted score (-1: nothing measured). */
function dailyRatesSql(salonFilter: Sql, from: string, to: string, weights: Weights): Sql {
  const days = sql`localDate >= ${sqlDay(from)} AND localDate <= ${sqlDay(to)}`;
  const rate = (failures: Sql, opportunities: Sql) =>
    sql`if(${opportunities} > 0, greatest(0, 1 - ${failures} / ${opportunities}), -1)`;
  const part = (name: string, weight: number) => {
    const column = ident(name);
    return { num: sql`if(${column} >= 0, ${weight} * ${column}, 0)`, den: sql`if(${column} >= 0, ${weight}, 0)` };
  };
  const parts = [
    part('greeting', weights.greeting),
    part('queue_length', weights.queue_length),
    part('waiting_time', weights.waiting_time),
    part('staff_presence', weights.staff_presence),
    part('camera_coverage', weights.camera_coverage),
  ];
  const num = joinSql(parts.map((p) => p.num), ' + ');
  const den = joinSql(parts.map((p) => p.den), ' + ');
  return sql`
    SELECT salonId, toString(localDate) AS day, greeting, queue_length, waiting_time, staff_presence, camera_coverage,
           if((${den}) > 0, 100 * (${num}) / (${den}), -1) AS score
    FROM
    (
        SELECT salonId, localDate,
               ${rate(sql`greetingN`, sql`toFloat64(visitsStaffPresent)`)} AS greeting,
               ${rate(sql`queueS`, sql`observedSeconds`)} AS queue_length,
               ${rate(sql`waitN`, sql`toFloat64(waits)`)} AS waiting_time,
               ${rate(sql`staffS`, sql`openSeconds`)} AS staff_presence,
               ${rate(sql`cameraS`, sql`openSeconds`)} AS camera_coverage
        FROM
        (
            SELECT salonId, localDate, visitsStaffPresent, waits, observedSeconds, openSeconds
            FROM rollup_daily FINAL
            WHERE ${salonFilter} AND ${days}
        )
        ANY LEFT JOIN
        (
            SELECT salonId, localDate,
                   sumIf(opened, standard = 'greeting') AS greetingN,
                   sumIf(opened, standard = 'waiting_time') AS waitN,
                   sumIf(seconds, standard = 'queue_length') AS queueS,
                   sumIf(seconds, standard = 'staff_presence') AS staffS,
                   sumIf(seconds, standard = 'camera_coverage') AS cameraS
            FROM
            (
                SELECT salonId, localDate, incidentId,
                       argMax(standard, version) AS standard, argMax(opened, version) AS opened, argMax(seconds, version) AS seconds
                FROM incident_days
                WHERE ${salonFilter} AND ${days}
                GROUP BY salonId, localDate, incidentId
            )
            WHERE incidentId NOT IN
            (
                SELECT incidentId FROM incident_reviews
                WHERE ${salonFilter}
                GROUP BY incidentId
                HAVING argMax(verdict, (reviewedAt, reviewedMs)) = 'dismiss'
            )
            GROUP BY salonId, localDate
        ) USING (salonId, localDate)
    )`;
}

const DailyRow = Type.Object({
  salonId: Type.String(),
  day: Type.String(),
  greeting: Type.Number(),
  queue_length: Type.Number(),
  waiting_time: Type.Number(),
  staff_presence: Type.Number(),
  camera_coverage: Type.Number(),
  score: Type.Number(),
});

const orNull = (value: number) => (value < 0 ? null : value);
const round = (value: number) => Math.round(value * 100) / 100;

function salonsOfRegion(regionId: string): Sql {
  return sql`salonId IN (SELECT salonId FROM salons GROUP BY salonId HAVING argMax(regionId, updatedAt) = ${regionId})`;
}

const RankRow = Type.Object({ salonId: Type.String(), regionId: Type.String(), partnerId: Type.String(), score: Type.Number() });

export function clickhouseScores(ch: ClickHouse): ScoreSource {
  async function salonMeans(from: string, to: string, regionId: string | null) {
    const weights = await currentWeights(ch);
    const filter = regionId === null ? sql`1` : salonsOfRegion(regionId);
    return ch.query(
      sql`SELECT salonId, regionId, partnerId, meanScore AS score
          FROM
          (
              SELECT salonId, avg(score) AS meanScore
              FROM (${dailyRatesSql(filter, from, to, weights)}) WHERE score >= 0
              GROUP BY salonId
          )
          ANY INNER JOIN
          (
              SELECT salonId, argMax(regionId, updatedAt) AS regionId, argMax(partnerId, updatedAt) AS partnerId
              FROM salons GROUP BY salonId
          ) USING salonId
          ORDER BY meanScore DESC, salonId`,
      RankRow,
    );
  }

  return {
    async dailyScores(salonId, from, to): Promise<DailyScore[]> {
      const weights = await currentWeights(ch);
      const rows = await ch.query(sql`${dailyRatesSql(sql`salonId = ${salonId}`, from, to, weights)} ORDER BY day`, DailyRow);
      return rows.map((r) => ({
        day: r.day,
        score: r.score < 0 ? null : round(r.score),
        standards: {
          greeting: orNull(r.greeting),
          queue_length: orNull(r.queue_length),
          waiting_time: orNull(r.waiting_time),
          staff_presence: orNull(r.staff_presence),
          camera_coverage: orNull(r.camera_coverage),
        },
      }));
    },

    async salonRanking(from, to, regionId): Promise<SalonRank[]> {
      const rows = await salonMeans(from, to, regionId);
      return rows.map((r, i) => ({ rank: i + 1, salonId: r.salonId, regionId: r.regionId, partnerId: r.partnerId, score: round(r.score) }));
    },

    async regionRanking(from, to): Promise<RegionRank[]> {
      const salons = await salonMeans(from, to, null);
      const regions = new Map<string, { sum: number; n: number }>();
      for (const s of salons) {
        const entry = regions.get(s.regionId) ?? { sum: 0, n: 0 };
        entry.sum += s.score;
        entry.n += 1;
        regions.set(s.regionId, entry);
      }
      return [...regions.entries()]
        .map(([regionId, { sum, n }]) => ({ regionId, score: sum / n, salons: n }))
        .sort((a, b) => b.score - a.score || a.regionId.localeCompare(b.regionId))
        .map((r, i) => ({ rank: i + 1, regionId: r.regionId, score: round(r.score), salons: r.salons }));
    },
  };
}
