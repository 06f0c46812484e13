/** Shared by the sink's integration tests: wait for a condition, count what ClickHouse holds. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from '@sinclair/typebox';
import type { Kafka } from 'kafkajs';
import type { ClickHouse } from '../../clickhouse/client.js';
import { sql } from '../../clickhouse/sql.js';
import type { SalonEvent } from '../../events/schema.js';

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const Counts = Type.Object({
  rows: Type.String(),
  distinct: Type.String(),
});

/** Raw rows (duplicates included until merged) and distinct event ids. */
export async function rawCounts(ch: ClickHouse): Promise<{ rows: number; distinct: number }> {
  const [row] = await ch.query(sql`SELECT toString(count()) AS rows, toString(uniqExact(eventId)) AS distinct FROM events`, Counts);
  return { rows: Number(row?.rows ?? 0), distinct: Number(row?.distinct ?? 0) };
}

const RollupTotals = Type.Object({
  events: Type.Number(),
  visits: Type.Number(),
  waits: Type.Number(),
  queueSamples: Type.Number(),
  staffSamples: Type.Number(),
  cameraHealthEvents: Type.Number(),
  visitsStaffPresent: Type.Number(),
});
export type RollupTotals = typeof RollupTotals.static;

/** Totals over every daily (or hourly) rollup row, newest version of each key. */
export async function rollupTotals(ch: ClickHouse, table: 'rollup_daily' | 'rollup_hourly'): Promise<RollupTotals> {
  const from = table === 'rollup_daily' ? sql`rollup_daily FINAL` : sql`rollup_hourly FINAL`;
  const [row] = await ch.query(
    sql`SELECT toFloat64(sum(events)) AS events, toFloat64(sum(visits)) AS visits, toFloat64(sum(waits)) AS waits,
          toFloat64(sum(queueSamples)) AS queueSamples, toFloat64(sum(staffSamples)) AS staffSamples,
          toFloat64(sum(cameraHealthEvents)) AS cameraHealthEvents, toFloat64(sum(visitsStaffPresent)) AS visitsStaffPresent
        FROM ${from}`,
    RollupTotals,
  );
  if (row === undefined) throw new Error('no totals row');
  return row;
}

/** The same totals computed from the events themselves: what the rollups must equal. */
export function expectedTotals(events: Iterable<SalonEvent>): RollupTotals {
  const t = { events: 0, visits: 0, waits: 0, queueSamples: 0, staffSamples: 0, cameraHealthEvents: 0, visitsStaffPresent: 0 };
  for (const e of events) {
    t.events++;
    if (e.type === 'visit') {
      t.visits++;
      if (e.payload.staffPresent) t.visitsStaffPresent++;
    } else if (e.type === 'wait') t.waits++;
    else if (e.type === 'queue_sample') t.queueSamples++;
    else if (e.type === 'staff_sample') t.staffSamples++;
    else if (e.type === 'camera_health') t.cameraHealthEvents++;
  }
  return t;
}

/** Reads a whole topic from the beginning with a throwaway group; resolves once `count` messages arrived. */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000) {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
  const messages: { value: Buffer | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
        messages.push({ value: message.value, headers });
        return Promise.resolve();
      },
    });
    await waitFor(`${count} messages in ${topic}`, () => messages.length >= count, timeoutMs);
    // Anything beyond `count` that is already on its way would make the test's equality fail.
    await sleep(500);
    return messages;
  } finally {
    await consumer.disconnect();
  }
}
