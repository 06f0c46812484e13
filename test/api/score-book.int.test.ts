/**
 * The score book against the backbone's ClickHouse queries on the same data: every answer the
 * API serves from memory must be the one `clickhouse/scores.ts` computes. Then the book follows
 * writes: a review stored through the review store, and rows the sink writes later, reach it by
 * its polls.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daysEnding, fixtureIncidents, fixtureRollups, fixtureSalons, insertIncidents, insertSalons } from '../../api/fixtures.js';
import { ScoreBookSync } from '../../api/score-book-sync.js';
import { storeReview, versionClock } from '../../clickhouse/reviews.js';
import { scoreQueries, type DailyScore, type SalonRank } from '../../clickhouse/scores.js';
import { createLogger } from '../../common/log.js';
import { testDatabase } from '../clickhouse/test-database.js';

const weights = { greeting: 0.3, queue_length: 0.15, waiting_time: 0.2, staff_presence: 0.25, camera_coverage: 0.1 };
const close = (a: number | null | undefined, b: number | null | undefined) =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9);

function sameDays(actual: readonly DailyScore[], expected: readonly DailyScore[], what: string): void {
  assert.deepEqual(actual.map((d) => d.day), expected.map((d) => d.day), what);
  for (const [i, e] of expected.entries()) {
    const a = actual[i];
    assert.ok(a !== undefined && close(a.score, e.score), `${what} ${e.day}: score ${a?.score} vs ${e.score}`);
    for (const [standard, rate] of Object.entries(e.standards)) {
      assert.ok(close(a.standards[standard as keyof typeof e.standards], rate), `${what} ${e.day} ${standard}`);
    }
  }
}

function sameRanking(actual: readonly SalonRank[], expected: readonly SalonRank[], what: string): void {
  assert.deepEqual(actual.map((r) => [r.salonId, r.rank, r.regionId, r.partnerId]), expected.map((r) => [r.salonId, r.rank, r.regionId, r.partnerId]), what);
  for (const [i, e] of expected.entries()) assert.ok(close(actual[i]?.score, e.score), `${what}: ${e.salonId}`);
}

void test('the score book answers what the ClickHouse score queries answer, and follows new writes', async (t) => {
  const ch = await testDatabase(t, 'sw_book');
  const now = new Date();
  const days = daysEnding(now, 40);
  const salons = fixtureSalons({ salons: 12, partners: 3, regions: 3 });
  await insertSalons(ch, salons, now);
  await ch.insert('rollup_daily', fixtureRollups(salons, days, 3));
  const incidents = fixtureIncidents({
    salons,
    from: new Date(`${days[0] ?? ''}T00:00:00Z`),
    to: new Date(`${days.at(-1) ?? ''}T12:00:00Z`),
    perSalonPerDay: 2,
    seed: 5,
    evidence: [],
  });
  await insertIncidents(ch, incidents, salons);
  const version = versionClock();
  // A few dismissals, one confirmed again after it, before the book loads.
  for (const [i, e] of incidents.slice(0, 30).entries()) {
    await storeReview(ch, { incidentId: e.payload.incidentId, salonId: e.salonId, reviewer: 'r', verdict: i % 3 === 0 ? 'confirm' : 'dismiss', comment: '', reviewedAtMs: now.getTime() + i }, version());
  }

  const sync = new ScoreBookSync(ch, { log: createLogger({}, 'warn'), pollMs: 60_000 });
  await sync.start();
  t.after(() => {
    sync.stop();
  });
  const book = sync.book;
  const queries = scoreQueries(ch, () => weights);
  const first = days[0] ?? '';
  const last = days.at(-1) ?? '';
  const mid = days[20] ?? '';
  const ranges: [string, string][] = [
    [first, last],
    [mid, last],
    [last, last],
  ];

  const compare = async (what: string) => {
    for (const [from, to] of ranges) {
      for (const salon of salons.slice(0, 4)) {
        sameDays(book.dailyScores(salon.id, from, to, weights), await queries.dailyScores(salon.id, from, to), `${what} ${salon.id} ${from}..${to}`);
      }
      sameRanking(book.salonRanking(from, to, null, weights), await queries.salonRanking(from, to, null), `${what} network ${from}..${to}`);
      sameRanking(book.salonRanking(from, to, 'region-2', weights), await queries.salonRanking(from, to, 'region-2'), `${what} region ${from}..${to}`);
      const regions = book.regionRanking(from, to, weights);
      const expected = await queries.regionRanking(from, to);
      assert.deepEqual(regions.map((r) => [r.regionId, r.rank, r.salons]), expected.map((r) => [r.regionId, r.rank, r.salons]), `${what} regions`);
    }
  };
  await compare('after load');

  // A dismissal of a salon's incident on the last day: invisible until the book polls.
  const target = incidents.findLast((e) => e.payload.startedAt.startsWith(last));
  assert.ok(target !== undefined, 'an incident on the last day');
  const before = book.dailyScores(target.salonId, last, last, weights)[0]?.score;
  await storeReview(ch, { incidentId: target.payload.incidentId, salonId: target.salonId, reviewer: 'r', verdict: 'dismiss', comment: '', reviewedAtMs: now.getTime() + 1000 }, version());
  assert.equal(book.dailyScores(target.salonId, last, last, weights)[0]?.score, before);
  sync.invalidate();
  await sync.fresh();
  const after = book.dailyScores(target.salonId, last, last, weights)[0]?.score;
  assert.notEqual(after, before, 'the dismissal leaves the score once the book has polled');

  // New days written later (as the sink writes them) arrive with the next poll too.
  await ch.insert('rollup_daily', fixtureRollups(salons, [last], 9).map((r) => ({ ...r, version: Date.now() + 10_000 })));
  await sync.refresh();
  await compare('after polls');
});
