import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complianceRates, NO_INCIDENTS, rankBy, weightedScore, type IncidentLoad } from '../../clickhouse/scores.js';

const weights = { greeting: 0.3, queue_length: 0.15, waiting_time: 0.2, staff_presence: 0.25, camera_coverage: 0.1 };
const load = (count: Partial<IncidentLoad['count']>, seconds: Partial<IncidentLoad['seconds']>): IncidentLoad => ({
  count: { ...NO_INCIDENTS.count, ...count },
  seconds: { ...NO_INCIDENTS.seconds, ...seconds },
});

void test('rates follow the definitions, clamped to [0, 1]', () => {
  const rates = complianceRates(
    { visitsStaffPresent: 100, waits: 20, openSeconds: 36_000, observedSeconds: 40_000 },
    load({ greeting: 10, waiting_time: 5 }, { queue_length: 3600, staff_presence: 72_000, camera_coverage: 10_000 }),
  );
  assert.equal(rates.greeting, 0.9);
  assert.equal(rates.waiting_time, 0.75);
  assert.equal(rates.queue_length, 0.9);
  assert.equal(rates.staff_presence, 0);
  assert.equal(rates.camera_coverage, 0.8);
});

void test('a standard without opportunities has no rate and leaves the weighted mean', () => {
  const rates = complianceRates({ visitsStaffPresent: 10, waits: 0, openSeconds: 0, observedSeconds: 0 }, load({ greeting: 5 }, {}));
  assert.deepEqual(rates, { greeting: 0.5, waiting_time: null, queue_length: null, staff_presence: null, camera_coverage: null });
  assert.equal(weightedScore(rates, weights), 50);
  assert.equal(weightedScore({ ...rates, greeting: null }, weights), null);
});

void test('the score is 100 x the weighted mean; zero weights drop a standard', () => {
  const rates = { greeting: 1, queue_length: 0, waiting_time: 1, staff_presence: 1, camera_coverage: 1 };
  assert.ok(Math.abs((weightedScore(rates, weights) ?? 0) - 85) < 1e-9);
  assert.equal(weightedScore(rates, { ...weights, queue_length: 0 }), 100);
});

void test('ranking: highest first, ties share a rank, then key order', () => {
  const ranked = rankBy(
    [
      { id: 'b', s: 90 },
      { id: 'a', s: 90 },
      { id: 'c', s: 95 },
      { id: 'd', s: 10 },
    ],
    (x) => x.s,
    (x) => x.id,
  );
  assert.deepEqual(
    ranked.map((r) => [r.id, r.rank]),
    [
      ['c', 1],
      ['a', 2],
      ['b', 2],
      ['d', 4],
    ],
  );
});
