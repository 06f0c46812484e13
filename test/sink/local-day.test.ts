import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTimeZone, localDay, splitByLocalDay } from '../../sink/local-day.js';

const ms = (iso: string) => Date.parse(iso);

void test('local day follows the salon time zone', () => {
  assert.equal(localDay(ms('2026-11-25T22:30:00.000Z'), 'UTC'), '2026-11-25');
  assert.equal(localDay(ms('2026-11-25T22:30:00.000Z'), 'Europe/Moscow'), '2026-11-26');
  assert.equal(localDay(ms('2026-11-25T11:59:59.999Z'), 'Asia/Kamchatka'), '2026-11-25');
  assert.equal(localDay(ms('2026-11-25T12:00:00.000Z'), 'Asia/Kamchatka'), '2026-11-26');
  // Nepal is UTC+05:45: midnight falls on a quarter hour.
  assert.equal(localDay(ms('2026-11-25T18:14:59.000Z'), 'Asia/Kathmandu'), '2026-11-25');
  assert.equal(localDay(ms('2026-11-25T18:15:00.000Z'), 'Asia/Kathmandu'), '2026-11-26');
});

void test('intervals split at local midnight with exact seconds', () => {
  assert.deepEqual(splitByLocalDay(ms('2026-11-25T20:00:00.000Z'), ms('2026-11-25T22:30:00.000Z'), 'Europe/Moscow'), [
    { day: '2026-11-25', seconds: 3600 },
    { day: '2026-11-26', seconds: 5400 },
  ]);
  const threeDays = splitByLocalDay(ms('2026-11-25T12:00:00.000Z'), ms('2026-11-28T12:00:00.000Z'), 'UTC');
  assert.deepEqual(
    threeDays.map((s) => s.day),
    ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28'],
  );
  assert.equal(
    threeDays.reduce((a, s) => a + s.seconds, 0),
    3 * 86_400,
  );
  assert.deepEqual(splitByLocalDay(ms('2026-11-25T12:00:00.000Z'), ms('2026-11-25T12:00:00.000Z'), 'UTC'), [{ day: '2026-11-25', seconds: 0 }]);
});

void test('a DST change (New York, 2026-03-08) keeps days 23 hours long', () => {
  const slices = splitByLocalDay(ms('2026-03-08T05:00:00.000Z'), ms('2026-03-09T04:00:00.000Z'), 'America/New_York');
  assert.deepEqual(slices, [{ day: '2026-03-08', seconds: 23 * 3600 }]);
});

void test('unknown zones are recognised', () => {
  assert.equal(isTimeZone('Europe/Moscow'), true);
  assert.equal(isTimeZone('Mars/Olympus_Mons'), false);
});
