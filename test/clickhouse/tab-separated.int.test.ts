/**
 * Fuzz against the stack's ClickHouse 18.16: rows written by `TabSeparatedWriter` and sent by
 * `insertTabSeparated` must come back unchanged, strings compared byte for byte (the hex of the
 * UTF-8 ClickHouse stored), numbers and instants through functions that print them exactly. And
 * the sink's event rows, inserted the same way, must read back as `eventRow` made them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { Sql, sql } from '../../clickhouse/sql.js';
import { TabSeparatedWriter } from '../../clickhouse/tab-separated.js';
import { generateEvents, seededRandom } from '../../events/generate.js';
import { EventBatch } from '../../sink/batch.js';
import { eventRow } from '../../sink/rows.js';
import { insertEventRows } from '../../sink/store.js';
import { testDatabase } from './test-database.js';
import { randomTsvString } from './tsv-fuzz.js';

const SEED = Number(process.env['SALONWATCH_FUZZ_SEED'] ?? Date.now() % 1_000_000);

interface FuzzRow {
  i: number;
  a: string;
  b: string;
  f: number;
  n: number;
  d: number;
  day: string;
}

function randomDouble(random: () => number): number {
  const view = new DataView(new ArrayBuffer(8));
  for (;;) {
    view.setUint32(0, Math.floor(random() * 2 ** 32));
    view.setUint32(4, Math.floor(random() * 2 ** 32));
    const value = view.getFloat64(0);
    if (Number.isFinite(value)) return value;
  }
}

void test(`TabSeparated rows round-trip through ClickHouse (seed ${SEED})`, async (t) => {
  const ch = await testDatabase(t, 'sw_tsv');
  const random = seededRandom(SEED);
  await ch.command(
    new Sql(`CREATE TABLE tsv_fuzz (i UInt32, a String, b String, f Float64, n Int64, d DateTime('UTC'), day Date) ENGINE = Memory`),
  );
  const rows: FuzzRow[] = Array.from({ length: 2000 }, (_, i) => ({
    i,
    a: randomTsvString(random),
    b: randomTsvString(random),
    f: i % 2 === 0 ? Math.round((random() - 0.5) * 2e7) / 10 ** Math.floor(random() * 4) : randomDouble(random),
    n: Math.floor((random() - 0.5) * 2 ** 53),
    d: Math.floor(random() * 4_000_000_000),
    day: new Date(Math.floor(random() * 4_000_000_000) * 1000).toISOString().slice(0, 10),
  }));
  const writer = new TabSeparatedWriter<FuzzRow>(['i', 'a', 'b', 'f', 'n', 'd', 'day']);
  for (const row of rows) writer.write(row);
  await ch.insertTabSeparated('tsv_fuzz', writer);

  const back = await ch.query(
    sql`SELECT i, a, hex(a) AS ah, b, hex(b) AS bh, toString(f) AS f, toString(n) AS n, toUInt32(d) AS d, toString(day) AS day
        FROM tsv_fuzz ORDER BY i`,
    Type.Object({ i: Type.Number(), a: Type.String(), ah: Type.String(), b: Type.String(), bh: Type.String(), f: Type.String(), n: Type.String(), d: Type.Number(), day: Type.String() }),
  );
  assert.equal(back.length, rows.length);
  rows.forEach((row, j) => {
    const got = back[j];
    assert.ok(got !== undefined);
    assert.equal(got.ah, Buffer.from(row.a, 'utf8').toString('hex').toUpperCase(), `bytes of ${JSON.stringify(row.a)}`);
    assert.equal(got.bh, Buffer.from(row.b, 'utf8').toString('hex').toUpperCase(), `bytes of ${JSON.stringify(row.b)}`);
    assert.equal(got.a, row.a);
    assert.equal(got.b, row.b);
    const f = Number(got.f);
    if (j % 2 === 0) assert.equal(f, row.f, `decimal ${row.f}`);
    else {
      // 18.16's text reader of floats (the same one JSONEachRow numbers go through) may miss
      // the nearest double of a long random one by an ulp or two; the decimals the sink writes
      // (even rows) read back exactly.
      assert.ok(Math.abs(f - row.f) <= 4 * Number.EPSILON * Math.abs(row.f), `double ${row.f} read back as ${f}`);
    }
    assert.equal(got.n, String(row.n));
    assert.equal(got.d, row.d);
    assert.equal(got.day, row.day);
  });
});

const StoredEvent = Type.Object({
  eventId: Type.String(),
  type: Type.String(),
  salonId: Type.String(),
  occurredAt: Type.Number(),
  occurredMs: Type.Number(),
  producedAt: Type.Number(),
  producedMs: Type.Number(),
  localDate: Type.String(),
  durationS: Type.Number(),
  greetingLatencyS: Type.Number(),
  waitS: Type.Number(),
  queueLength: Type.Number(),
  staffCount: Type.Number(),
  open: Type.Number(),
  windowS: Type.Number(),
  payload: Type.String(),
});

void test('event rows inserted as TabSeparated read back as eventRow made them', async (t) => {
  const ch = await testDatabase(t, 'sw_tsv_events');
  const events = [...generateEvents({ count: 3000, salons: 20, seed: 3, startMs: Date.parse('2026-11-25T20:00:00.000Z'), stepMs: 3000 })];
  // A payload string with every character TabSeparated escapes, and a salon id with unicode.
  const first = events[0];
  assert.ok(first !== undefined);
  events[0] = { ...first, salonId: 'салон\t№1', type: 'camera_health', payload: { state: 'moved', since: first.occurredAt, reason: 'tab\there\nline\\slash\r"q"' } };
  const batch = new EventBatch(() => 'Asia/Kamchatka');
  for (const event of events) batch.add(event);
  await insertEventRows(ch, batch);

  const back = await ch.query(
    sql`SELECT eventId, toString(type) AS type, salonId, toUInt32(occurredAt) AS occurredAt, occurredMs, toUInt32(producedAt) AS producedAt, producedMs,
          toString(localDate) AS localDate, toFloat64(durationS) AS durationS, toFloat64(greetingLatencyS) AS greetingLatencyS,
          toFloat64(waitS) AS waitS, queueLength, staffCount, open, toFloat64(windowS) AS windowS, payload
        FROM events`,
    StoredEvent,
  );
  const byId = new Map(back.map((r) => [r.eventId, r]));
  assert.equal(byId.size, events.length);
  for (const event of events) {
    const row = eventRow(event, 'Asia/Kamchatka');
    const got = byId.get(event.eventId);
    assert.ok(got !== undefined, event.eventId);
    assert.deepEqual(got, {
      eventId: row.eventId,
      type: row.type,
      salonId: row.salonId,
      occurredAt: row.occurredAt,
      occurredMs: row.occurredMs,
      producedAt: row.producedAt,
      producedMs: row.producedMs,
      localDate: row.localDate,
      // Float32 columns: compare what Float32 holds.
      durationS: Math.fround(row.durationS),
      greetingLatencyS: Math.fround(row.greetingLatencyS),
      waitS: Math.fround(row.waitS),
      queueLength: row.queueLength,
      staffCount: row.staffCount,
      open: row.open,
      windowS: Math.fround(row.windowS),
      payload: row.payload,
    });
    assert.deepEqual(JSON.parse(got.payload), event.payload);
  }
});
