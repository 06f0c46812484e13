/**
 * `salonwatch bench api`: latency and throughput of the API's reporting routes over a year of
 * generated data for the whole network (1,300 salons by default), at 50 concurrent clients.
 *
 * The data goes into a database of its own (generated once, reused while its shape matches);
 * the API runs as the real `salonwatch api` child process, so the load generator (autocannon,
 * in this process) does not share its event loop. `/healthz` under the same load is the
 * baseline: what the framework and the loopback cost without touching ClickHouse.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import autocannon from 'autocannon';
import { numberOption, parseCommandArgs, type Command } from '../cli/command.js';
import { connectClickHouse, type ClickHouse } from '../clickhouse/client.js';
import { loadMigrations, migrate } from '../clickhouse/migrate.js';
import { incidentDailyRebuildSql } from '../clickhouse/rollups.js';
import { ident, sql } from '../clickhouse/sql.js';
import { SalonwatchError } from '../common/errors.js';
import { REPO_ROOT } from '../common/paths.js';
import { issueToken } from './auth.js';
import { STANDARDS_TABLE_DDL } from './clickhouse-store.js';
import {
  daysEnding,
  fixtureIncidents,
  fixtureRollups,
  fixtureSalons,
  insertIncidents,
  insertSalons,
  prng,
} from './fixtures.js';
import type { SalonRow } from './store.js';

const help = `usage: salonwatch bench api [--json] [--salons 1300] [--days 365] [--duration 10] [--connections 50]
                           [--database NAME] [--regenerate]

Generates a year of rollups and incidents (1 incident per salon per day, 70% reviewed) for
--salons salons into --database (default salonwatch_bench_api; reused while its shape
matches), starts \`salonwatch api\` on it, and loads each route for --duration seconds with
--connections concurrent clients. Prints p50/p99 latency and requests/s per route, with
/healthz under the same load as the baseline. Target: p99 under 100 ms.
`;

interface RouteFigures {
  readonly route: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

const Count = Type.Object({ n: Type.Union([Type.String(), Type.Number()]) });

async function count(ch: ClickHouse, table: string): Promise<number> {
  const rows = await ch.query(sql`SELECT count() AS n FROM ${ident(table)}`, Count);
  return Number(rows[0]?.n ?? 0);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

interface Shape {
  readonly salons: number;
  readonly days: number;
  readonly lastDay: string;
}

/** Fills the bench database unless it already holds exactly this shape. */
async function prepare(
  database: string,
  shape: Shape,
  regenerate: boolean,
  log: (line: string) => void,
): Promise<SalonRow[]> {
  const salons = fixtureSalons({
    salons: shape.salons,
    partners: Math.max(1, Math.round(shape.salons / 13)),
    regions: 8,
  });
  // The schema revision is part of the marker: data generated for older migrations is redone.
  const marker = `${shape.salons}x${shape.days}@${shape.lastDay}-m${(await loadMigrations()).length}`;
  const admin = connectClickHouse();
  try {
    if (!regenerate) {
      const found = await admin.query(
        sql`SELECT count() AS n FROM system.tables WHERE database = ${database} AND name = ${`bench_${marker.replace(/[^A-Za-z0-9]/g, '_')}`}`,
        Count,
      );
      if (Number(found[0]?.n ?? 0) > 0) {
        log(`reusing ${database} (${marker})`);
        return salons;
      }
    }
    await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
    await admin.command(sql`CREATE DATABASE ${ident(database)}`);
  } finally {
    await admin.close();
  }
  const ch = connectClickHouse({ database, requestTimeoutMs: 300_000 });
  try {
    await migrate(ch, await loadMigrations(), new Date());
    await ch.command(STANDARDS_TABLE_DDL);
    const lastDay = new Date(`${shape.lastDay}T00:00:00Z`);
    await insertSalons(ch, salons, lastDay);
    const days = daysEnding(lastDay, shape.days);
    const started = Date.now();
    const random = prng(99);
    // A month at a time keeps the generated rows (and their JSON) small in memory.
    for (let i = 0; i < days.length; i += 30) {
      const chunk = days.slice(i, i + 30);
      await ch.insert('rollup_daily', fixtureRollups(salons, chunk, 1000 + i));
      const from = new Date(`${chunk[0] ?? ''}T00:00:00Z`);
      const to = new Date(Date.parse(`${chunk.at(-1) ?? ''}T00:00:00Z`) + 86_400_000);
      const incidents = fixtureIncidents({
        salons,
        from,
        to,
        perSalonPerDay: 1,
        seed: 2000 + i,
        evidence: [],
      });
      await insertIncidents(ch, incidents, salons);
      // 70% reviewed (a fifth of those dismissed); the last three days are still in the queue.
      const reviewBefore = Date.parse(`${shape.lastDay}T00:00:00Z`) - 3 * 86_400_000;
      const reviews = incidents
        .filter((e) => Date.parse(e.payload.startedAt) < reviewBefore && random() < 0.7)
        .map((e) => {
          const at = Date.parse(e.occurredAt) + 3_600_000;
          return {
            incidentId: e.payload.incidentId,
            salonId: e.salonId,
            reviewer: 'bench-reviewer',
            reviewedAt: Math.floor(at / 1000),
            reviewedMs: at % 1000,
            verdict: random() < 0.2 ? 'dismiss' : 'confirm',
            comment: 'generated',
          };
        });
      await ch.insert('incident_reviews', reviews);
      log(`generated ${chunk.at(-1) ?? ''} (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    // The incident totals net of the reviews just generated, as storing each review would leave them.
    await ch.command(incidentDailyRebuildSql(Date.now()));
    await ch.command(sql`OPTIMIZE TABLE rollup_daily FINAL`);
    await ch.command(
      sql`CREATE TABLE ${ident(`bench_${marker.replace(/[^A-Za-z0-9]/g, '_')}`)} (done UInt8) ENGINE = TinyLog`,
    );
  } finally {
    await ch.close();
  }
  return salons;
}

/** Resident and peak resident memory of a process, from /proc (Linux). */
async function memoryOf(pid: number | undefined): Promise<{ rssMb: number | null; peakRssMb: number | null }> {
  if (pid === undefined) return { rssMb: null, peakRssMb: null };
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? null : Math.round(Number(match[1]) / 1024);
  };
  return { rssMb: kb('VmRSS'), peakRssMb: kb('VmHWM') };
}

/**
 * V8 flags of the API as deployed (infra/compose.yaml sets NODE_OPTIONS to the same): measured
 * here, a 64 MB semi-space took one salon's year of scores at 50 clients from p99 96-147 ms to
 * 35-127 ms (three 10 s runs each, twice, alternating).
 */
export const API_NODE_OPTIONS = '--max-semi-space-size=64';

async function startApi(database: string, secret: string, port: number): Promise<ChildProcess> {
  const evidence = await mkdtemp(path.join(tmpdir(), 'sw-bench-evidence-'));
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'salonwatch.js'), 'api', '--port', String(port)],
    {
      env: {
        ...process.env,
        NODE_OPTIONS: [process.env['NODE_OPTIONS'], API_NODE_OPTIONS].filter(Boolean).join(' '),
        SALONWATCH_CLICKHOUSE_DATABASE: database,
        SALONWATCH_API_SECRET: secret,
        SALONWATCH_EVIDENCE_DIR: evidence,
        SALONWATCH_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  child.once('exit', () => void rm(evidence, { recursive: true, force: true }));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null)
      throw new SalonwatchError('INTERNAL', `salonwatch api exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  throw new SalonwatchError('INTERNAL', 'salonwatch api did not become ready in 20 s');
}

async function load(
  url: string,
  token: string,
  paths: () => string,
  connections: number,
  durationS: number,
): Promise<Omit<RouteFigures, 'route'>> {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths() }) }],
  });
  return {
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requestsPerSecond: Math.round(result.requests.average),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export const command: Command = {
  name: 'bench api',
  summary: 'API latency and requests/s over a year of data for 1,300 salons',
  help,
  async run(argv) {
    const args = parseCommandArgs(command, argv, {
      json: { type: 'boolean' },
      salons: { type: 'string' },
      days: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      database: { type: 'string' },
      regenerate: { type: 'boolean' },
    });
    if (args === undefined) return 0;
    const v = args.values;
    const shape: Shape = {
      salons: numberOption('salons', v.salons, 1300, { min: 10, max: 20_000, integer: true }),
      days: numberOption('days', v.days, 365, { min: 30, max: 400, integer: true }),
      lastDay: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    };
    const durationS = numberOption('duration', v.duration, 10, { min: 1, max: 600 });
    const connections = numberOption('connections', v.connections, 50, {
      min: 1,
      max: 1000,
      integer: true,
    });
    const database = v.database ?? 'salonwatch_bench_api';
    const log = (line: string) => process.stderr.write(`bench api: ${line}\n`);

    const salons = await prepare(database, shape, v.regenerate === true, log);
    const ch = connectClickHouse({ database });
    const dataset = {
      salons: shape.salons,
      days: shape.days,
      rollupRows: await count(ch, 'rollup_daily'),
      incidentRows: await count(ch, 'incidents'),
      reviews: await count(ch, 'incident_reviews'),
    };
    await ch.close();

    const secret = randomBytes(32).toString('hex');
    const port = await freePort();
    const starting = performance.now();
    const api = await startApi(database, secret, port);
    const readyMs = Math.round(performance.now() - starting);
    try {
      const token = await issueToken(
        { role: 'admin', subject: 'bench', ttlS: 3600 },
        secret,
        Math.floor(Date.now() / 1000),
      );
      const base = `http://127.0.0.1:${port}`;
      const random = prng(7);
      const salon = () => salons[Math.floor(random() * salons.length)]?.id ?? '';
      const year = {
        from: daysEnding(new Date(`${shape.lastDay}T00:00:00Z`), 365)[0] ?? '',
        to: shape.lastDay,
      };
      const month = {
        from: daysEnding(new Date(`${shape.lastDay}T00:00:00Z`), 30)[0] ?? '',
        to: shape.lastDay,
      };
      const routes: [string, () => string][] = [
        [
          'GET /api/v1/salons/{salonId}/scores (365 days)',
          () => `/api/v1/salons/${salon()}/scores?from=${year.from}&to=${year.to}`,
        ],
        [
          'GET /api/v1/rankings/salons (network, 30 days)',
          () => `/api/v1/rankings/salons?from=${month.from}&to=${month.to}`,
        ],
        [
          'GET /api/v1/rankings/salons (region, 30 days)',
          () =>
            `/api/v1/rankings/salons?from=${month.from}&to=${month.to}&regionId=region-${1 + Math.floor(random() * 8)}`,
        ],
        [
          'GET /api/v1/incidents (review queue: pending, 50)',
          () => '/api/v1/incidents?status=pending&limit=50',
        ],
        [
          'GET /api/v1/incidents (one salon, 50)',
          () => `/api/v1/incidents?salonId=${salon()}&limit=50`,
        ],
      ];
      // Warm-up: first queries load ClickHouse's marks and caches.
      for (const [, paths] of routes)
        await fetch(`${base}${paths()}`, { headers: { authorization: `Bearer ${token}` } });
      const baseline = {
        route: 'GET /healthz (baseline)',
        ...(await load(base, token, () => '/healthz', connections, durationS)),
      };
      const figures: RouteFigures[] = [];
      for (const [route, paths] of routes) {
        log(`loading ${route}`);
        figures.push({ route, ...(await load(base, token, paths, connections, durationS)) });
      }
      const result = {
        dataset,
        // The API process: start to ready (its score and incident books loaded), and its memory
        // after every route's load.
        api: { readyMs, ...(await memoryOf(api.pid)) },
        connections,
        durationS,
        targetP99Ms: 100,
        baseline,
        routes: figures,
        allUnderTarget: figures.every((f) => f.p99Ms < 100 && f.non2xx === 0 && f.errors === 0),
      };
      if (v.json === true) process.stdout.write(JSON.stringify(result) + '\n');
      else {
        process.stdout.write(
          `${dataset.salons} salons x ${dataset.days} days: ${dataset.rollupRows} rollup rows, ${dataset.incidentRows} incident rows, ${dataset.reviews} reviews; ${connections} clients, ${durationS} s per route\n`,
        );
        process.stdout.write(
          `salonwatch api: ready in ${readyMs} ms; RSS ${result.api.rssMb} MB (peak ${result.api.peakRssMb} MB) after the load\n`,
        );
        for (const f of [baseline, ...figures]) {
          process.stdout.write(
            `${f.route.padEnd(52)} p50 ${String(f.p50Ms).padStart(5)} ms  p99 ${String(f.p99Ms).padStart(5)} ms  ${String(f.requestsPerSecond).padStart(6)} req/s  non-2xx ${f.non2xx}  errors ${f.errors}\n`,
          );
        }
      }
      return 0;
    } finally {
      api.kill('SIGTERM');
    }
  },
};
