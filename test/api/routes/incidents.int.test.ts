import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localDay } from '../../../sink/local-day.js';
import { bearer, startWorld } from '../harness.js';

interface Page {
  items: {
    incidentId: string;
    startedAt: string;
    salonId: string;
    standard: string;
    status: string;
  }[];
  nextCursor: string | null;
}

test('cursor paging visits every incident once, newest first, and filters combine', async (t) => {
  const world = await startWorld(t, { perSalonPerDay: 2 });
  const headers = bearer(world.tokens.reviewer);
  const seen: Page['items'] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/v1/incidents?limit=7${cursor === null ? '' : `&cursor=${cursor}`}`;
    const page: Page = (await world.app.inject({ url, headers })).json<Page>();
    seen.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 100);
  const ids = seen.map((i) => i.incidentId);
  assert.equal(new Set(ids).size, ids.length, 'no incident twice');
  assert.deepEqual(
    new Set(ids),
    new Set(world.incidents.map((e) => e.payload.incidentId)),
    'every incident once',
  );
  const order = seen.map((i) => `${i.startedAt}|${i.incidentId}`);
  assert.deepEqual(order, [...order].sort().reverse(), 'newest first');

  const filtered = (
    await world.app.inject({
      url: '/api/v1/incidents?salonId=salon-0003&standard=greeting&limit=200',
      headers,
    })
  ).json<Page>().items;
  const expected = world.incidents.filter(
    (e) => e.salonId === 'salon-0003' && e.payload.standard === 'greeting',
  );
  assert.equal(filtered.length, expected.length);
  assert.ok(filtered.every((i) => i.salonId === 'salon-0003' && i.standard === 'greeting'));

  const middle = seen[Math.floor(seen.length / 2)]?.startedAt ?? '';
  const older = (
    await world.app.inject({ url: `/api/v1/incidents?to=${middle}&limit=200`, headers })
  ).json<Page>().items;
  assert.equal(older.length, seen.filter((i) => i.startedAt < middle).length);
});

test('a dismissal leaves the score at once; reviews append and the newest decides', async (t) => {
  const world = await startWorld(t, { perSalonPerDay: 3 });
  const reviewer = bearer(world.tokens.reviewer);
  const owner = bearer(world.tokens.ownerA);
  const incident = world.incidents.find(
    (e) => e.salonId === 'salon-0001' && e.payload.standard === 'greeting',
  );
  assert.ok(incident);
  const day = localDay(Date.parse(incident.payload.startedAt), 'Europe/Moscow');
  const scoreOf = async () => {
    const response = await world.app.inject({
      url: `/api/v1/salons/salon-0001/scores?from=${day}&to=${day}`,
      headers: owner,
    });
    const body = response.json<{
      days: { day: string; score: number | null; standards: { greeting: number | null } }[];
    }>();
    return body.days[0];
  };
  const review = (verdict: 'confirm' | 'dismiss', comment: string) =>
    world.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incident.payload.incidentId}/reviews`,
      headers: reviewer,
      payload: { verdict, comment },
    });

  const before = await scoreOf();
  assert.ok(
    before?.score !== null && before?.score !== undefined && before.score < 100,
    'the incident lowers the score',
  );
  assert.equal((await review('dismiss', 'customer was a courier')).statusCode, 201);
  const dismissed = await scoreOf();
  assert.ok(
    (dismissed?.score ?? 0) > before.score,
    `score rose after the dismissal: ${before.score} -> ${dismissed?.score ?? 'none'}`,
  );
  assert.ok((dismissed?.standards.greeting ?? 0) > (before.standards.greeting ?? 1));

  assert.equal((await review('confirm', 'second look: no greeting')).statusCode, 201);
  assert.equal((await scoreOf())?.score, before.score, 'confirmed again: counts again');
  const third = await review('dismiss', 'final');
  const detail = third.json<{
    status: string;
    reviews: { verdict: string; comment: string; reviewer: string }[];
  }>();
  assert.equal(detail.status, 'dismissed');
  assert.deepEqual(
    detail.reviews.map((r) => [r.verdict, r.reviewer]),
    [
      ['dismiss', 'rita'],
      ['confirm', 'rita'],
      ['dismiss', 'rita'],
    ],
  );
  assert.equal((await scoreOf())?.score, dismissed?.score);
});

test('standards: an admin change of the weights changes the scores; the merged result must validate', async (t) => {
  const world = await startWorld(t, { perSalonPerDay: 3 });
  const admin = bearer(world.tokens.admin);
  const url = `/api/v1/salons/salon-0002/scores?from=${world.days[0] ?? ''}&to=${world.days.at(-1) ?? ''}`;
  const scores = async () =>
    (await world.app.inject({ url, headers: admin }))
      .json<{ days: { score: number | null }[] }>()
      .days.map((d) => d.score);
  const before = await scores();
  const onlyCamera = {
    weights: {
      greeting: 0,
      queue_length: 0,
      waiting_time: 0,
      staff_presence: 0,
      camera_coverage: 1,
    },
  };
  const put = await world.app.inject({
    method: 'PUT',
    url: '/api/v1/standards',
    headers: admin,
    payload: onlyCamera,
  });
  assert.equal(put.statusCode, 200, put.body);
  const body = put.json<{
    effective: { weights: { camera_coverage: number } };
    updatedBy: string;
  }>();
  assert.equal(body.effective.weights.camera_coverage, 1);
  assert.equal(body.updatedBy, 'admin');
  const after = await scores();
  assert.notDeepEqual(after, before);
  const read = await world.app.inject({
    url: '/api/v1/standards',
    headers: bearer(world.tokens.ownerB),
  });
  assert.deepEqual(read.json<{ override: unknown }>().override, onlyCamera);
});
