/**
 * The incident list from the book (api/incident-book-sync.ts) against the same list from
 * ClickHouse alone (api/clickhouse-store.ts), on the same data: first page, filters, cursor
 * paging across the window's start (where the book hands over to ClickHouse). Then the book
 * follows writes: incidents the sink stores later, a review stored by another API process (both
 * by a poll), and a review through this one (at once).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickhouseStore } from '../../api/clickhouse-store.js';
import { fixtureIncidents, fixtureSalons, insertIncidents, insertSalons } from '../../api/fixtures.js';
import { IncidentBookSync, withIncidentBook } from '../../api/incident-book-sync.js';
import { clickhouseScores } from '../../api/scores.js';
import type { ApiStore, IncidentQuery, IncidentSummary } from '../../api/store.js';
import { createLogger } from '../../common/log.js';
import type { IncidentEvent } from '../../events/schema.js';
import { testDatabase } from '../clickhouse/test-database.js';

const DAY = 86_400_000;

/** Every page of `query`, following the cursor. */
async function walk(store: ApiStore, query: IncidentQuery): Promise<IncidentSummary[]> {
  const all: IncidentSummary[] = [];
  let page = await store.incidents(query);
  for (let guard = 0; guard < 1000; guard++) {
    all.push(...page);
    const last = page.at(-1);
    if (last === undefined || page.length < query.limit) return all;
    page = await store.incidents({ ...query, after: { startedAt: last.startedAt, incidentId: last.incidentId } });
  }
  throw new Error('paging did not end');
}

/** The incident reported open first, then closed (two rows, two versions). */
function openedThenClosed(e: IncidentEvent): IncidentEvent[] {
  return [{ ...e, eventId: `${e.eventId}-open`, occurredAt: e.payload.startedAt, payload: { ...e.payload, endedAt: null, summary: 'open' } }, e];
}

void test('the incident list answers from the book what ClickHouse answers, and follows new writes', async (t) => {
  const ch = await testDatabase(t, 'sw_incbook');
  const now = Date.now();
  const salons = fixtureSalons({ salons: 6, partners: 2, regions: 2 });
  await insertSalons(ch, salons, new Date(now));
  // 50 days of incidents; the book holds the last 20, so older pages come from ClickHouse.
  const incidents = fixtureIncidents({ salons, from: new Date(now - 50 * DAY), to: new Date(now - 3_600_000), perSalonPerDay: 2, seed: 3, evidence: [] });
  await insertIncidents(ch, incidents.flatMap((e, i) => (i % 7 === 0 ? openedThenClosed(e) : [e])), salons);
  const plain = clickhouseStore(ch, clickhouseScores(ch));
  const review = (e: IncidentEvent | undefined, verdict: 'confirm' | 'dismiss', at: number) => {
    assert.ok(e !== undefined);
    return plain.addReview({ incidentId: e.payload.incidentId, salonId: e.salonId, reviewer: 'r', verdict, comment: '', reviewedAt: new Date(at).toISOString() });
  };
  for (const [i, e] of incidents.entries()) if (i % 3 === 0) await review(e, i % 2 === 0 ? 'confirm' : 'dismiss', now - 1000 + (i % 500));

  const sync = new IncidentBookSync(ch, { log: createLogger({}, 'warn'), windowDays: 20, pollMs: 60_000 });
  await sync.start();
  t.after(() => {
    sync.stop();
  });
  assert.ok(sync.book.size > 0 && sync.book.size < incidents.length, `book holds ${sync.book.size} of ${incidents.length}`);
  const booked = withIncidentBook(plain, sync);
  const iso = (ms: number) => new Date(ms).toISOString();
  const [a, b] = salons;
  assert.ok(a !== undefined && b !== undefined);
  const queries: IncidentQuery[] = [
    { salonIds: null, statuses: null, limit: 50 },
    { salonIds: null, statuses: ['pending'], limit: 50 },
    { salonIds: [a.id], statuses: null, limit: 25 },
    { salonIds: [a.id, b.id], statuses: ['confirmed'], limit: 10 },
    { salonIds: null, statuses: null, standard: 'greeting', limit: 40 },
    { salonIds: null, statuses: ['dismissed', 'confirmed'], from: iso(now - 10 * DAY), limit: 30 },
    { salonIds: null, statuses: null, from: iso(now - 30 * DAY), to: iso(now - 5 * DAY), limit: 60 },
    { salonIds: [b.id], statuses: null, to: iso(now - 25 * DAY), limit: 20 },
  ];
  const compare = async (what: string) => {
    for (const q of queries) {
      assert.deepEqual(await booked.incidents(q), await plain.incidents(q), `${what}: first page of ${JSON.stringify(q)}`);
      assert.deepEqual(await walk(booked, q), await walk(plain, q), `${what}: every page of ${JSON.stringify(q)}`);
    }
  };
  await compare('loaded');

  // The sink stores new incidents; another API process stores a review.
  const later = fixtureIncidents({ salons, from: new Date(now - 2 * 3_600_000), to: new Date(now), perSalonPerDay: 3, seed: 4, evidence: [] });
  await insertIncidents(ch, later, salons);
  const recent = incidents.at(-1);
  await review(recent, 'dismiss', now + 5000);
  await sync.refresh();
  assert.ok(sync.lastPoll.states >= later.length, `the poll read ${sync.lastPoll.states} states`);
  // Nothing stored since: the next poll reads no incident again, though the rows are in its margin.
  await sync.refresh();
  assert.equal(sync.lastPoll.states, 0);
  const first = await booked.incidents({ salonIds: null, statuses: null, limit: 500 });
  for (const e of later) assert.ok(first.some((i) => i.incidentId === e.payload.incidentId), `new incident ${e.payload.incidentId} listed`);
  assert.equal(first.find((i) => i.incidentId === recent?.payload.incidentId)?.status, 'dismissed');
  await compare('after a poll');

  // A review through this process shows at once, before any poll.
  const target = later[0];
  assert.ok(target !== undefined);
  await booked.addReview({ incidentId: target.payload.incidentId, salonId: target.salonId, reviewer: 'rita', verdict: 'confirm', comment: 'ok', reviewedAt: iso(Date.now()) });
  const confirmed = await booked.incidents({ salonIds: [target.salonId], statuses: ['confirmed'], limit: 500 });
  assert.ok(confirmed.some((i) => i.incidentId === target.payload.incidentId));
  await compare('after a local review');
});
