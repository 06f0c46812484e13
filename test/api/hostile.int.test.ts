/**
 * Hostile input against the real API and database: SQL injection in every parameter, path
 * traversal in evidence ids, oversize and malformed bodies, bad tokens. Nothing may answer 5xx,
 * nothing may return data it should not, and the tables must be intact afterwards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { SignJWT } from 'jose';
import { sql } from '../../clickhouse/sql.js';
import { AUDIENCE, ISSUER } from '../../api/auth.js';
import { bearer, SECRET, startWorld } from './harness.js';

const INJECTIONS = [
  "' OR '1'='1",
  "salon-0001' OR 1=1 --",
  "'; DROP TABLE incidents; --",
  '1) UNION ALL SELECT name, name, name, name, name FROM system.tables --',
  "\\' OR 1=1 #",
  'salon-0001\\',
  '" OR ""="',
  '%27%20OR%201%3D1',
  'salon-0001\u0000',
  '\u2019 OR 1=1',
  "salon-0001'||'",
  "x'); SELECT sleep(3); --",
];

const TRAVERSALS = [
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  `${'0'.repeat(62)}..`,
  `..${'/'.repeat(62)}`,
  `${'a'.repeat(64)}/../../../etc/passwd`,
  'A'.repeat(64),
  `${'a'.repeat(64)}.jpg`,
  `${'a'.repeat(64)}%00`,
  '....//....//etc/passwd',
];

test('hostile input: injection, traversal, oversize and malformed bodies, bad tokens', async (t) => {
  const world = await startWorld(t);
  const { app, ch } = world;
  const admin = bearer(world.tokens.admin);
  const [from, to] = [world.days[0] ?? '', world.days.at(-1) ?? ''];
  const incident = world.incidents.find((e) => e.payload.evidence.length > 0);
  assert.ok(incident);
  const incidentId = incident.payload.incidentId;
  const countIncidents = async () =>
    Number(
      (
        await ch.query(sql`SELECT count() AS n FROM incidents`, Type.Object({ n: Type.String() }))
      )[0]?.n,
    );
  const before = await countIncidents();

  const statuses = new Map<number, number>();
  const hit = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = admin,
  ) => {
    const response = await app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    assert.ok(
      response.statusCode < 500,
      `${method} ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`,
    );
    return response;
  };
  const q = encodeURIComponent;

  for (const bad of INJECTIONS) {
    const e = q(bad);
    // Path parameters: refused by their patterns before any query runs.
    for (const url of [
      `/api/v1/salons/${e}`,
      `/api/v1/salons/${e}/scores?from=${from}&to=${to}`,
      `/api/v1/incidents/${e}`,
      `/api/v1/incidents/${e}/evidence/${'a'.repeat(64)}`,
    ]) {
      const r = await hit('GET', url);
      assert.ok([400, 404].includes(r.statusCode), `${url}: ${r.statusCode}`);
    }
    assert.ok(
      [400, 404].includes(
        (await hit('POST', `/api/v1/incidents/${e}/reviews`, { verdict: 'confirm', comment: 'x' }))
          .statusCode,
      ),
    );
    // Query parameters.
    for (const url of [
      `/api/v1/salons/salon-0001/scores?from=${e}&to=${to}`,
      `/api/v1/salons/salon-0001/scores?from=${from}&to=${e}`,
      `/api/v1/rankings/salons?from=${from}&to=${to}&regionId=${e}`,
      `/api/v1/rankings/salons?from=${e}&to=${to}`,
      `/api/v1/rankings/regions?from=${from}&to=${e}`,
      `/api/v1/incidents?salonId=${e}`,
      `/api/v1/incidents?standard=${e}`,
      `/api/v1/incidents?status=${e}`,
      `/api/v1/incidents?from=${e}`,
      `/api/v1/incidents?to=${e}`,
      `/api/v1/incidents?cursor=${e}`,
      `/api/v1/incidents?cursor=${Buffer.from(JSON.stringify([bad, bad])).toString('base64url')}`,
      `/api/v1/incidents?limit=${e}`,
      `/api/v1/incidents?${e}=1`,
    ]) {
      assert.equal((await hit('GET', url)).statusCode, 400, url);
    }
    // Body fields: an enum refuses it; free text is stored as text, exactly.
    assert.equal(
      (await hit('POST', `/api/v1/incidents/${incidentId}/reviews`, { verdict: bad, comment: '' }))
        .statusCode,
      400,
    );
    const stored = await hit('POST', `/api/v1/incidents/${incidentId}/reviews`, {
      verdict: 'confirm',
      comment: bad,
    });
    assert.equal(stored.statusCode, 201);
    assert.equal(
      stored.json<{ reviews: { comment: string }[] }>().reviews.at(-1)?.comment,
      bad,
      'the comment reads back verbatim',
    );
    assert.equal(
      (await hit('PUT', '/api/v1/standards', { queue: { maxLength: bad } })).statusCode,
      400,
    );
    assert.equal((await hit('PUT', '/api/v1/standards', { [bad]: {} })).statusCode, 400);
  }
  // A region id that is well formed but unknown ranks nothing, and leaks nothing.
  const unknownRegion = await hit(
    'GET',
    `/api/v1/rankings/salons?from=${from}&to=${to}&regionId=region-9`,
  );
  assert.deepEqual(unknownRegion.json<{ entries: unknown[] }>().entries, []);

  for (const bad of TRAVERSALS) {
    for (const url of [
      `/api/v1/incidents/${incidentId}/evidence/${bad}`,
      `/api/v1/incidents/${incidentId}/evidence/${q(bad)}`,
    ]) {
      const r = await hit('GET', url);
      assert.ok([400, 404].includes(r.statusCode), `${url}: ${r.statusCode}`);
      assert.notEqual(r.headers['content-type'], 'image/jpeg');
      assert.ok(!r.body.includes('root:'), 'no file content');
    }
  }
  // A real snapshot id that this incident does not name opens nothing either.
  const other = world.evidence.find(
    (sha) => !incident.payload.evidence.some((e) => e.sha256 === sha),
  );
  assert.ok(other);
  assert.equal(
    (await hit('GET', `/api/v1/incidents/${incidentId}/evidence/${other}`)).statusCode,
    404,
  );

  // Oversize bodies: 413 before anything is parsed.
  const big = await hit('POST', `/api/v1/incidents/${incidentId}/reviews`, {
    verdict: 'dismiss',
    comment: 'x'.repeat(200_000),
  });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json<{ code: string }>().code, 'BODY_TOO_LARGE');
  assert.equal(
    (
      await hit('PUT', '/api/v1/standards', {
        roles: { uniformColours: Array(50_000).fill('#ffffff') },
      })
    ).statusCode,
    413,
  );
  // Within the byte limit but over the field limit: 400 naming the field.
  const long = await hit('POST', `/api/v1/incidents/${incidentId}/reviews`, {
    verdict: 'dismiss',
    comment: 'x'.repeat(3000),
  });
  assert.equal(long.statusCode, 400);
  assert.match(long.json<{ message: string }>().message, /body\/comment/);

  // Malformed JSON and wrong fields: 400, naming the field where there is one.
  const json = { ...admin, 'content-type': 'application/json' };
  const malformed = await app.inject({
    method: 'POST',
    url: `/api/v1/incidents/${incidentId}/reviews`,
    headers: json,
    payload: '{"verdict": "confirm", "comment": ',
  });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json<{ code: string }>().code, 'INPUT_INVALID');
  for (const [payload, field] of [
    [{ verdict: 'maybe', comment: '' }, 'body/verdict'],
    [{ comment: '' }, 'body/verdict'],
    [{ verdict: 'confirm', comment: 5 }, 'body/comment'],
    [{ verdict: 'confirm', comment: '', colour: 'red' }, 'body/colour'],
  ] as const) {
    const r = await hit('POST', `/api/v1/incidents/${incidentId}/reviews`, payload);
    assert.equal(r.statusCode, 400);
    assert.match(r.json<{ message: string }>().message, new RegExp(field), JSON.stringify(payload));
  }
  const badStandards = await hit('PUT', '/api/v1/standards', { queue: { maxLength: -1 } });
  assert.equal(badStandards.statusCode, 400);
  assert.match(badStandards.json<{ message: string }>().message, /body\/queue\/maxLength/);
  const weights = await hit('PUT', '/api/v1/standards', {
    weights: {
      greeting: 0,
      queue_length: 0,
      waiting_time: 0,
      staff_presence: 0,
      camera_coverage: 0,
    },
  });
  assert.equal(weights.statusCode, 422, 'valid shape, invalid meaning');
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/v1/incidents/${incidentId}/reviews`,
        headers: { ...admin, 'content-type': 'text/plain' },
        payload: 'confirm',
      })
    ).statusCode,
    415,
  );

  // Tokens: expired, forged, unsigned, tampered, missing, and an owner without a partner.
  const now = Math.floor(Date.now() / 1000);
  const key = new TextEncoder().encode(SECRET);
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ role: 'admin', sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: now + 60 })).toString('base64url')}.`;
  const reviewerToken = world.tokens.reviewer.split('.');
  const tampered = [
    reviewerToken[0],
    Buffer.from(
      JSON.stringify({ role: 'admin', sub: 'rita', iss: ISSUER, aud: AUDIENCE, exp: now + 60 }),
    ).toString('base64url'),
    reviewerToken[2],
  ].join('.');
  const tokens = {
    expired: await world.token({ role: 'admin', ttlS: 60 }, now - 7200),
    forged: await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode('a-different-secret-of-32-bytes-or-more')),
    unsigned,
    tampered,
    ownerWithoutPartner: await new SignJWT({ role: 'owner' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(key),
  };
  for (const [name, token] of Object.entries(tokens)) {
    for (const url of ['/api/v1/salons', `/api/v1/incidents/${incidentId}`]) {
      const r = await hit('GET', url, undefined, bearer(token));
      assert.equal(r.statusCode, 401, `${name} token on ${url}`);
      assert.equal(r.json<{ code: string }>().code, 'UNAUTHORIZED');
    }
  }
  for (const header of [
    {},
    { authorization: 'Basic YWRtaW46YWRtaW4=' },
    { authorization: 'Bearer not-a-jwt' },
    { authorization: `Bearer ${world.tokens.admin}'--` },
  ]) {
    assert.equal((await hit('GET', '/api/v1/salons', undefined, header)).statusCode, 401);
  }
  // An anonymous oversize body is refused as unauthenticated, before it is read.
  assert.equal(
    (
      await hit(
        'POST',
        `/api/v1/incidents/${incidentId}/reviews`,
        { verdict: 'dismiss', comment: 'x'.repeat(200_000) },
        {},
      )
    ).statusCode,
    401,
  );

  assert.equal(await countIncidents(), before, 'the incidents table is intact');
  assert.ok((statuses.get(400) ?? 0) > 100, 'most hostile requests were refused by validation');
});
