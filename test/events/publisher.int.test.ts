/**
 * Fault test: the broker is SIGKILLed in the middle of a stream of 100,000 events and started
 * again. The publisher must spool what the broker could not take and replay it in order; the
 * sink must end with exactly 100,000 distinct events, and rollups that add up to exactly the
 * generated events (a replayed send the broker had in fact written is a duplicate that must
 * count once). Uses the local stack's real Kafka: other users of the stack see it restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { createLogger } from '../../common/log.js';
import { generateEvents } from '../../events/generate.js';
import { Publisher } from '../../events/publisher.js';
import { Spool } from '../../events/spool.js';
import { stackParts, startPart, stopPart } from '../../infra/stack/stack.js';
import { Sink } from '../../sink/sink.js';
import { testDatabase } from '../clickhouse/test-database.js';
import { expectedTotals, rawCounts, rollupTotals, waitFor } from '../sink/helpers.js';
import { testKafka, testTopics } from './test-topic.js';

const metric = async (registry: Registry, name: string): Promise<number> => {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return found?.values.reduce((a, v) => a + v.value, 0) ?? Number.NaN;
};

void test('Kafka SIGKILLed during a stream of 100,000 events and restarted: nothing lost, nothing double-counted', { timeout: 900_000 }, async (t) => {
  const log = createLogger({ test: 'publisher-fault' }, 'info');
  const kafka = testKafka('publisher-fault');
  const [topic, dlq] = await testTopics(t, kafka, ['events', 'dlq'], 6);
  assert.ok(topic !== undefined && dlq !== undefined);
  const ch = await testDatabase(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'salonwatch-spool-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const spool = Spool.open(dir, { maxBytes: 512 * 1024 * 1024 });
  const registry = new Registry();
  const publisher = new Publisher({ kafka: testKafka('publisher'), topic, spool, log, registry, retryMinMs: 250, retryMaxMs: 2000 });
  await publisher.start();
  t.after(async () => {
    await publisher.close();
    await spool.close();
  });
  const sink = new Sink({ kafka, topic, deadLetterTopic: dlq, groupId: `${topic}.sink`, ch, timeZoneOf: () => 'UTC', log, batchSize: 5000, maxWaitMs: 300 });
  await sink.start();
  t.after(() => sink.stop());

  const events = [...generateEvents({ count: 100_000, salons: 200, seed: 11, startMs: Date.parse('2026-11-24T06:00:00.000Z'), stepMs: 500 })];
  const kafkaPart = stackParts().kafka;
  let published = 0;
  const outage = (async () => {
    await waitFor('30,000 events published', () => published >= 30_000);
    assert.equal(await stopPart(kafkaPart, 'SIGKILL'), true, 'the broker was running and is killed');
    await sleep(5000);
    await startPart(kafkaPart);
  })();
  for (let i = 0; i < events.length; i += 500) {
    await publisher.publish(events.slice(i, i + 500));
    published += 500;
    await sleep(10);
  }
  log.info('stream published', { mode: publisher.currentMode(), spooled: spool.stats().records });
  await outage;
  log.info('broker restarted', { spooled: spool.stats().records, stored: sink.stats().stored });

  await waitFor('the spool drained and direct publishing resumed', () => spool.isEmpty() && publisher.currentMode() === 'direct', 300_000);
  await waitFor('100,000 distinct events stored', async () => (await rawCounts(ch)).distinct >= 100_000, 300_000);
  // Raw rows are visible before the batch's rollups are recomputed: wait for the store to end.
  await waitFor('the sink idle', () => sink.stats().held === 0 && !sink.stats().storing, 60_000);

  assert.ok((await metric(registry, 'salonwatch_events_spooled_total')) > 0, 'the outage happened during the stream');
  assert.equal(await metric(registry, 'salonwatch_spool_dropped_events'), 0, 'nothing dropped');
  assert.equal((await rawCounts(ch)).distinct, 100_000);
  const expected = expectedTotals(events);
  assert.deepEqual(await rollupTotals(ch, 'rollup_hourly'), expected);
  assert.deepEqual(await rollupTotals(ch, 'rollup_daily'), expected);
  assert.equal(sink.stats().deadLettered, 0);

  await sink.stop();
});
