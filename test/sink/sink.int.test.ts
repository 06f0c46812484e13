import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../common/log.js';
import { generateEvents } from '../../events/generate.js';
import { encodeEvent, type SalonEvent } from '../../events/schema.js';
import { DLQ_REASON_HEADER, DLQ_SOURCE_HEADER, Sink } from '../../sink/sink.js';
import { testDatabase } from '../clickhouse/test-database.js';
import { testKafka, testTopics } from '../events/test-topic.js';
import { expectedTotals, rawCounts, readTopic, rollupTotals, waitFor } from './helpers.js';

const malformed = (i: number, valid: SalonEvent): string => {
  switch (i % 5) {
    case 0:
      return '{"eventId": "truncated';
    case 1:
      return JSON.stringify({ ...valid, type: 'sale' });
    case 2:
      return JSON.stringify({ ...valid, schemaVersion: 2 });
    case 3:
      return JSON.stringify({ ...valid, occurredAt: 'yesterday' });
    default:
      return JSON.stringify({ ...valid, payload: { ...valid.payload, unexpected: true } });
  }
};

void test('100 malformed messages go to the dead-letter topic with a reason; every valid event is stored and rolled up once', async (t) => {
  const kafka = testKafka('sink-int');
  const [topic, dlq] = await testTopics(t, kafka, ['events', 'dlq']);
  assert.ok(topic !== undefined && dlq !== undefined);
  const ch = await testDatabase(t);

  const events = [...generateEvents({ count: 5000, salons: 40, seed: 7, startMs: Date.parse('2026-11-20T08:00:00.000Z'), stepMs: 3000 })];
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(() => producer.disconnect());
  const messages = events.flatMap((event, i) => {
    const valid = { key: event.salonId, value: encodeEvent(event) };
    return i % 50 === 0 ? [valid, { key: event.salonId, value: Buffer.from(malformed(i / 50, event)) }] : [valid];
  });
  assert.equal(messages.length, 5100);
  await producer.send({ topic, acks: -1, messages });

  const sink = new Sink({
    kafka,
    topic,
    deadLetterTopic: dlq,
    groupId: `${topic}.sink`,
    ch,
    timeZoneOf: () => 'Europe/Moscow',
    log: createLogger({ test: 'sink-int' }, 'warn'),
    batchSize: 1000,
    maxWaitMs: 200,
  });
  await sink.start();
  t.after(() => sink.stop());

  await waitFor('all messages handled', () => sink.stats().stored + sink.stats().deadLettered >= 5100);
  assert.equal(sink.stats().stored, 5000);
  assert.equal(sink.stats().deadLettered, 100);

  assert.deepEqual(await rawCounts(ch), { rows: 5000, distinct: 5000 });
  const expected = expectedTotals(events);
  assert.deepEqual(await rollupTotals(ch, 'rollup_hourly'), expected);
  assert.deepEqual(await rollupTotals(ch, 'rollup_daily'), expected);

  const dead = await readTopic(kafka, dlq, 100);
  assert.equal(dead.length, 100);
  for (const message of dead) {
    assert.ok((message.headers[DLQ_REASON_HEADER] ?? '').length > 0, 'every dead letter carries its reason');
    assert.match(message.headers[DLQ_SOURCE_HEADER] ?? '', new RegExp(`^${topic.replaceAll('.', '\\.')}/\\d+/\\d+$`));
  }
  const reasons = new Set(dead.map((m) => (m.headers[DLQ_REASON_HEADER] ?? '').split(':')[0]));
  assert.deepEqual([...reasons].sort(), ['(event)', 'occurredAt', 'payload.unexpected', 'schemaVersion', 'type']);
  // Stopped here, before the topics are deleted by the hooks registered earlier.
  await sink.stop();
});
