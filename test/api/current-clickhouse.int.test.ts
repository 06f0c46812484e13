/**
 * The API's own SQL on a current ClickHouse: production runs one, the local stack runs 18.16,
 * and the dialects differ. Every statement the store issues is recorded while it runs against
 * 18.16 (the real local server), then replayed on chDB (ClickHouse embedded in a Python wheel)
 * over the same migrations and rows, and must answer with as many rows. The runner is the dashboards' (test/dashboards/chdb_run.py).
 * `SALONWATCH_CHDB_PYTHON` names an interpreter with chdb; default: .state/api-venv/bin/python.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ClickHouse } from '../../clickhouse/client.js';
import { loadMigrations } from '../../clickhouse/migrate.js';
import { joinSql, sql, type Sql, type SqlValue } from '../../clickhouse/sql.js';
import { REPO_ROOT } from '../../common/paths.js';
import { clickhouseStore, STANDARDS_TABLE_DDL } from '../../api/clickhouse-store.js';
import {
  daysEnding,
  fixtureIncidents,
  fixtureRollups,
  fixtureSalons,
  insertIncidents,
  insertSalons,
} from '../../api/fixtures.js';
import { IncidentBookSync } from '../../api/incident-book-sync.js';
import { clickhouseScores } from '../../api/scores.js';
import { createLogger } from '../../common/log.js';
import { testDatabase } from './harness.js';

const python =
  process.env['SALONWATCH_CHDB_PYTHON'] ??
  path.join(REPO_ROOT, '.state', 'api-venv', 'bin', 'python');
const runner = path.join(REPO_ROOT, 'test', 'dashboards', 'chdb_run.py');
const hasChdb =
  existsSync(runner) && spawnSync(python, ['-c', 'import chdb'], { stdio: 'ignore' }).status === 0;

/** Records every query, command and inserted row, passing them on to the real 18.16 server. */
function recording(inner: ClickHouse) {
  const queries: string[] = [];
  const rowCounts: number[] = [];
  const inserts: string[] = [];
  const ch: ClickHouse = {
    database: inner.database,
    command: (statement) => {
      // Writes such as the incident totals' recompute (INSERT ... SELECT) are replayed as setup.
      inserts.push(statement.text);
      return inner.command(statement);
    },
    async query(statement, row) {
      const i = queries.push(statement.text) - 1;
      const rows = await inner.query(statement, row);
      rowCounts[i] = rows.length;
      return rows;
    },
    async insert(table, rows) {
      for (const r of rows) {
        const entries = Object.entries(r as Record<string, SqlValue>);
        const columns = entries.map(([c]) => c).join(', ');
        const values: Sql = joinSql(entries.map(([, v]) => sql`${v}`));
        inserts.push(`INSERT INTO ${table} (${columns}) VALUES (${values.text})`);
      }
      return inner.insert(table, rows);
    },
    insertTabSeparated(table, rows) {
      inserts.push(`INSERT INTO ${table} (${rows.columns.join(', ')}) FORMAT TabSeparated\n${Buffer.from(rows.bytes()).toString('utf8')}`);
      return inner.insertTabSeparated(table, rows);
    },
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { ch, queries, rowCounts, inserts };
}

test(
  'every statement of the API store runs on a current ClickHouse (chDB)',
  { skip: hasChdb ? false : `${python} has no chdb, or ${runner} is missing` },
  async (t) => {
    const { ch: real } = await testDatabase(t);
    const { ch, queries, rowCounts, inserts } = recording(real);
    const now = new Date('2026-11-20T12:00:00.000Z');
    const salons = fixtureSalons({ salons: 3, partners: 2, regions: 2 });
    const days = daysEnding(now, 5);
    const incidents = fixtureIncidents({
      salons,
      from: new Date(`${days[0] ?? ''}T00:00:00Z`),
      to: now,
      perSalonPerDay: 2,
      seed: 3,
      evidence: ['a'.repeat(64)],
    });
    await insertSalons(ch, salons, now);
    await ch.insert('rollup_daily', fixtureRollups(salons, days, 1));
    await insertIncidents(ch, incidents, salons);

    const store = clickhouseStore(ch, clickhouseScores(ch));
    const first = incidents[0]?.payload.incidentId ?? '';
    await store.ping();
    await store.salons();
    await store.addReview({
      incidentId: first,
      salonId: incidents[0]?.salonId ?? '',
      reviewer: 'r',
      verdict: 'dismiss',
      comment: "it's fine",
      reviewedAt: now.toISOString(),
    });
    await store.saveStandards({ queue: { maxLength: 4 } }, 'admin', now.toISOString());
    await store.standards();
    const page = await store.incidents({ salonIds: null, statuses: ['pending'], limit: 5 });
    await store.incidents({
      salonIds: ['salon-0001'],
      statuses: null,
      standard: 'greeting',
      from: `${days[0] ?? ''}T00:00:00Z`,
      limit: 3,
    });
    const last = page.at(-1);
    if (last !== undefined)
      await store.incidents({ salonIds: null, statuses: null, after: last, limit: 5 });
    assert.ok((await store.incident(first))?.reviews.length === 1);
    await store.dailyScores('salon-0001', days[0] ?? '', days.at(-1) ?? '');
    await store.salonRanking(days[0] ?? '', days.at(-1) ?? '', 'region-1');
    await store.regionRanking(days[0] ?? '', days.at(-1) ?? '');
    // The incident book's load and polls (the second poll finds its arrival counts unchanged).
    const book = new IncidentBookSync(ch, { log: createLogger({}, 'warn'), pollMs: 60_000 });
    await book.start();
    book.stop();
    await book.refresh();
    await book.refresh();
    assert.ok(book.book.size > 0);

    const setup = [
      ...(await loadMigrations()).flatMap((m) => m.statements),
      STANDARDS_TABLE_DDL.text,
      ...inserts,
    ];
    const request = JSON.stringify({
      setup,
      queries: queries.map((q, i) => ({ key: String(i), sql: q })),
    });
    const result = spawnSync(python, [runner], {
      input: request,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr);
    const answer = JSON.parse(result.stdout) as {
      version: string;
      results: { key: string; error?: string; rows?: number }[];
    };
    t.diagnostic(`chDB ClickHouse ${answer.version}: ${answer.results.length} statements`);
    const failures = answer.results
      .filter((r) => r.error !== undefined)
      .map(
        (r) =>
          `${queries[Number(r.key)]?.replace(/\s+/g, ' ').slice(0, 300) ?? ''}\n  -> ${r.error ?? ''}`,
      );
    assert.deepEqual(failures, []);
    // Same data, same statements: the same number of rows on both releases.
    assert.deepEqual(
      answer.results.map((r) => r.rows),
      rowCounts,
    );
  },
);
