/**
 * `salonwatch bench dashboards`: every panel query of every dashboard over a year of generated
 * data for the whole network (1,300 salons by default), as the read-only user, timed. Prints the
 * median of several runs per panel for the last month and for the whole year, each run paired
 * with a baseline run right before it: one plain read of incident_days, the largest table the
 * network panels aggregate. On a machine shared with other work the absolute figures swing with
 * its load; the ratio to the baseline taken in the same moments does not.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Type } from '@sinclair/typebox';
import { parseCommandArgs, numberOption, type Command } from '../cli/command.js';
import { connectClickHouse } from '../clickhouse/client.js';
import { loadMigrations, migrate } from '../clickhouse/migrate.js';
import { Sql, sql } from '../clickhouse/sql.js';
import { endpointsFromEnv } from '../common/env.js';
import { SalonwatchError } from '../common/errors.js';
import { generateFixtures, type FixtureShape } from './fixtures.js';
import { loadDashboards, querySites } from './model.js';
import { renderQuery } from './macros.js';
import { resolveVariables, runQuery, type Connection } from './run.js';

const DEFAULT_DATABASE = 'salonwatch_bench_dashboards';
const TARGET_MS = 500;
const DAY_MS = 86_400_000;

const help = `usage: salonwatch bench dashboards [options]

Runs every dashboard panel's query against generated data (a database of its own, default ${DEFAULT_DATABASE})
and prints the median time per panel for the last month and for the whole generated period.

options:
  --salons N             salons in the network (default 1300)
  --days N               days of data ending on --last-day (default 365)
  --last-day YYYY-MM-DD  last generated day (default 2026-11-24)
  --incidents-per-day N  incidents per salon and day (default 8)
  --raw-salons N         salons with raw events (default 20; panels read raw events one salon at a time)
  --runs N               timed runs per panel and range, after one warm-up (default 5)
  --database NAME        the benchmark's database, dropped and created (default ${DEFAULT_DATABASE})
  --reuse                keep the data of a previous run with the same shape instead of regenerating
  --keep                 do not drop the database at the end (for --reuse)
  --json                 print one JSON object
  --help`;

const ShapeRow = Type.Object({ shape: Type.String() });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

interface PanelFigure {
  readonly dashboard: string;
  readonly panel: string;
  readonly range: 'month' | 'year';
  readonly medianMs: number;
  /** The paired baseline's median and the panel's multiple of it. */
  readonly baselineMs: number;
  readonly toBaseline: number;
  readonly serverMedianMs: number;
  readonly rowsRead: number;
  readonly rows: number;
}

