/**
 * A real API over a real ClickHouse database of its own (created, migrated with the backbone's
 * migrations, filled with generated fixtures, dropped in `t.after`), and tokens for every role.
 * Not a test file itself: the API's integration tests import it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { connectClickHouse, type ClickHouse } from '../../clickhouse/client.js';
import { loadMigrations, migrate } from '../../clickhouse/migrate.js';
import { ident, sql } from '../../clickhouse/sql.js';
import type { IncidentEvent } from '../../events/schema.js';
import { createVerifier, issueToken, type TokenRequest } from '../../api/auth.js';
import { clickhouseStore, STANDARDS_TABLE_DDL } from '../../api/clickhouse-store.js';
import {
  daysEnding,
  fixtureIncidents,
  fixtureRollups,
  fixtureSalons,
  insertIncidents,
  insertSalons,
  writeFixtureEvidence,
} from '../../api/fixtures.js';
import { startIncidentBook, withIncidentBook } from '../../api/incident-book-sync.js';
import { startScores } from '../../api/scores.js';
import { createLogger } from '../../common/log.js';
import { buildServer } from '../../api/server.js';
import type { SalonRow } from '../../api/store.js';

export const SECRET = 'test-secret-of-at-least-thirty-two-bytes!!';

export interface TestDatabase {
  readonly ch: ClickHouse;
  readonly database: string;
}

/** A fresh database named for this test, migrated; dropped when the test ends. */
export async function testDatabase(t: TestContext): Promise<TestDatabase> {
  const database = `sw_api_test_${randomBytes(6).toString('hex')}`;
  const admin = connectClickHouse();
  await admin.command(sql`CREATE DATABASE ${ident(database)}`);
  const ch = connectClickHouse({ database });
  t.after(async () => {
    await ch.close();
    await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
    await admin.close();
  });
  await migrate(ch, await loadMigrations(), new Date());
  await ch.command(STANDARDS_TABLE_DDL);
  return { ch, database };
}

export interface World {
  readonly ch: ClickHouse;
  readonly app: FastifyInstance;
  readonly evidenceDir: string;
  readonly salons: readonly SalonRow[];
  readonly incidents: readonly IncidentEvent[];
  readonly evidence: readonly string[];
  readonly days: readonly string[];
  readonly tokens: {
    readonly admin: string;
    readonly reviewer: string;
    readonly ownerA: string;
    readonly ownerB: string;
  };
  token(request: Omit<TokenRequest, 'ttlS'> & { ttlS?: number }, nowS?: number): Promise<string>;
}

export interface WorldOptions {
  readonly days?: number;
  readonly perSalonPerDay?: number;
  readonly now?: Date;
}

/**
 * Four salons: partner-1 owns salon-0001 and salon-0003, partner-2 the others; two regions.
 * Owner A is partner-1's owner, owner B partner-2's.
 */
export async function startWorld(t: TestContext, options: WorldOptions = {}): Promise<World> {
  const { ch } = await testDatabase(t);
  const evidenceDir = await mkdtemp(path.join(tmpdir(), 'sw-evidence-'));
  t.after(() => rm(evidenceDir, { recursive: true, force: true }));
  const now = options.now ?? new Date();
  const dayCount = options.days ?? 10;
  const salons = fixtureSalons({ salons: 4, partners: 2, regions: 2 });
  const days = daysEnding(now, dayCount);
  const evidence = await writeFixtureEvidence(evidenceDir, 4, 7);
  const firstDay = days[0] ?? '';
  const incidents = fixtureIncidents({
    salons,
    from: new Date(`${firstDay}T00:00:00Z`),
    to: new Date(Math.min(now.getTime(), Date.parse(`${days.at(-1) ?? ''}T21:00:00Z`))),
    perSalonPerDay: options.perSalonPerDay ?? 1,
    seed: 11,
    evidence,
  });
  await insertSalons(ch, salons, now);
  await ch.insert('rollup_daily', fixtureRollups(salons, days, 5));
  await insertIncidents(ch, incidents, salons);

  const log = createLogger({ component: 'api-test' }, 'warn');
  const scores = await startScores(ch, log);
  t.after(scores.stop);
  const incidentBook = await startIncidentBook(ch, log);
  t.after(() => {
    incidentBook.stop();
  });
  const store = withIncidentBook(clickhouseStore(ch, scores.scores), incidentBook);
  const app = await buildServer({
    store,
    verifier: createVerifier({ kind: 'secret', secret: SECRET }),
    evidenceDir,
  });
  t.after(() => app.close());
  await app.ready();

  const nowS = Math.floor(Date.now() / 1000);
  const token = (request: Omit<TokenRequest, 'ttlS'> & { ttlS?: number }, at = nowS) =>
    issueToken({ ttlS: 3600, ...request }, SECRET, at);
  return {
    ch,
    app,
    evidenceDir,
    salons,
    incidents,
    evidence,
    days,
    token,
    tokens: {
      admin: await token({ role: 'admin' }),
      reviewer: await token({ role: 'reviewer', subject: 'rita' }),
      ownerA: await token({ role: 'owner', partnerId: 'partner-1' }),
      ownerB: await token({ role: 'owner', partnerId: 'partner-2' }),
    },
  };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
