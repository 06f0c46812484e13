import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dailyRecomputeSql, hourlyRecomputeSql, touchedKeys } from '../../clickhouse/rollups.js';

const at = (iso: string) => Date.parse(iso) / 1000;

void test('touched keys group salons by UTC hour and by local day', () => {
  const { hours, days } = touchedKeys([
    { salonId: 'a', occurredAt: at('2026-11-25T10:05:00Z'), localDate: '2026-11-25' },
    { salonId: 'b', occurredAt: at('2026-11-25T10:59:59Z'), localDate: '2026-11-25' },
    { salonId: 'a', occurredAt: at('2026-11-25T22:00:00Z'), localDate: '2026-11-26' },
    { salonId: 'a', occurredAt: at('2026-11-25T10:30:00Z'), localDate: '2026-11-25' },
  ]);
  assert.deepEqual(
    [...hours].map(([h, s]) => [new Date(h * 1000).toISOString(), [...s]]),
    [
      ['2026-11-25T10:00:00.000Z', ['a', 'b']],
      ['2026-11-25T22:00:00.000Z', ['a']],
    ],
  );
  assert.deepEqual(
    [...days].map(([d, s]) => [d, [...s]]),
    [
      ['2026-11-25', ['a', 'b']],
      ['2026-11-26', ['a']],
    ],
  );
});

void test('the hourly recompute reads one hour of the touched salons, deduplicated by event id', () => {
  const text = hourlyRecomputeSql(["o'neil", 'b'], at('2026-11-25T10:00:00Z'), 42).text;
  assert.match(text, /LIMIT 1 BY eventId/);
  assert.match(text, /salonId IN \('o\\'neil', 'b'\)/);
  assert.match(text, /occurredAt >= toDateTime\('2026-11-25 10:00:00', 'UTC'\) AND occurredAt < toDateTime\('2026-11-25 11:00:00', 'UTC'\)/);
  assert.match(text, /SELECT salonId, hour, localDate, 42,/);
});

void test('the daily recompute reads the hours that can belong to the local day, newest rows only', () => {
  const text = dailyRecomputeSql(['a'], '2026-11-25', 7).text;
  assert.match(text, /FROM rollup_hourly FINAL/);
  assert.match(text, /hour >= toDateTime\('2026-11-24 10:00:00', 'UTC'\) AND hour < toDateTime\('2026-11-26 14:00:00', 'UTC'\)/);
  assert.match(text, /localDate = toDate\('2026-11-25'\)/);
});