export const command: Command = {
  name: 'dashboards',
  summary: 'every dashboard panel over a year of generated data for the network',
  help,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      salons: { type: 'string' },
      days: { type: 'string' },
      'last-day': { type: 'string' },
      'incidents-per-day': { type: 'string' },
      'raw-salons': { type: 'string' },
      runs: { type: 'string' },
      database: { type: 'string' },
      reuse: { type: 'boolean' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (args === undefined) return 0;
    const v = args.values;
    const shape: FixtureShape = {
      salons: numberOption('salons', v.salons, 1300, { min: 1, max: 100_000, integer: true }),
      days: numberOption('days', v.days, 365, { min: 1, max: 3660, integer: true }),
      lastDay: v['last-day'] ?? '2026-11-24',
      incidentsPerDay: numberOption('incidents-per-day', v['incidents-per-day'], 8, { min: 5, max: 1000, integer: true }),
      rawSalons: numberOption('raw-salons', v['raw-salons'], 20, { min: 1, max: 100_000, integer: true }),
      regions: 8,
    };
    const runs = numberOption('runs', v.runs, 5, { min: 1, max: 100, integer: true });
    const DATABASE = v.database ?? DEFAULT_DATABASE;
    if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE)) throw new SalonwatchError('USAGE', `--database must be a plain identifier, got "${DATABASE}"`);
    const log = (line: string) => {
      if (v.json !== true) process.stdout.write(line + '\n');
    };

    const endpoints = endpointsFromEnv();
    const admin = connectClickHouse({ database: 'default' });
    // Generating a year for 1,300 salons is one long INSERT ... SELECT per table.
    const ch = connectClickHouse({ database: DATABASE, requestTimeoutMs: 1_800_000 });
    try {
      const wanted = JSON.stringify(shape);
      let reused = false;
      if (v.reuse === true) {
        const exists = await admin.query(sql`SELECT name AS shape FROM system.tables WHERE database = ${DATABASE} AND name = 'bench_shape'`, ShapeRow);
        if (exists.length > 0) reused = (await ch.query(sql`SELECT shape FROM bench_shape`, ShapeRow)).some((r) => r.shape === wanted);
      }
      let generatedMs = 0;
      if (!reused) {
        await admin.command(new Sql(`DROP DATABASE IF EXISTS ${DATABASE}`));
        await admin.command(new Sql(`CREATE DATABASE ${DATABASE}`));
        await migrate(ch, await loadMigrations(), new Date(`${shape.lastDay}T00:00:00.000Z`));
        log(`generating ${shape.days} days for ${shape.salons} salons (raw events for ${shape.rawSalons}) ...`);
        const started = performance.now();
        await generateFixtures(ch, shape);
        generatedMs = performance.now() - started;
        await ch.command(sql`CREATE TABLE bench_shape (shape String) ENGINE = TinyLog`);
        await ch.insert('bench_shape', [{ shape: wanted }]);
      }
      const counts = await ch.query(
        sql`SELECT table AS shape, toString(sum(rows)) AS n FROM system.parts WHERE database = ${DATABASE} AND active GROUP BY table ORDER BY table`,
        Type.Object({ shape: Type.String(), n: Type.String() }),
      );
      log(`data: ${counts.map((c) => `${c.shape} ${c.n}`).join(', ')}${reused ? ' (reused)' : ` (generated in ${(generatedMs / 1000).toFixed(1)} s)`}`);

      const readonly: Connection = {
        url: endpoints.clickhouseUrl,
        user: endpoints.clickhouseReadonlyUser,
        password: endpoints.clickhouseReadonlyPassword,
        database: DATABASE,
      };
      const end = new Date(Date.parse(`${shape.lastDay}T00:00:00.000Z`) + DAY_MS);
      const ranges = {
        month: { from: new Date(end.getTime() - 30 * DAY_MS), to: end },
        year: { from: new Date(end.getTime() - shape.days * DAY_MS), to: end },
      } as const;

      const baseline = 'SELECT count() FROM incident_days WHERE NOT ignore(salonId, localDate, incidentId, standard, opened, seconds, version)';
      /** One warm-up, then `runs` pairs of (baseline, query). */
      const timed = async (query: string) => {
        await runQuery(readonly, query, 120_000);
        const samples = [];
        const baselines = [];
        for (let i = 0; i < runs; i++) {
          baselines.push(await runQuery(readonly, baseline, 120_000));
          samples.push(await runQuery(readonly, query, 120_000));
        }
        return { samples, baselineMs: median(baselines.map((b) => b.elapsedMs)), baselineRows: baselines[0]?.rowsRead ?? 0 };
      };
      const figures: PanelFigure[] = [];
      for (const { dashboard } of loadDashboards()) {
        for (const [rangeName, range] of Object.entries(ranges) as ['month' | 'year', { from: Date; to: Date }][]) {
          // Grafana's interval: the range over about 1,000 data points.
          const ctx = { ...range, intervalMs: (range.to.getTime() - range.from.getTime()) / 1000 };
          const { values, allSelected } = await resolveVariables(readonly, dashboard, ctx);
          // Query variables are timed too: Grafana runs them before the panels (on load, or on
          // every range change for refresh: 2).
          for (const site of querySites(dashboard)) {
            const { samples, baselineMs, baselineRows } = await timed(renderQuery(site.sql, { ...ctx, variables: values, allSelected }));
            const medianMs = median(samples.map((s) => s.elapsedMs));
            const figure: PanelFigure = {
              dashboard: dashboard.uid,
              panel: site.panel === undefined ? site.where : `${site.panel.id} ${site.panel.title}`,
              range: rangeName,
              medianMs,
              baselineMs,
              toBaseline: medianMs / baselineMs,
              serverMedianMs: median(samples.map((s) => s.serverMs)),
              rowsRead: samples[0]?.rowsRead ?? 0,
              rows: samples[0]?.rows.length ?? 0,
            };
            figures.push(figure);
            log(
              `${figure.dashboard.padEnd(19)} ${figure.range.padEnd(5)} ${figure.panel.padEnd(36)} ${medianMs.toFixed(0).padStart(6)} ms` +
                ` = ${figure.toBaseline.toFixed(2).padStart(5)} x baseline ${baselineMs.toFixed(0)} ms (${baselineRows} rows)` +
                `  server ${figure.serverMedianMs.toFixed(0)} ms, ${figure.rowsRead} rows read, ${figure.rows} rows`,
            );
          }
        }
      }
      const slowestOf = (range: 'month' | 'year') =>
        figures.filter((f) => f.range === range).reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
      const describe = (f: PanelFigure) => ({
        panel: `${f.dashboard} ${f.panel}`,
        ms: Math.round(f.medianMs),
        baselineMs: Math.round(f.baselineMs),
        toBaseline: Number(f.toBaseline.toFixed(2)),
      });
      const slowestYear = describe(slowestOf('year'));
      const slowestMonth = describe(slowestOf('month'));
      const summary = {
        shape,
        runs,
        loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
        slowestYear,
        slowestMonth,
        targetMs: TARGET_MS,
        yearWithinTarget: slowestYear.ms < TARGET_MS,
        monthWithinTarget: slowestMonth.ms < TARGET_MS,
        figures,
      };
      if (v.json === true) process.stdout.write(JSON.stringify(summary) + '\n');
      else {
        const line = (f: typeof slowestYear) => `${f.panel} ${f.ms} ms (${f.toBaseline} x baseline ${f.baselineMs} ms)`;
        log(`slowest, month range: ${line(slowestMonth)}`);
        log(`slowest, year range:  ${line(slowestYear)}`);
        log(`target < ${TARGET_MS} ms; load average (1 min) ${summary.loadAverage1m} on ${availableParallelism()} cores`);
      }
      return 0;
    } finally {
      if (v.keep !== true) await admin.command(new Sql(`DROP DATABASE IF EXISTS ${DATABASE}`));
      await ch.close();
      await admin.close();
    }
  },
};
