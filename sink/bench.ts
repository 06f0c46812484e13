/**
 * `salonwatch bench sink`: generated events of the real schema through Kafka into ClickHouse
 * on this machine, in a throwaway topic and database.
 *
 * - A child process publishes the events (producedAt stamped when each batch is sent). It
 *   generates and serialises them before the timed phase starts (the generator is harness: in
 *   production the producers are edge nodes elsewhere), then is told to go.
 * - The sink runs here; for every stored event the latency is "ClickHouse acknowledged the
 *   batch, rollups included" minus producedAt, i.e. produced-at to queryable.
 * - End to end events/s = events / (last stored - first produced).
 * - Baseline in the same run: the same rows inserted straight into ClickHouse (same adapter and
 *   format, `insertEventRows`, same batch size, raw table only), so the ratio says what Kafka,
 *   validation and the rollups cost on top of the bare insert. It times building the rows and
 *   inserting them, batch by batch; generating each batch's events is left out, as it is left
 *   out of the sink's run.
 * - At the end the database must hold exactly `count` distinct events, and the daily rollups
 *   must add up to `count`; otherwise the benchmark fails.
 * - Latency is only meaningful at an offered rate the system keeps up with: a producer sending
 *   as fast as it can (on the same 2 cores) runs ahead of the sink, and then p99 is just the
 *   backlog it built. So without `--rate` the benchmark is a load test in steps, as stream
 *   benchmarks measure "sustainable throughput": runs at 40,000, 45,000, ... events/s offered
 *   until a run's p99 reaches the latency target or it falls 10% behind what was offered, then
 *   one run flat out. The headline figures are those of the fastest run (end to end) whose p99
 *   stayed under the target and that kept up with what was offered; every run is listed.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { numberOption, parseCommandArgs, type Command } from '../cli/command.js';
import { connectClickHouse, type ClickHouse } from '../clickhouse/client.js';
import { loadMigrations, migrate } from '../clickhouse/migrate.js';
import { ident, sql } from '../clickhouse/sql.js';
import { endpointsFromEnv } from '../common/env.js';
import { SalonwatchError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/log.js';
import { generateEvents, salonIdOf } from '../events/generate.js';
import type { SalonEvent } from '../events/schema.js';
import { createKafka } from '../events/kafka.js';
import { EventBatch } from './batch.js';
import { Sink } from './sink.js';
import { insertEventRows } from './store.js';

const help = `usage: salonwatch bench sink [--json] [--events N] [--salons N] [--rate R] [--batch-size N]
                          [--producers N] [--send-size N] [--keep]

Without --rate: runs at 40,000, 45,000, ... events/s offered until p99 reaches 5 s or the run
falls 10% behind, then one flat out; reports the fastest run that kept up, and all runs.

  --events N       events to send per run (default 1000000)
  --salons N       salons they come from (default 1300)
  --rate R         one run only, at R offered events/s (0 = as fast as the producer can)
  --batch-size N   sink batch size, also the baseline's insert size (default 20000)
  --producers N    concurrent producers in the producer process, as several edge nodes (default 2)
  --send-size N    events per producer send (default 1000: kafkajs groups a send by partition
                   at a cost that grows with the square of its size)
  --keep           keep the bench topics and databases afterwards
`;

/** p99 latency the stepped runs must stay under (the target). */
const LATENCY_TARGET_MS = 5000;
const FIRST_STEP = 40_000;
const STEP = 5_000;
const MAX_STEPS = 10;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function createDatabase(name: string): Promise<ClickHouse> {
  const admin = connectClickHouse({ database: 'default', requestTimeoutMs: 60_000 });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(name)}`);
  await admin.close();
  const ch = connectClickHouse({ database: name, requestTimeoutMs: 60_000 });
  await migrate(ch, await loadMigrations(), new Date());
  return ch;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = connectClickHouse({ database: 'default', requestTimeoutMs: 60_000 });
  await admin.command(sql`DROP DATABASE IF EXISTS ${ident(name)}`);
  await admin.close();
}

const PARTITIONS = 6;
const Totals = Type.Object({ distinct: Type.String(), rolled: Type.String() });

function isProducerReady(m: unknown): m is { ready: true; prepareMs: number } {
  return typeof m === 'object' && m !== null && 'ready' in m && 'prepareMs' in m && typeof m.prepareMs === 'number';
}

interface ProducerResult {
  readonly sent: number;
  readonly ms: number;
  readonly cpuMs: number;
}

function isProducerResult(m: unknown): m is ProducerResult {
  return typeof m === 'object' && m !== null && 'sent' in m && 'ms' in m && 'cpuMs' in m && typeof m.sent === 'number' && typeof m.ms === 'number' && typeof m.cpuMs === 'number';
}

interface Setup {
  readonly count: number;
  readonly salons: number;
  readonly batchSize: number;
  readonly producers: number;
  readonly sendSize: number;
  readonly seed: number;
  readonly keep: boolean;
  readonly log: Logger;
}

export interface RunResult {
  readonly offeredRate: number | null;
  readonly producerEventsPerSecond: number;
  /** CPU time per event of the two Node processes, robust to a shared machine's load. */
  readonly producerCpuUsPerEvent: number;
  readonly sinkCpuUsPerEvent: number;
  readonly eventsPerSecond: number;
  readonly p50LatencyMs: number;
  readonly p99LatencyMs: number;
  readonly maxLatencyMs: number;
  readonly producerPrepareMs: number;
  readonly sinkBatches: number;
}

/** One run: `count` events offered at `rate` (0: flat out) through Kafka into a fresh database. */
async function throughKafka(setup: Setup, rate: number): Promise<RunResult> {
  const { count, salons, batchSize, producers, sendSize, seed, log } = setup;
  const env = endpointsFromEnv();
  const suffix = randomBytes(4).toString('hex');
  const topic = `salonwatch.bench.${suffix}`;
  const database = `salonwatch_bench_${suffix}`;
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'bench-sink', log });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: `${topic}.dlq`, numPartitions: 1 }], waitForLeaders: true });
  const ch = await createDatabase(database);
  try {
    await ch.insert(
      'salons',
      Array.from({ length: salons }, (_, i) => ({
        salonId: salonIdOf(i),
        name: `Salon ${i}`,
        partnerId: `partner-${i % 97}`,
        regionId: `region-${i % 7}`,
        timezone: 'Europe/Moscow',
        updatedAt: Math.floor(Date.now() / 1000),
      })),
    );
    const latencies = new Float64Array(count);
    let stored = 0;
    let firstProduced = Infinity;
    let lastStored = 0;
    let allStored: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allStored = resolve));
    const sink = new Sink({
      kafka,
      topic,
      deadLetterTopic: `${topic}.dlq`,
      groupId: `${topic}.sink`,
      ch,
      timeZoneOf: () => 'Europe/Moscow',
      log,
      batchSize,
      maxWaitMs: 500,
      hooks: {
        onStored(batch, storedAtMs) {
          for (const produced of batch.producedAtMs) {
            if (produced < firstProduced) firstProduced = produced;
            if (stored < count) latencies[stored] = storedAtMs - produced;
            stored++;
          }
          lastStored = storedAtMs;
          if (stored >= count) allStored();
        },
      },
    });
    await sink.start();

    const producerScript = fileURLToPath(new URL('./bench-producer.ts', import.meta.url));
    const child = fork(producerScript, [topic, String(count), String(salons), String(seed), String(rate), String(sendSize), String(producers), String(PARTITIONS)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let ready: (prepareMs: number) => void = () => undefined;
    const prepared = new Promise<number>((resolve) => (ready = resolve));
    const produced = new Promise<ProducerResult>((resolve, reject) => {
      child.on('message', (m) => {
        if (isProducerReady(m)) ready(m.prepareMs);
        else if (isProducerResult(m)) resolve(m);
      });
      child.on('exit', (code) => {
        if (code !== 0) reject(new SalonwatchError('INTERNAL', `bench producer exited with ${code}`));
      });
    });
    const prepareMs = await Promise.race([prepared, produced.then(() => 0)]);
    log.info('producer prepared its events', { prepareMs, offeredRate: rate === 0 ? 'flat out' : rate });
    child.send({ go: true });
    const sinkCpuBefore = process.cpuUsage();
    const producer = await produced;
    await done;
    const sinkCpu = process.cpuUsage(sinkCpuBefore);
    await sink.stop();

    const [totals] = await ch.query(
      sql`SELECT toString(uniqExact(eventId)) AS distinct, toString((SELECT sum(events) FROM rollup_daily FINAL)) AS rolled FROM events`,
      Totals,
    );
    if (Number(totals?.distinct) !== count || Number(totals?.rolled) !== count) {
      throw new SalonwatchError('INTERNAL', `bench stored ${totals?.distinct ?? '?'} distinct events and rolled up ${totals?.rolled ?? '?'}, expected ${count}`);
    }
    latencies.sort();
    return {
      offeredRate: rate === 0 ? null : rate,
      producerEventsPerSecond: Math.round(producer.sent / (producer.ms / 1000)),
      producerCpuUsPerEvent: Math.round((producer.cpuMs * 1000) / count),
      sinkCpuUsPerEvent: Math.round((sinkCpu.user + sinkCpu.system) / count),
      eventsPerSecond: Math.round(count / ((lastStored - firstProduced) / 1000)),
      p50LatencyMs: Math.round(percentile(latencies, 50)),
      p99LatencyMs: Math.round(percentile(latencies, 99)),
      maxLatencyMs: Math.round(latencies[latencies.length - 1] ?? Number.NaN),
      producerPrepareMs: prepareMs,
      sinkBatches: sink.stats().batches,
    };
  } finally {
    await ch.close();
    if (!setup.keep) {
      await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
      await dropDatabase(database);
    }
    await admin.disconnect();
  }
}

/** Baseline: the same rows, built as the sink builds them, inserted straight into a fresh raw table; events/s. */
async function bareInsert(setup: Setup): Promise<number> {
  const { count, salons, batchSize, seed } = setup;
  const database = `salonwatch_bench_base_${randomBytes(4).toString('hex')}`;
  const base = await createDatabase(database);
  try {
    let baseMs = 0;
    let events: SalonEvent[] = [];
    const insertTimed = async () => {
      // Rows built and encoded as the sink does (EventBatch), then the one insert.
      const t0 = performance.now();
      const batch = new EventBatch(() => 'Europe/Moscow', batchSize * 640);
      for (const event of events) batch.add(event);
      await insertEventRows(base, batch);
      baseMs += performance.now() - t0;
      events = [];
    };
    for (const event of generateEvents({ count, salons, seed, startMs: Date.now() - 86_400_000, stepMs: 86_400_000 / count })) {
      events.push(event);
      if (events.length >= batchSize) await insertTimed();
    }
    await insertTimed();
    return Math.round(count / (baseMs / 1000));
  } finally {
    await base.close();
    if (!setup.keep) await dropDatabase(database);
  }
}

const keptUp = (run: RunResult) => run.p99LatencyMs < LATENCY_TARGET_MS && (run.offeredRate === null || run.eventsPerSecond >= 0.9 * run.offeredRate);

/** The stepped load test: rising offered rates while the sink keeps up, then one run flat out. */
async function steps(setup: Setup): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (let step = 0; step < MAX_STEPS; step++) {
    const run = await throughKafka(setup, FIRST_STEP + step * STEP);
    runs.push(run);
    setup.log.info('bench step', { offered: run.offeredRate, eventsPerSecond: run.eventsPerSecond, p99LatencyMs: run.p99LatencyMs });
    if (!keptUp(run)) break;
  }
  const flatOut = await throughKafka(setup, 0);
  setup.log.info('bench flat out', { eventsPerSecond: flatOut.eventsPerSecond, p99LatencyMs: flatOut.p99LatencyMs });
  return [...runs, flatOut];
}

/**
 * The fastest run end to end that kept up (p99 under the target, and not 10% behind what was
 * offered); the first run when none did.
 */
export function headline(runs: readonly RunResult[]): RunResult | undefined {
  const met = runs.filter(keptUp);
  return [...met].sort((a, b) => b.eventsPerSecond - a.eventsPerSecond)[0] ?? runs[0];
}

export const command: Command = {
  name: 'sink',
  summary: 'events through Kafka into ClickHouse: events/s, produced-to-queryable latency, bare-insert baseline',
  help,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      json: { type: 'boolean' },
      events: { type: 'string' },
      salons: { type: 'string' },
      rate: { type: 'string' },
      'batch-size': { type: 'string' },
      producers: { type: 'string' },
      'send-size': { type: 'string' },
      keep: { type: 'boolean' },
    });
    if (args === undefined) return 0;
    const setup: Setup = {
      count: numberOption('events', args.values.events, 1_000_000, { min: 1, max: 100_000_000, integer: true }),
      salons: numberOption('salons', args.values.salons, 1300, { min: 1, max: 100_000, integer: true }),
      batchSize: numberOption('batch-size', args.values['batch-size'], 20_000, { min: 1, max: 1_000_000, integer: true }),
      producers: numberOption('producers', args.values.producers, 2, { min: 1, max: 16, integer: true }),
      sendSize: numberOption('send-size', args.values['send-size'], 1000, { min: 1, max: 100_000, integer: true }),
      seed: 20261125,
      keep: args.values.keep === true,
      log: createLogger({ component: 'bench-sink' }),
    };
    const rate = args.values.rate === undefined ? undefined : numberOption('rate', args.values.rate, 0, { min: 0 });

    const runs = rate === undefined ? await steps(setup) : [await throughKafka(setup, rate)];
    const best = headline(runs);
    if (best === undefined) throw new SalonwatchError('INTERNAL', 'bench sink made no run');
    const baselineEventsPerSecond = await bareInsert(setup);
    const result = {
      events: setup.count,
      salons: setup.salons,
      sinkBatchSize: setup.batchSize,
      producers: setup.producers,
      sendSize: setup.sendSize,
      latencyTargetMs: LATENCY_TARGET_MS,
      ...best,
      baselineEventsPerSecond,
      ratioToBaseline: Math.round((best.eventsPerSecond / baselineEventsPerSecond) * 100) / 100,
      storedDistinct: setup.count,
      runs,
    };
    if (args.values.json === true) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      const offered = (run: RunResult) => (run.offeredRate === null ? 'flat out' : String(run.offeredRate));
      process.stdout.write(
        [
          `${setup.count} events per run from ${setup.salons} salons through Kafka into ClickHouse`,
          '  offered/s    end to end/s   producer/s   p50 ms   p99 ms   max ms',
          ...runs.map((run) =>
            [offered(run).padStart(10), String(run.eventsPerSecond).padStart(14), String(run.producerEventsPerSecond).padStart(12), String(run.p50LatencyMs).padStart(8), String(run.p99LatencyMs).padStart(8), String(run.maxLatencyMs).padStart(8)].join(' '),
          ),
          `  headline     ${best.eventsPerSecond} events/s end to end at ${offered(best)} offered, p50 ${best.p50LatencyMs} ms, p99 ${best.p99LatencyMs} ms (produced-at to stored and rolled up; the fastest run that kept up: p99 under ${LATENCY_TARGET_MS} ms, at most 10% behind)`,
          `  baseline     ${baselineEventsPerSecond} events/s inserting the same rows straight into ClickHouse`,
          `  ratio        ${result.ratioToBaseline.toFixed(2)} of the bare insert`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};
