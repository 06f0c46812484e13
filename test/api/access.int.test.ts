/**
 * The access matrix: every route of the OpenAPI document, called by every role, for a salon,
 * incident and evidence of the caller's own partner and of the other partner. An owner must get
 * 403 or 404 for anything of the other partner, and the body must carry none of its data.
 * The test fails when a route is added without a row here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { IncidentEvent } from '../../events/schema.js';
import { bearer, startWorld, type World } from './harness.js';

type Who = 'anonymous' | 'admin' | 'reviewer' | 'ownerA';
type Side = 'A' | 'B';

interface Case {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** OpenAPI path, e.g. `/api/v1/salons/{salonId}`. */
  readonly route: string;
  readonly url: (side: Side) => string;
  readonly body?: unknown;
  /** Expected status per caller, for side A (owner A's own partner) and side B (the other one). */
  readonly expect: Record<Who, readonly [number, number]>;
}

const staffOk = (status = 200) =>
  ({ admin: [status, status], reviewer: [status, status] }) as const;

function pick(world: World, salonId: string): IncidentEvent {
  const incident = world.incidents.find(
    (e) => e.salonId === salonId && e.payload.evidence.length > 0,
  );
  assert.ok(incident, `fixture has an incident with evidence in ${salonId}`);
  return incident;
}

