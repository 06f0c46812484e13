/**
 * `salonwatch bench scores`: the score and ranking queries (clickhouse/scores.ts) over a year
 * of generated daily rollups, incident day shares, reviews and the incident totals net of them,
 * for 1,300 salons in 7 macro-regions, in a throwaway database. Data are generated inside ClickHouse
 * (INSERT ... SELECT from numbers()), so loading costs seconds, not a transfer of millions of
 * rows. Each query runs once to warm up, then `--runs` times; p50 and max are printed, with a
 * plain read of the same daily rows as the baseline.
 */
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { numberOption, parseCommandArgs, type Command } from '../cli/command.js';
import { SalonwatchError } from '../common/errors.js';
import { connectClickHouse, type ClickHouse } from './client.js';
import { loadMigrations, migrate } from './migrate.js';
import { incidentDailyRebuildSql } from './rollups.js';
import { scoreQueries } from './scores.js';
import { ident, sql, sqlDay, type Sql } from './sql.js';

const help = `usage: salonwatch bench scores [--json] [--salons N] [--days N] [--runs N] [--keep]

  --salons N   salons (default 1300), in 7 macro-regions
  --days N     days of data ending yesterday (default 365)
  --runs N     timed runs of each query after one warm-up (default 10)
  --keep       keep the bench database
`;

const WEIGHTS = { greeting: 0.3, queue_length: 0.15, waiting_time: 0.2, staff_presence: 0.25, camera_coverage: 0.1 };

/** salon-00042 from a number, as events/generate.ts names them. */
const salonId = (n: Sql) => sql`concat('salon-', substring(toString(100000 + ${n}), 2))`;

async function load(ch: ClickHouse, salons: number, first: string, days: number): Promise<void> {
  const day0 = sqlDay(first);
  await ch.command(sql`
INSERT INTO salons (salonId, name, partnerId, regionId, timezone, updatedAt)
SELECT ${salonId(sql`number`)}, concat('Salon ', toString(number)), concat('partner-', toString(number % 97)),
  concat('region-', toString(number % 7)), 'Europe/Moscow', now()
FROM numbers(${salons})`);
  // Per salon and day: ~120 visits, ~25 waits, ~11 open hours sampled by two cameras.
  await ch.command(sql`
INSERT INTO rollup_daily
SELECT ${salonId(sql`s`)} AS salonId, ${day0} + d AS localDate, 1 AS version,
  visits + waits + 1400 AS events, visits, toUInt32(visits * 1.3) AS visitors, toUInt32(visits * 0.95) AS visitsStaffPresent,
  toUInt32(visits * 0.8) AS visitsGreeted, visits * 9.5 AS greetingLatencySum, visits * 400.0 AS visitSeconds,
  waits, toUInt32(waits / 10) AS waitsAbandoned, waits * 150.0 AS waitSeconds, toFloat32(580) AS waitMaxS,
  660 AS queueSamples, toUInt64(660 * 1.4) AS queueLengthSum, toUInt16(6) AS queueLengthMax,
  660 AS staffSamples, 39600.0 AS openSeconds, 900.0 AS unstaffedOpenSeconds, 39600.0 + 3600 AS observedSeconds, 2 AS cameraHealthEvents
FROM
(
  SELECT number % ${salons} AS s, intDiv(number, ${salons}) AS d,
    toUInt32(60 + cityHash64(number, 1) % 120) AS visits, toUInt32(10 + cityHash64(number, 2) % 30) AS waits
  FROM numbers(${salons * days})
)`);
  // ~6 incidents per salon and day; a fifth also have an older (open) version, as the sink writes them.
  await ch.command(sql`
INSERT INTO incident_days
SELECT ${salonId(sql`s`)} AS salonId, ${day0} + d AS localDate,
  concat(toString(s), '-', toString(d), '-', toString(k)) AS incidentId,
  toInt8(1 + cityHash64(s, d, k) % 5) AS standard, 1 AS opened,
  if(standard IN (1, 3), 0, toFloat64(120 + cityHash64(s, d, k, 1) % 1800)) AS seconds, 2 AS version
FROM
(
  SELECT number % ${salons} AS s, intDiv(number, ${salons * 6}) AS d, intDiv(number, ${salons}) % 6 AS k
  FROM numbers(${salons * days * 6})
)`);
  await ch.command(sql`
INSERT INTO incident_days
SELECT salonId, localDate, incidentId, standard, opened, 0 AS seconds, 1 AS version
FROM incident_days WHERE cityHash64(incidentId) % 5 = 0`);
  // A tenth of the incidents reviewed, a third of those dismissed, some reviewed twice.
  await ch.command(sql`
INSERT INTO incident_reviews
SELECT incidentId, salonId, 'reviewer-1', toDateTime(localDate) + 3600 * 12, 0,
  if(cityHash64(incidentId, 7) % 3 = 0, 'dismiss', 'confirm'), 'generated'
FROM incident_days WHERE version = 2 AND cityHash64(incidentId) % 10 = 0`);
  // The per-day totals net of dismissals, as the sink and the review store maintain them.
  await ch.command(incidentDailyRebuildSql(3));
}

