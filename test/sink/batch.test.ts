import { test } from 'node:test';
import assert from 'node:assert/strict';
import { touchedKeys } from '../../clickhouse/rollups.js';
import { tabSeparatedRow } from '../../clickhouse/tab-separated.js';
import { generateEvents } from '../../events/generate.js';
import type { IncidentEvent, SalonEvent } from '../../events/schema.js';
import { EventBatch } from '../../sink/batch.js';
import { EVENT_COLUMNS, eventRow, incidentDayRows } from '../../sink/rows.js';

const zone = (salonId: string) => (salonId.endsWith('1') ? 'Asia/Kamchatka' : 'Europe/Moscow');
const events = [...generateEvents({ count: 3000, salons: 12, seed: 9, startMs: Date.parse('2026-11-25T18:00:00.000Z'), stepMs: 20_000 })];

function batchOf(list: readonly SalonEvent[]): EventBatch {
  const batch = new EventBatch(zone, 1024);
  for (const e of list) batch.add(e);
  return batch;
}

const sets = (keys: ReturnType<typeof touchedKeys>) => ({
  hours: [...keys.hours].map(([h, s]) => [h, [...s].sort()]).sort(),
  days: [...keys.days].map(([d, s]) => [d, [...s].sort()]).sort(),
});

void test('a batch holds the TabSeparated rows, producedAt, incidents and the touched keys of its events', () => {
  const batch = batchOf(events);
  const rows = events.map((e) => eventRow(e, zone(e.salonId)));
  assert.equal(batch.count, events.length);
  assert.equal(Buffer.from(batch.eventRows.bytes()).toString('utf8'), rows.map((r) => tabSeparatedRow(r, EVENT_COLUMNS)).join(''));
  assert.deepEqual(batch.eventRows.columns, EVENT_COLUMNS);
  assert.deepEqual(
    batch.producedAtMs,
    events.map((e) => Date.parse(e.producedAt)),
  );
  const incidents = events.filter((e): e is IncidentEvent => e.type === 'incident');
  assert.ok(incidents.length > 0);
  assert.deepEqual(batch.incidents, incidents);
  assert.deepEqual(
    batch.incidentDays(),
    incidents.flatMap((e) => incidentDayRows(e, zone(e.salonId))),
  );
  // One touched row per (salon, hour, day), and the same keys as every row would give.
  assert.ok(batch.touched().length < rows.length);
  assert.deepEqual(sets(touchedKeys(batch.touched())), sets(touchedKeys(rows)));
});

void test('appending keeps the order: the earlier batch first', () => {
  const whole = batchOf(events);
  const first = batchOf(events.slice(0, 1000));
  first.append(batchOf(events.slice(1000)));
  assert.equal(first.count, whole.count);
  assert.deepEqual(Buffer.from(first.eventRows.bytes()), Buffer.from(whole.eventRows.bytes()));
  assert.deepEqual(first.producedAtMs, whole.producedAtMs);
  assert.deepEqual(first.incidents, whole.incidents);
  assert.deepEqual(first.incidentDays(), whole.incidentDays());
  assert.deepEqual(sets(touchedKeys(first.touched())), sets(touchedKeys(whole.touched())));
});

void test('an event that cannot become a row leaves the batch as it was', () => {
  const batch = new EventBatch((salonId) => (salonId === 'bad' ? 'Not/A_Zone' : 'UTC'));
  const [good, other] = events;
  assert.ok(good !== undefined && other !== undefined);
  batch.add(good);
  const before = Buffer.from(batch.eventRows.bytes());
  assert.throws(() => {
    batch.add({ ...other, salonId: 'bad' });
  }, RangeError);
  assert.equal(batch.count, 1);
  assert.deepEqual(Buffer.from(batch.eventRows.bytes()), before);
  assert.equal(batch.producedAtMs.length, 1);
  assert.equal(batch.touched().length, 1);
});