test('access matrix: every route, every role, own partner and the other one', async (t) => {
  const world = await startWorld(t);
  const [from, to] = [world.days[0] ?? '', world.days.at(-1) ?? ''];
  const salon = { A: 'salon-0001', B: 'salon-0002' } as const;
  const incident = { A: pick(world, salon.A), B: pick(world, salon.B) };
  const pending = world.incidents.find(
    (e) => e.salonId === salon.A && e.payload.incidentId !== incident.A.payload.incidentId,
  );
  assert.ok(pending);
  const sha = (side: Side) => incident[side].payload.evidence[0]?.sha256 ?? '';
  const id = (side: Side) => incident[side].payload.incidentId;

  // Owners see confirmed incidents only: confirm both, so that B's is hidden from owner A by
  // partner alone, not by status.
  for (const side of ['A', 'B'] as const) {
    const confirmed = await world.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${id(side)}/reviews`,
      headers: bearer(world.tokens.admin),
      payload: { verdict: 'confirm', comment: 'setup' },
    });
    assert.equal(confirmed.statusCode, 201, confirmed.body);
  }

  const own = (status = 200) =>
    ({ ...staffOk(status), anonymous: [401, 401], ownerA: [status, 404] }) as const;
  const cases: Case[] = [
    {
      method: 'GET',
      route: '/api/v1/me',
      url: () => '/api/v1/me',
      expect: { ...staffOk(), anonymous: [401, 401], ownerA: [200, 200] },
    },
    {
      method: 'GET',
      route: '/api/v1/salons',
      url: () => '/api/v1/salons',
      expect: { ...staffOk(), anonymous: [401, 401], ownerA: [200, 200] },
    },
    {
      method: 'GET',
      route: '/api/v1/salons/{salonId}',
      url: (s) => `/api/v1/salons/${salon[s]}`,
      expect: own(),
    },
    {
      method: 'GET',
      route: '/api/v1/salons/{salonId}/scores',
      url: (s) => `/api/v1/salons/${salon[s]}/scores?from=${from}&to=${to}`,
      expect: own(),
    },
    {
      method: 'GET',
      route: '/api/v1/rankings/salons',
      url: (s) =>
        `/api/v1/rankings/salons?from=${from}&to=${to}&regionId=${s === 'A' ? 'region-1' : 'region-2'}`,
      expect: { ...staffOk(), anonymous: [401, 401], ownerA: [200, 200] },
    },
    {
      method: 'GET',
      route: '/api/v1/rankings/regions',
      url: () => `/api/v1/rankings/regions?from=${from}&to=${to}`,
      expect: { ...staffOk(), anonymous: [401, 401], ownerA: [200, 200] },
    },
    {
      method: 'GET',
      route: '/api/v1/incidents',
      url: (s) => `/api/v1/incidents?salonId=${salon[s]}`,
      expect: own(),
    },
    {
      method: 'GET',
      route: '/api/v1/incidents/{incidentId}',
      url: (s) => `/api/v1/incidents/${id(s)}`,
      expect: own(),
    },
    {
      method: 'GET',
      route: '/api/v1/incidents/{incidentId}/evidence/{sha256}',
      url: (s) => `/api/v1/incidents/${id(s)}/evidence/${sha(s)}`,
      expect: own(),
    },
    {
      method: 'POST',
      route: '/api/v1/incidents/{incidentId}/reviews',
      url: (s) => `/api/v1/incidents/${id(s)}/reviews`,
      body: { verdict: 'confirm', comment: 'matrix' },
      expect: { ...staffOk(201), anonymous: [401, 401], ownerA: [403, 403] },
    },
    {
      method: 'GET',
      route: '/api/v1/standards',
      url: () => '/api/v1/standards',
      expect: { ...staffOk(), anonymous: [401, 401], ownerA: [200, 200] },
    },
    {
      method: 'PUT',
      route: '/api/v1/standards',
      url: () => '/api/v1/standards',
      body: { queue: { maxLength: 4 } },
      expect: {
        admin: [200, 200],
        reviewer: [403, 403],
        anonymous: [401, 401],
        ownerA: [403, 403],
      },
    },
  ];

  // Every documented route has a row, and nothing else is under /api/v1.
  await world.app.ready();
  const documented = Object.entries(
    (world.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths,
  )
    .flatMap(([route, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${route}`))
    .filter((r) => r.includes(' /api/v1/'))
    .sort();
  assert.deepEqual(documented, cases.map((c) => `${c.method} ${c.route}`).sort());

  const tokens: Record<Who, string | undefined> = {
    anonymous: undefined,
    admin: world.tokens.admin,
    reviewer: world.tokens.reviewer,
    ownerA: world.tokens.ownerA,
  };
  // Data of partner-2 that must never reach owner A (salon ids, incident ids, partner id).
  const foreign = ['salon-0002', 'salon-0004', 'partner-2', id('B')];

  const call = (c: Case, side: Side, token: string | undefined): Promise<LightMyRequestResponse> =>
    world.app.inject({
      method: c.method,
      url: c.url(side),
      headers: token === undefined ? {} : bearer(token),
      ...(c.body === undefined ? {} : { payload: c.body as object }),
    });

  for (const c of cases) {
    for (const who of Object.keys(tokens) as Who[]) {
      for (const [i, side] of (['A', 'B'] as const).entries()) {
        const response = await call(c, side, tokens[who]);
        const expected = c.expect[who][i];
        assert.equal(
          response.statusCode,
          expected,
          `${who} ${c.method} ${c.url(side)}: ${response.body.slice(0, 200)}`,
        );
        if (response.statusCode >= 400) {
          assert.deepEqual(
            Object.keys(response.json<object>()).sort(),
            ['code', 'message'],
            'an error carries no data',
          );
        }
        if (who === 'ownerA') {
          const text = response.rawPayload.toString('latin1');
          for (const secret of foreign)
            assert.ok(
              !text.includes(secret),
              `owner A received ${secret} from ${c.method} ${c.url(side)}`,
            );
          if (c.route.includes('/evidence/') && side === 'B')
            assert.notEqual(response.headers['content-type'], 'image/jpeg');
        }
      }
    }
  }

  // The lists an owner gets are theirs, and of their incidents only the confirmed ones.
  const salons = await world.app.inject({
    url: '/api/v1/salons',
    headers: bearer(world.tokens.ownerA),
  });
  assert.deepEqual(
    salons.json<{ items: { id: string }[] }>().items.map((s) => s.id),
    ['salon-0001', 'salon-0003'],
  );
  const list = await world.app.inject({
    url: '/api/v1/incidents?limit=200',
    headers: bearer(world.tokens.ownerA),
  });
  const items = list.json<{ items: { incidentId: string; salonId: string; status: string }[] }>()
    .items;
  assert.deepEqual(
    items.map((i) => i.incidentId),
    [id('A')],
  );
  const hidden = await world.app.inject({
    url: `/api/v1/incidents/${pending.payload.incidentId}`,
    headers: bearer(world.tokens.ownerA),
  });
  assert.equal(
    hidden.statusCode,
    404,
    'an unreviewed incident of the own salon is not shown to the owner',
  );
  const ownerB = await world.app.inject({
    url: `/api/v1/incidents/${id('B')}`,
    headers: bearer(world.tokens.ownerB),
  });
  assert.equal(
    ownerB.statusCode,
    200,
    'the other owner does see it: the 404 above was about the partner',
  );
  const ranking = await world.app.inject({
    url: `/api/v1/rankings/salons?from=${from}&to=${to}`,
    headers: bearer(world.tokens.ownerA),
  });
  const body = ranking.json<{ total: number; entries: { salonId: string }[] }>();
  assert.equal(body.total, 4);
  assert.deepEqual(body.entries.map((e) => e.salonId).sort(), ['salon-0001', 'salon-0003']);
});
