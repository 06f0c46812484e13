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
import { createLogger } from '../common/log.js';
import { generateEvents, salonIdOf } from '../events/generate.js';
import type { SalonEvent } from '../events/schema.js';
import { createKafka } from '../events/kafka.js';
import { EventBatch } from './batch.js';
import { Sink } from './sink.js';
import { insertEventRows } from './store.js';

const help = `usage: salonwatch bench sink [--json] [--events N] [--salons N] [--rate R] [--batch-size N]
                          [--producers N] [--send-size N] [--keep]

  --events N       events to send (default 1000000)
  --salons N       salons they come from (default 1300)
  --rate R         offered events/s from the producer; 0 = as fast as it can (default 0)
  --batch-size N   sink batch size, also the baseline's insert size (default 20000)
  --producers N    concurrent producers in the producer process, as several edge nodes (default 2)
  --send-size N    events per producer send (default 1000: kafkajs groups a send by partition
                   at a cost that grows with the square of its size)
  --keep           keep the bench topic and database afterwards
`;

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
    const count = numberOption('events', args.values.events, 1_000_000, { min: 1, max: 100_000_000, integer: true });
    const salons = numberOption('salons', args.values.salons, 1300, { min: 1, max: 100_000, integer: true });
    const rate = numberOption('rate', args.values.rate, 0, { min: 0 });
    const batchSize = numberOption('batch-size', args.values['batch-size'], 20_000, { min: 1, max: 1_000_000, integer: true });
    const producers = numberOption('producers', args.values.producers, 2, { min: 1, max: 16, integer: true });
    const sendSize = numberOption('send-size', args.values['send-size'], 1000, { min: 1, max: 100_000, integer: true });
    const seed = 20261125;
    const log = createLogger({ component: 'bench-sink' });
    const env = endpointsFromEnv();
    const suffix = randomBytes(4).toString('hex');
    const topic = `salonwatch.bench.${suffix}`;
    const database = `salonwatch_bench_${suffix}`;
    const baselineDatabase = `salonwatch_bench_base_${suffix}`;
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
      log.info('producer prepared its events', { prepareMs });
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

      // Baseline: the same rows, straight into the raw table of a fresh database.
      const base = await createDatabase(baselineDatabase);
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
      await base.close();

      latencies.sort();
      const seconds = (lastStored - firstProduced) / 1000;
      const result = {
        events: count,
        salons,
        offeredRate: rate === 0 ? null : rate,
        sinkBatchSize: batchSize,
        producers,
        sendSize,
        producerEventsPerSecond: Math.round(producer.sent / (producer.ms / 1000)),
        // CPU time per event of the two Node processes, robust to a shared machine's load.
        producerCpuUsPerEvent: Math.round((producer.cpuMs * 1000) / count),
        sinkCpuUsPerEvent: Math.round((sinkCpu.user + sinkCpu.system) / count),
        eventsPerSecond: Math.round(count / seconds),
        p50LatencyMs: Math.round(percentile(latencies, 50)),
        p99LatencyMs: Math.round(percentile(latencies, 99)),
        maxLatencyMs: Math.round(latencies[latencies.length - 1] ?? Number.NaN),
        baselineEventsPerSecond: Math.round(count / (baseMs / 1000)),
        ratioToBaseline: Math.round((count / seconds / (count / (baseMs / 1000))) * 100) / 100,
        producerPrepareMs: prepareMs,
        sinkBatches: sink.stats().batches,
        storedDistinct: count,
      };
      if (args.values.json === true) process.stdout.write(JSON.stringify(result) + '\n');
      else {
        process.stdout.write(
          [
            `${count} events from ${salons} salons through Kafka into ClickHouse`,
            `  end to end      ${result.eventsPerSecond} events/s (producer alone ${result.producerEventsPerSecond}/s)`,
            `  latency         p50 ${result.p50LatencyMs} ms, p99 ${result.p99LatencyMs} ms, max ${result.maxLatencyMs} ms (produced-at to stored and rolled up)`,
            `  baseline        ${result.baselineEventsPerSecond} events/s inserting the same rows straight into ClickHouse`,
            `  ratio           ${result.ratioToBaseline.toFixed(2)} of the bare insert`,
            '',
          ].join('\n'),
        );
      }
      return 0;
    } finally {
      await ch.close();
      if (args.values.keep !== true) {
        await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
        await dropDatabase(database);
        await dropDatabase(baselineDatabase);
      }
      await admin.disconnect();
    }
  },
};