const Count = Type.Object({ n: Type.String() });

async function timed(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; max: number }> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: Math.round(times[Math.floor(times.length / 2)] ?? Number.NaN), max: Math.round(times.at(-1) ?? Number.NaN) };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const command: Command = {
  name: 'scores',
  summary: 'score and ranking queries over a year of rollups',
  help,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      json: { type: 'boolean' },
      salons: { type: 'string' },
      days: { type: 'string' },
      runs: { type: 'string' },
      keep: { type: 'boolean' },
    });
    if (args === undefined) return 0;
    const salons = numberOption('salons', args.values.salons, 1300, { min: 7, max: 100_000, integer: true });
    const days = numberOption('days', args.values.days, 365, { min: 31, max: 3650, integer: true });
    const runs = numberOption('runs', args.values.runs, 10, { min: 1, max: 1000, integer: true });
    const database = `salonwatch_bench_scores_${randomBytes(4).toString('hex')}`;
    const admin = connectClickHouse({ database: 'default', requestTimeoutMs: 60_000 });
    await admin.command(sql`CREATE DATABASE ${ident(database)}`);
    const ch = connectClickHouse({ database, requestTimeoutMs: 60_000 });
    try {
      await migrate(ch, await loadMigrations(), new Date());
      const today = Date.parse(`${isoDay(Date.now())}T00:00:00.000Z`);
      const first = isoDay(today - days * 86_400_000);
      const last = isoDay(today - 86_400_000);
      const monthFrom = isoDay(today - 30 * 86_400_000);
      const loadStart = performance.now();
      await load(ch, salons, first, days);
      const loadMs = Math.round(performance.now() - loadStart);
      const [rows] = await ch.query(sql`SELECT toString((SELECT count() FROM rollup_daily)) AS n`, Count);
      const [incidents] = await ch.query(sql`SELECT toString((SELECT count() FROM incident_days)) AS n`, Count);

      const scores = scoreQueries(ch, () => WEIGHTS);
      const year = await scores.dailyScores('salon-00042', first, last);
      const ranking = await scores.salonRanking(monthFrom, last, null);
      if (year.length !== days || ranking.length !== salons) {
        throw new SalonwatchError('INTERNAL', `expected ${days} days and ${salons} ranked salons, got ${year.length} and ${ranking.length}`);
      }
      const result = {
        salons,
        days,
        dailyRollupRows: Number(rows?.n),
        incidentDayRows: Number(incidents?.n),
        loadMs,
        runs,
        salonYearMs: await timed(runs, () => scores.dailyScores('salon-00042', first, last)),
        rankingMonthAllSalonsMs: await timed(runs, () => scores.salonRanking(monthFrom, last, null)),
        rankingMonthOneRegionMs: await timed(runs, () => scores.salonRanking(monthFrom, last, 'region-3')),
        regionRankingMonthMs: await timed(runs, () => scores.regionRanking(monthFrom, last)),
        baselinePlainMonthReadMs: await timed(runs, () =>
          ch.query(
            sql`SELECT toString(count()) AS n FROM rollup_daily WHERE localDate >= ${sqlDay(monthFrom)} AND localDate <= ${sqlDay(last)}`,
            Count,
          ),
        ),
      };
      if (args.values.json === true) process.stdout.write(JSON.stringify(result) + '\n');
      else {
        const line = (label: string, t: { p50: number; max: number }) => `  ${label.padEnd(44)} p50 ${t.p50} ms, max ${t.max} ms`;
        process.stdout.write(
          [
            `${salons} salons, ${days} days: ${result.dailyRollupRows} daily rollup rows, ${result.incidentDayRows} incident-day rows (loaded in ${loadMs} ms)`,
            line('one salon, daily scores over the year', result.salonYearMs),
            line(`ranking of ${salons} salons over 30 days`, result.rankingMonthAllSalonsMs),
            line('ranking within one macro-region, 30 days', result.rankingMonthOneRegionMs),
            line('ranking of macro-regions, 30 days', result.regionRankingMonthMs),
            line('baseline: plain count of the 30 days of rows', result.baselinePlainMonthReadMs),
            '',
          ].join('\n'),
        );
      }
      return 0;
    } finally {
      await ch.close();
      if (args.values.keep !== true) await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await admin.close();
    }
  },
};
