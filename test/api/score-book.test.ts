import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayLabel, dayNumber, ScoreBook, type IncidentTotalsRow, type OpportunityRow } from '../../api/score-book.js';

const weights = { greeting: 0.3, queue_length: 0.15, waiting_time: 0.2, staff_presence: 0.25, camera_coverage: 0.1 };

const opp = (salonId: string, day: string, version: number, visitsStaffPresent = 10): OpportunityRow => ({
  salonId,
  day,
  version,
  visitsStaffPresent,
  waits: 4,
  openSeconds: 36_000,
  observedSeconds: 36_000,
});

const none = { waitingIncidents: 0, queueIncidents: 0, staffIncidents: 0, coverageIncidents: 0, greetingSeconds: 0, waitingSeconds: 0, queueSeconds: 0, staffSeconds: 0, coverageSeconds: 0 };
const inc = (salonId: string, day: string, version: number, greetingIncidents: number, rest: Partial<IncidentTotalsRow> = {}): IncidentTotalsRow => ({
  salonId,
  day,
  version,
  greetingIncidents,
  ...none,
  ...rest,
});

test('day numbers round-trip and count calendar days', () => {
  assert.equal(dayNumber('1970-01-02'), 1);
  assert.equal(dayLabel(dayNumber('2026-03-29')), '2026-03-29');
  assert.equal(dayNumber('2026-03-30') - dayNumber('2026-03-29'), 1);
});

test('a day scores from its newest rows; an older version arriving late changes nothing', () => {
  const book = new ScoreBook('2026-11-01', 10);
  book.applyOpportunities([opp('a', '2026-11-05', 2)]);
  book.applyIncidents([inc('a', '2026-11-05', 5, 2)]);
  assert.equal(book.applyIncidents([inc('a', '2026-11-05', 4, 9)]), 0);
  const [day] = book.dailyScores('a', '2026-11-01', '2026-11-30', weights);
  assert.ok(day !== undefined);
  assert.equal(day.day, '2026-11-05');
  assert.equal(day.standards.greeting, 0.8);
  book.applyIncidents([inc('a', '2026-11-05', 6, 0)]);
  assert.equal(book.dailyScores('a', '2026-11-05', '2026-11-05', weights)[0]?.standards.greeting, 1);
  assert.equal(book.size, 1);
});

test('only days with opportunities are scored, oldest first, within the range', () => {
  const book = new ScoreBook('2026-11-01', 4);
  book.applyOpportunities([opp('a', '2026-11-09', 1), opp('a', '2026-11-02', 1), opp('a', '2026-11-03', 1)]);
  book.applyIncidents([inc('a', '2026-11-04', 1, 3)]);
  assert.deepEqual(
    book.dailyScores('a', '2026-11-03', '2026-11-30', weights).map((d) => d.day),
    ['2026-11-03', '2026-11-09'],
  );
  assert.deepEqual(book.dailyScores('nobody', '2026-11-01', '2026-11-30', weights), []);
  assert.equal(book.covers('2026-11-01'), true);
  assert.equal(book.covers('2026-10-31'), false);
  assert.equal(book.applyOpportunities([opp('a', '2026-10-31', 1)]), 0, 'days before the window are not kept');
});

test('rankings pool the range per salon; ties share a rank; a region keeps its salons', () => {
  const book = new ScoreBook('2026-11-01');
  book.setSalons([
    { salonId: 'a', regionId: 'north', partnerId: 'p1' },
    { salonId: 'b', regionId: 'north', partnerId: 'p2' },
    { salonId: 'c', regionId: 'south', partnerId: 'p2' },
  ]);
  // a: 2 misses over 20 visits in two days (pooled 0.9), b: 1 over 10, c: none; d has no dimension row.
  book.applyOpportunities(['a', 'b', 'c', 'd'].flatMap((s) => [opp(s, '2026-11-01', 1), ...(s === 'a' ? [opp(s, '2026-11-02', 1)] : [])]));
  book.applyIncidents([inc('a', '2026-11-01', 1, 2), inc('b', '2026-11-01', 1, 1)]);
  const ranking = book.salonRanking('2026-11-01', '2026-11-30', null, weights);
  assert.deepEqual(
    ranking.map((r) => [r.salonId, r.rank, r.regionId]),
    [
      ['c', 1, 'south'],
      ['d', 1, ''],
      ['a', 3, 'north'],
      ['b', 3, 'north'],
    ],
  );
  assert.deepEqual(
    book.salonRanking('2026-11-01', '2026-11-30', 'north', weights).map((r) => r.salonId),
    ['a', 'b'],
  );
  assert.deepEqual(
    book.regionRanking('2026-11-01', '2026-11-30', weights).map((r) => [r.regionId, r.rank, r.salons]),
    [
      ['south', 1, 1],
      ['north', 2, 2],
    ],
  );
});

test('incident days without an opportunity row still count in a pooled range', () => {
  const book = new ScoreBook('2026-11-01');
  book.applyOpportunities([opp('a', '2026-11-01', 1)]);
  book.applyIncidents([inc('a', '2026-11-02', 1, 5)]);
  const score = book.salonRanking('2026-11-01', '2026-11-02', null, weights)[0]?.score ?? 0;
  assert.ok(Math.abs(score - 100 * (0.3 * 0.5 + 0.15 + 0.2 + 0.25 + 0.1)) < 1e-9, `score ${score}`);
});

test('days past the initial capacity grow every salon', () => {
  const book = new ScoreBook('2026-11-01', 2);
  book.applyOpportunities([opp('a', '2026-11-01', 1)]);
  book.applyOpportunities([opp('b', '2027-02-01', 1)]);
  assert.equal(book.dailyScores('a', '2026-11-01', '2027-03-01', weights).length, 1);
  assert.equal(book.dailyScores('b', '2026-11-01', '2027-03-01', weights)[0]?.day, '2027-02-01');
});
