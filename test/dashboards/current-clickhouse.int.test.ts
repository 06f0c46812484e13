/**
 * The same panels on a current ClickHouse: production runs one (infra/compose.yaml), the local
 * stack runs 18.16, and the two dialects differ (current releases, for one, require an alias on
 * every joined subquery). chDB, ClickHouse embedded in a Python wheel, runs the rendered SQL on
 * the real migrations and the same generated data; `SALONWATCH_CHDB_PYTHON` names an interpreter
 * that has it (`pip install chdb`), default `python3`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations } from '../../clickhouse/migrate.js';
import { derivedStatements, fills, fillStatement, regionId, salonId, type FixtureShape } from '../../dashboards/fixtures.js';
import { renderQuery, type VariableValue } from '../../dashboards/macros.js';
import { allPanels, loadDashboards, querySites, variables } from '../../dashboards/model.js';
import { EXPECTED, kindOf } from './expected.js';

const python = process.env['SALONWATCH_CHDB_PYTHON'] ?? 'python3';
const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'chdb_run.py');
const SHAPE: FixtureShape = { salons: 24, days: 35, lastDay: '2026-11-24', incidentsPerDay: 8, rawSalons: 3, regions: 4 };
const RANGE = { from: new Date('2026-10-26T00:00:00.000Z'), to: new Date('2026-11-25T00:00:00.000Z'), intervalMs: 3_600_000 };

interface Answer {
  version: string;
  results: ({ key: string; columns: [string, string][]; rows: number } | { key: string; error: string })[];
}

const hasChdb = spawnSync(python, ['-c', 'import chdb'], { stdio: 'ignore' }).status === 0;

test('dashboards: every panel query runs on a current ClickHouse (chDB) with the columns the panel expects', { skip: hasChdb ? false : `${python} has no chdb (pip install chdb)` }, async () => {
  const setup = [
    ...(await loadMigrations()).flatMap((m) => m.statements),
    ...fills(SHAPE).map((f) => fillStatement(f, new Set(f.columns.map(([column]) => column)))),
    ...derivedStatements().map((s) => s.text),
  ];
  const queries: { key: string; sql: string }[] = [];
  for (const { dashboard } of loadDashboards()) {
    // The values Grafana would pick on generated data: every region, the first salon.
    const values: Record<string, VariableValue> = {
      region: Array.from({ length: SHAPE.regions }, (_, i) => regionId(i)),
      salon: salonId(0),
      // The camera incident table's lower bound (a query variable, run here as a query of its own).
      incidents_from: '0',
    };
    for (const v of variables(dashboard)) if (typeof v.query === 'string') values[v.name] = v.query;
    for (const site of querySites(dashboard)) {
      const key = site.panel === undefined ? `${dashboard.uid} ${site.where}` : `${dashboard.uid}/${site.panel.id}`;
      queries.push({ key, sql: renderQuery(site.sql, { ...RANGE, variables: values, allSelected: new Set(['region']) }) });
    }
  }
  const child = spawnSync(python, [runner], { input: JSON.stringify({ setup, queries }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  assert.equal(child.status, 0, child.stderr);
  const answer = JSON.parse(child.stdout) as Answer;
  assert.match(answer.version, /^\d+\./);
  const panels = loadDashboards().flatMap(({ dashboard }) => allPanels(dashboard).filter((p) => (p.targets ?? []).length > 0));
  assert.equal(answer.results.length, queries.length);
  assert.ok(answer.results.length > panels.length);
  for (const result of answer.results) {
    assert.ok(!('error' in result), `ClickHouse ${answer.version}, ${result.key}: ${'error' in result ? result.error : ''}`);
    assert.ok(result.rows > 0, `ClickHouse ${answer.version}, ${result.key}: no rows`);
    const expected = EXPECTED[result.key];
    if (expected === undefined) continue; // a variable's query
    assert.deepEqual(
      result.columns.map(([name]) => name),
      expected.map(([name]) => name),
      result.key,
    );
    for (const [i, [name, type]] of result.columns.entries()) assert.equal(kindOf(type), expected[i]?.[1], `${result.key}: ${name} is ${type}`);
  }
});
