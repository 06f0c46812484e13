import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVerifier, issueToken } from '../../api/auth.js';
import { buildServer } from '../../api/server.js';
import type { ApiStore } from '../../api/store.js';
import { SalonwatchError } from '../../common/errors.js';

const SECRET = 'server-unit-test-secret-32-bytes-long';

/** A store with no database: enough for the public routes and the error paths. */
function store(reachable: boolean): ApiStore {
  const down = () =>
    Promise.reject(
      new SalonwatchError(
        'CLICKHOUSE_UNAVAILABLE',
        'connect ECONNREFUSED 127.0.0.1:18123 (SELECT secret FROM x)',
      ),
    );
  return {
    ping: () => (reachable ? Promise.resolve() : down()),
    salons: () =>
      Promise.resolve([{ id: 's1', name: 'S', partnerId: 'p1', regionId: 'r1', timeZone: 'UTC' }]),
    dailyScores: down,
    salonRanking: down,
    regionRanking: down,
    incidents: down,
    incident: down,
    addReview: down,
    standards: down,
    saveStandards: down,
    close: () => Promise.resolve(),
  };
}

test('health, readiness, metrics, OpenAPI and the web app are served without a token', async (t) => {
  for (const reachable of [true, false]) {
    const app = await buildServer({
      store: store(reachable),
      verifier: createVerifier({ kind: 'secret', secret: SECRET }),
      evidenceDir: '/nonexistent',
    });
    t.after(() => app.close());
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    const ready = await app.inject('/readyz');
    assert.equal(ready.statusCode, reachable ? 200 : 503);
    const metrics = await app.inject('/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(
      metrics.body,
      /salonwatch_api_request_duration_seconds_bucket\{[^}]*route="\/readyz"/,
    );
    const doc = await app.inject('/docs/json');
    assert.equal(doc.json<{ openapi: string }>().openapi, '3.1.0');
    const index = await app.inject('/');
    assert.match(index.body, /<script type="module" src="\/app.js">/);
    assert.match(String(index.headers['content-security-policy']), /script-src 'self'/);
  }
});

test('a database failure is a 503 that names no SQL, host or port', async (t) => {
  const app = await buildServer({
    store: store(false),
    verifier: createVerifier({ kind: 'secret', secret: SECRET }),
    evidenceDir: '/nonexistent',
  });
  t.after(() => app.close());
  const token = await issueToken(
    { role: 'admin', ttlS: 60 },
    SECRET,
    Math.floor(Date.now() / 1000),
  );
  const response = await app.inject({
    url: '/api/v1/incidents',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.statusCode, 503);
  assert.equal(response.json<{ code: string }>().code, 'CLICKHOUSE_UNAVAILABLE');
  assert.doesNotMatch(response.body, /SELECT|18123|ECONNREFUSED/);
  assert.equal(
    (await app.inject({ url: '/api/v1/nope', headers: { authorization: `Bearer ${token}` } }))
      .statusCode,
    404,
  );
});
