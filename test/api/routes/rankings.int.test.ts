import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localDay } from '../../../sink/local-day.js';
import { bearer, startWorld } from '../harness.js';

interface Ranking {
  total: number;
  entries: { salonId: string; rank: number; score: number }[];
}

// Staff callers share one serialised network ranking while the data stays the same; these
// check that sharing it never changes what anyone gets.
test('the network ranking: staff share one body, owners get their own, new data a new body', async (t) => {
  const world = await startWorld(t, { perSalonPerDay: 3 });
  const incident = world.incidents.find(
    (e) => e.salonId === 'salon-0001' && e.payload.standard === 'greeting',
  );
  assert.ok(incident);
  const day = localDay(Date.parse(incident.payload.startedAt), 'Europe/Moscow');
  const rankingFor = (token: string) =>
    world.app.inject({
      url: `/api/v1/rankings/salons?from=${day}&to=${day}`,
      headers: bearer(token),
    });

  const first = await rankingFor(world.tokens.reviewer);
  const again = await rankingFor(world.tokens.reviewer);
  const admin = await rankingFor(world.tokens.admin);
  for (const response of [first, again, admin]) {
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json; charset=utf-8/);
  }
  assert.equal(again.body, first.body, 'the same answer for the same data');
  assert.equal(admin.body, first.body, 'every staff caller sees every salon');
  const staff = first.json<Ranking>();
  assert.equal(staff.total, 4);
  assert.equal(staff.entries.length, 4);

  // An owner asking after staff gets only their partner's salons, not the kept body.
  const owner = (await rankingFor(world.tokens.ownerA)).json<Ranking>();
  assert.equal(owner.total, 4);
  assert.deepEqual(owner.entries.map((e) => e.salonId).sort(), ['salon-0001', 'salon-0003']);

  // A dismissal changes the data: the next staff answer is computed afresh.
  const scoreOf = (r: Ranking) => r.entries.find((e) => e.salonId === 'salon-0001')?.score ?? -1;
  const reviewed = await world.app.inject({
    method: 'POST',
    url: `/api/v1/incidents/${incident.payload.incidentId}/reviews`,
    headers: bearer(world.tokens.reviewer),
    payload: { verdict: 'dismiss', comment: 'a courier, not a customer' },
  });
  assert.equal(reviewed.statusCode, 201);
  const after = (await rankingFor(world.tokens.reviewer)).json<Ranking>();
  assert.ok(
    scoreOf(after) > scoreOf(staff),
    `salon-0001 scores higher after the dismissal: ${scoreOf(staff)} -> ${scoreOf(after)}`,
  );
});
