/**
 * Fault tests of the sink against the real stack:
 * - the sink process is SIGKILLed after ClickHouse acknowledged a batch and before its offsets
 *   were committed: the next sink gets the batch again, and nothing is counted twice;
 * - ClickHouse is stopped for 60 s: the sink pauses its partitions, commits nothing it did not
 *   store, and resumes when ClickHouse is back, with nothing lost.
 * The second stops the stack's ClickHouse: other users of the stack see it restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../common/log.js';
import { generateEvents } from '../../events/generate.js';
import { encodeEvent, type SalonEvent } from '../../events/schema.js';
import { stackParts, startPart, stopPart } from '../../infra/stack/stack.js';
import { Sink } from '../../sink/sink.js';
import { testDatabase } from '../clickhouse/test-database.js';
import { testKafka, testTopics } from '../events/test-topic.js';
import { expectedTotals, rawCounts, rollupTotals, waitFor } from './helpers.js';
import type { Kafka } from 'kafkajs';

async function produce(kafka: Kafka, topic: string, events: readonly SalonEvent[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 2000) {
      await producer.send({ topic, acks: -1, messages: events.slice(i, i + 2000).map((e) => ({ key: e.salonId, value: encodeEvent(e) })) });
    }
  } finally {
    await producer.disconnect();
  }
}

interface SinkChild {
  readonly child: ChildProcess;
  readonly batches: { stored: number; batch: number }[];
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

function startSinkChild(args: readonly string[]): SinkChild {
  const script = fileURLToPath(new URL('./fixtures/crashing-sink.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const batches: { stored: number; batch: number }[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') batches.push(JSON.parse(line) as { stored: number; batch: number });
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => {
    resolve(signal ?? code);
  }));
  return { child, batches, exited };
}

const sum = (batches: readonly { stored: number }[]) => batches.reduce((a, b) => a + b.stored, 0);

void test('a sink killed between insert and commit: the batch is delivered again and counted once', { timeout: 600_000 }, async (t) => {
  const kafka = testKafka('sink-crash');
  const [topic, dlq] = await testTopics(t, kafka, ['events', 'dlq']);
  assert.ok(topic !== undefined && dlq !== undefined);
  const ch = await testDatabase(t);
  const events = [...generateEvents({ count: 20_000, salons: 50, seed: 23, startMs: Date.parse('2026-11-23T08:00:00.000Z'), stepMs: 2000 })];
  await produce(kafka, topic, events);
  const group = `${topic}.sink`;

  const first = startSinkChild([topic, dlq, group, ch.database, '3']);
  t.after(() => first.child.kill('SIGKILL'));
  assert.equal(await first.exited, 'SIGKILL', 'the first sink died by SIGKILL in its third store');
  assert.equal(first.batches.length, 3);
  const crashed = first.batches[2]?.stored ?? 0;
  const storedBeforeCrash = sum(first.batches);
  // The next batch's rows may be written too (its write overlaps the third batch's recompute),
  // but never committed: it comes again below with the third.
  assert.ok((await rawCounts(ch)).distinct >= storedBeforeCrash, 'the third batch reached ClickHouse before the kill');

  const second = startSinkChild([topic, dlq, group, ch.database, '0']);
  t.after(() => second.child.kill('SIGKILL'));
  // Batches 1 and 2 were committed; the third was not, so it comes again with the rest.
  const expectedSecond = events.length - (storedBeforeCrash - crashed);
  await waitFor('the second sink stored the rest', () => sum(second.batches) >= expectedSecond, 300_000);
  await sleep(2000);
  second.child.kill('SIGTERM');
  await second.exited;

  assert.equal(sum(second.batches), expectedSecond, 'exactly the uncommitted batch and the rest were delivered again');
  assert.ok(storedBeforeCrash + sum(second.batches) > events.length, 'some events were stored twice');
  assert.equal((await rawCounts(ch)).distinct, events.length);
  const expected = expectedTotals(events);
  assert.deepEqual(await rollupTotals(ch, 'rollup_hourly'), expected);
  assert.deepEqual(await rollupTotals(ch, 'rollup_daily'), expected);
});

void test('ClickHouse stopped for 60 s: the sink pauses, commits nothing unstored, resumes, and loses nothing', { timeout: 600_000 }, async (t) => {
  const kafka = testKafka('sink-clickhouse-down');
  const [topic, dlq] = await testTopics(t, kafka, ['events', 'dlq']);
  assert.ok(topic !== undefined && dlq !== undefined);
  const ch = await testDatabase(t);
  const events = [...generateEvents({ count: 20_000, salons: 50, seed: 29, startMs: Date.parse('2026-11-22T08:00:00.000Z'), stepMs: 2000 })];
  const group = `${topic}.sink`;
  const sink = new Sink({
    kafka,
    topic,
    deadLetterTopic: dlq,
    groupId: group,
    ch,
    timeZoneOf: () => 'UTC',
    log: createLogger({ test: 'sink-clickhouse-down' }, 'error'),
    batchSize: 2000,
    maxWaitMs: 300,
    retryMinMs: 500,
    retryMaxMs: 4000,
  });
  await sink.start();
  t.after(() => sink.stop());

  await produce(kafka, topic, events.slice(0, 10_000));
  await waitFor('the first half stored', () => sink.stats().stored >= 10_000);

  const clickhouse = stackParts().clickhouse;
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const committed = async () =>
    (await admin.fetchOffsets({ groupId: group, topics: [topic] })).flatMap((o) => o.partitions).reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);
  assert.equal(await committed(), 10_000);

  assert.equal(await stopPart(clickhouse), true, 'ClickHouse was running and is stopped');
  const downSince = Date.now();
  t.after(() => startPart(clickhouse));
  await produce(kafka, topic, events.slice(10_000));
  await waitFor('the sink paused', () => sink.stats().paused, 60_000);
  while (Date.now() - downSince < 60_000) {
    assert.equal(sink.stats().paused, true, 'stays paused while ClickHouse is down');
    await sleep(1000);
  }
  assert.equal(await committed(), 10_000, 'nothing committed while ClickHouse was down');
  assert.equal(sink.stats().stored, 10_000);

  await startPart(clickhouse);
  await waitFor('everything stored after ClickHouse came back', () => sink.stats().stored >= 20_000, 180_000);
  assert.equal(sink.stats().paused, false);
  await waitFor('offsets committed', async () => (await committed()) === 20_000, 30_000);
  assert.equal((await rawCounts(ch)).distinct, 20_000);
  const expected = expectedTotals(events);
  assert.deepEqual(await rollupTotals(ch, 'rollup_hourly'), expected);
  assert.deepEqual(await rollupTotals(ch, 'rollup_daily'), expected);
  await sink.stop();
});
