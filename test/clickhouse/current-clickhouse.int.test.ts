/**
 * The backbone's DDL and rollup SQL on a current ClickHouse: production runs one, the local
 * stack runs 18.16. All migrations, the sink's rows and the rollup recomputes run on chDB
 * (current ClickHouse in a Python wheel, via test/dashboards/chdb_run.py), and the rollups must
 * add up to the generated events there too. Skipped when no interpreter with chdb is found
 * (`SALONWATCH_CHDB_PYTHON`, default .state/api-venv/bin/python, set up by infra/bootstrap.sh).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadMigrations } from '../../clickhouse/migrate.js';
import { dailyRecomputeSql, hourlyRecomputeSql, incidentDailyRecomputeSql, touchedKeys } from '../../clickhouse/rollups.js';
import { REPO_ROOT } from '../../common/paths.js';
import { generateEvents } from '../../events/generate.js';
import type { IncidentEvent } from '../../events/schema.js';
import { eventRow, incidentDayRows } from '../../sink/rows.js';
import { expectedTotals } from '../sink/helpers.js';

const python = process.env['SALONWATCH_CHDB_PYTHON'] ?? path.join(REPO_ROOT, '.state', 'api-venv', 'bin', 'python');
const runner = path.join(REPO_ROOT, 'test', 'dashboards', 'chdb_run.py');
const hasChdb = existsSync(runner) && spawnSync(python, ['-c', 'import chdb'], { stdio: 'ignore' }).status === 0;

interface Answer {
  version: string;
  results: ({ key: string; rows: number } | { key: string; error: string })[];
}

void test('migrations and rollup recomputes run on current ClickHouse and add up', { skip: hasChdb ? false : 'no python with chdb' }, async () => {
  const events = [...generateEvents({ count: 2000, salons: 5, seed: 5, startMs: Date.parse('2026-11-20T18:00:00.000Z'), stepMs: 5000 })];
  const rows = events.map((e) => eventRow(e, 'Europe/Moscow'));
  const days = events.filter((e): e is IncidentEvent => e.type === 'incident').flatMap((e) => incidentDayRows(e, 'Europe/Moscow'));
  const setup = (await loadMigrations()).flatMap((m) => [...m.statements]);
  // Twice, as after a redelivery.
  for (let i = 0; i < 2; i++) {
    setup.push(`INSERT INTO events FORMAT JSONEachRow ${rows.map((r) => JSON.stringify(r)).join('\n')}`);
    setup.push(`INSERT INTO incident_days FORMAT JSONEachRow ${days.map((r) => JSON.stringify(r)).join('\n')}`);
  }
  const { hours, days: touchedDays } = touchedKeys(rows);
  for (const [hour, salons] of hours) setup.push(hourlyRecomputeSql([...salons], hour, 2).text);
  for (const [day, salons] of touchedDays) setup.push(dailyRecomputeSql([...salons], day, 2).text);
  const incidentDays = new Set(days.map((d) => d.localDate));
  const salons = [...new Set(days.map((d) => d.salonId))];
  for (const day of incidentDays) setup.push(incidentDailyRecomputeSql(salons, day, 2).text);
  // One incident dismissed (its newest review), then its days recomputed as the review store does.
  const dismissed = days[0];
  assert.ok(dismissed !== undefined);
  setup.push(
    `INSERT INTO incident_reviews FORMAT JSONEachRow ${JSON.stringify({ incidentId: dismissed.incidentId, salonId: dismissed.salonId, reviewer: 'r', reviewedAt: 1_800_000_000, reviewedMs: 0, verdict: 'confirm', comment: '' })}
${JSON.stringify({ incidentId: dismissed.incidentId, salonId: dismissed.salonId, reviewer: 'r', reviewedAt: 1_800_000_000, reviewedMs: 1, verdict: 'dismiss', comment: '' })}`,
  );
  for (const d of days.filter((d) => d.incidentId === dismissed.incidentId)) setup.push(incidentDailyRecomputeSql([d.salonId], d.localDate, 1).text);
  const dismissedOpened = days.filter((d) => d.incidentId === dismissed.incidentId).reduce((a, d) => a + d.opened, 0);

  const expected = expectedTotals(events);
  const incidentsOpened = days.reduce((a, d) => a + d.opened, 0);
  // A row comes back only when the condition holds: chdb_run reports row counts.
  const holds = (key: string, condition: string) => ({ key, sql: `SELECT 1 WHERE ${condition}` });
  const queries = [
    holds('distinct events', `(SELECT uniqExact(eventId) FROM events) = ${events.length}`),
    holds('hourly events', `(SELECT sum(events) FROM rollup_hourly FINAL) = ${expected.events}`),
    holds('daily events', `(SELECT sum(events) FROM rollup_daily FINAL) = ${expected.events}`),
    holds('daily visits', `(SELECT sum(visits) FROM rollup_daily FINAL) = ${expected.visits}`),
    holds('daily staff samples', `(SELECT sum(staffSamples) FROM rollup_daily FINAL) = ${expected.staffSamples}`),
    holds(
      'incident totals, net of the dismissed one',
      `(SELECT sum(greetingIncidents + waitingIncidents + queueIncidents + staffIncidents + coverageIncidents) FROM incident_daily FINAL) = ${incidentsOpened - dismissedOpened}`,
    ),
  ];
  const run = spawnSync(python, [runner], { input: JSON.stringify({ setup, queries }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  const answer = JSON.parse(run.stdout) as Answer;
  assert.doesNotMatch(answer.version, /^18\./);
  for (const result of answer.results) {
    assert.ok(!('error' in result), `${result.key}: ${'error' in result ? result.error : ''}`);
    assert.equal(result.rows, 1, `${result.key} does not add up on ClickHouse ${answer.version}`);
  }
});
