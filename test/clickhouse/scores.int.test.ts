/**
 * Scores over the real schema, written by the sink's own store step: a batch stored twice
 * (a redelivery) changes nothing, and a dismissed incident leaves the score at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeReview, versionClock } from '../../clickhouse/reviews.js';
import { scoreQueries } from '../../clickhouse/scores.js';
import type { IncidentEvent, SalonEvent, VisitEvent } from '../../events/schema.js';
import { storeBatch } from '../../sink/store.js';
import { testDatabase } from './test-database.js';

const weights = { greeting: 0.3, queue_length: 0.15, waiting_time: 0.2, staff_presence: 0.25, camera_coverage: 0.1 };
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const base = { schemaVersion: 1 as const, cameraId: 'cam1', nodeId: 'edge1' };

function visit(salonId: string, at: string, staffPresent: boolean): VisitEvent {
  return {
    ...base,
    eventId: uuid(),
    type: 'visit',
    salonId,
    occurredAt: at,
    producedAt: at,
    payload: { visitId: `v${n}`, startedAt: at, endedAt: at, durationS: 0, groupSize: 1, greeted: false, greetingLatencyS: null, staffPresent },
  };
}

function incident(salonId: string, id: string, standard: IncidentEvent['payload']['standard'], from: string, to: string | null): IncidentEvent {
  const at = to ?? from;
  return {
    ...base,
    eventId: uuid(),
    type: 'incident',
    salonId,
    occurredAt: at,
    producedAt: at,
    payload: { incidentId: id, standard, startedAt: from, endedAt: to, summary: '', measured: 1, threshold: 0, evidence: [] },
  };
}

function staffSample(salonId: string, at: string, cameraId: string): SalonEvent {
  return { ...base, cameraId, eventId: uuid(), type: 'staff_sample', salonId, occurredAt: at, producedAt: at, payload: { staffCount: 1, customerCount: 0, open: true, windowS: 3600 } };
}

void test('scores count a redelivered batch once, and a dismissal leaves the score', async (t) => {
  const ch = await testDatabase(t);
  await ch.insert('salons', [
    { salonId: 'a', name: 'A', partnerId: 'p1', regionId: 'north', timezone: 'UTC', updatedAt: 1_700_000_000 },
    { salonId: 'b', name: 'B', partnerId: 'p2', regionId: 'north', timezone: 'UTC', updatedAt: 1_700_000_000 },
    { salonId: 'c', name: 'C', partnerId: 'p2', regionId: 'south', timezone: 'UTC', updatedAt: 1_700_000_000 },
  ]);
  const day = '2026-11-20';
  const at = (hh: string) => `${day}T${hh}:00:00.000Z`;
  // Salon a: 4 visits with staff present (1 without), 1 greeting incident; 10 open hours seen by
  // two cameras (counted once); a staff-presence incident of 1 h, opened then closed.
  const batch: SalonEvent[] = [
    ...['09', '10', '11', '12'].map((h) => visit('a', at(h), true)),
    visit('a', at('13'), false),
    ...['08', '09', '10', '11', '12', '13', '14', '15', '16', '17'].flatMap((h) => [staffSample('a', at(h), 'cam1'), staffSample('a', at(h), 'cam2')]),
    incident('a', 'greet-1', 'greeting', at('10'), at('10')),
    incident('a', 'staff-1', 'staff_presence', at('14'), null),
    incident('a', 'staff-1', 'staff_presence', at('14'), at('15')),
    ...['09', '10'].map((h) => visit('b', at(h), true)),
    incident('b', 'greet-2', 'greeting', at('09'), at('09')),
    visit('c', at('09'), true),
  ];
  await storeBatch(ch, batch, () => 'UTC', 1);
  // The same batch again, as after a crash between insert and commit.
  await storeBatch(ch, batch, () => 'UTC', 2);

  const scores = scoreQueries(ch, () => weights);
  const [a] = await scores.dailyScores('a', day, day);
  assert.ok(a !== undefined);
  assert.equal(a.day, day);
  assert.deepEqual(a.standards, { greeting: 0.75, waiting_time: null, queue_length: 1, staff_presence: 0.9, camera_coverage: 1 });
  const expected = (100 * (0.3 * 0.75 + 0.15 * 1 + 0.25 * 0.9 + 0.1 * 1)) / (0.3 + 0.15 + 0.25 + 0.1);
  assert.ok(Math.abs((a.score ?? 0) - expected) < 1e-9, `score ${a.score} vs ${expected}`);

  const ranking = await scores.salonRanking(day, day, null);
  assert.deepEqual(
    ranking.map((r) => [r.salonId, r.rank, r.regionId]),
    [
      ['c', 1, 'south'],
      ['a', 2, 'north'],
      ['b', 3, 'north'],
    ],
  );
  assert.equal(ranking.find((r) => r.salonId === 'b')?.score, 50);

  // Dismiss b's only incident, then confirm and dismiss a's staff incident (newest review wins).
  const version = versionClock();
  const reviewedAt = Date.parse(`${day}T18:00:00Z`);
  await storeReview(ch, { incidentId: 'greet-2', salonId: 'b', reviewer: 'r1', reviewedAtMs: reviewedAt, verdict: 'dismiss', comment: 'customer was staff' }, version());
  await storeReview(ch, { incidentId: 'staff-1', salonId: 'a', reviewer: 'r1', reviewedAtMs: reviewedAt, verdict: 'confirm', comment: '' }, version());
  await storeReview(ch, { incidentId: 'staff-1', salonId: 'a', reviewer: 'r2', reviewedAtMs: reviewedAt + 5, verdict: 'dismiss', comment: 'on a break, allowed' }, version());
  const [after] = await scores.dailyScores('a', day, day);
  assert.equal(after?.standards.staff_presence, 1);
  assert.equal(after.standards.greeting, 0.75);
  const ranked = await scores.salonRanking(day, day, 'north');
  assert.deepEqual(
    ranked.map((r) => [r.salonId, r.rank, r.score]),
    [['b', 1, 100], ['a', 2, ranked.find((r) => r.salonId === 'a')?.score]],
  );
  // A redelivered batch recomputes the totals again: the dismissals hold.
  await storeBatch(ch, batch, () => 'UTC', Date.now() + 1000);
  assert.equal((await scores.dailyScores('a', day, day))[0]?.standards.staff_presence, 1);
  assert.equal((await scores.dailyScores('b', day, day))[0]?.score, 100);
  // A newer confirmation counts the incident again.
  await storeReview(ch, { incidentId: 'greet-2', salonId: 'b', reviewer: 'r3', reviewedAtMs: reviewedAt + 60_000, verdict: 'confirm', comment: 'it was a customer' }, version());
  assert.equal((await scores.dailyScores('b', day, day))[0]?.score, 50);
  await storeReview(ch, { incidentId: 'greet-2', salonId: 'b', reviewer: 'r3', reviewedAtMs: reviewedAt + 120_000, verdict: 'dismiss', comment: 'staff after all' }, version());
  const regions = await scores.regionRanking(day, day);
  assert.deepEqual(
    regions.map((r) => [r.regionId, r.rank, r.salons]),
    [
      ['south', 1, 1],
      ['north', 2, 2],
    ],
  );
});
