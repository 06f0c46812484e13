/**
 * Every panel of every dashboard, rendered as Grafana and the ClickHouse plugin would render it,
 * run against the local ClickHouse as the read-only dashboards user, on generated data in a
 * database of its own whose schema comes from the real migrations.
 *
 * SALONWATCH_DASHBOARDS_MIGRATIONS=<dir> runs it against another migrations folder, e.g. a copy
 * with a column renamed: the panels that read that column must then fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connectClickHouse } from '../../clickhouse/client.js';
import { loadMigrations, migrate, MIGRATIONS_DIR } from '../../clickhouse/migrate.js';
import { Sql } from '../../clickhouse/sql.js';
import { endpointsFromEnv } from '../../common/env.js';
import { generateFixtures, type FixtureShape } from '../../dashboards/fixtures.js';
import { allPanels, loadDashboards, panelLinks, querySites, type Panel } from '../../dashboards/model.js';
import { renderQuery } from '../../dashboards/macros.js';
import { resolveVariables, runDashboard, runQuery, type Column, type Connection, type PanelRun } from '../../dashboards/run.js';
import { EXPECTED, kindOf } from './expected.js';

/** Field names a panel's field config and links refer to: each must be a column of the result. */
function referencedFields(panel: Panel): string[] {
  const names: string[] = [];
  for (const override of panel.fieldConfig?.overrides ?? []) {
    if (override.matcher.id === 'byName' && typeof override.matcher.options === 'string') names.push(override.matcher.options);
  }
  for (const link of panelLinks(panel)) for (const m of link.url.matchAll(/\$\{__data\.fields\.(\w+)/g)) names.push(m[1] ?? '');
  return names;
}

function checkRun(run: PanelRun, uid: string): void {
  const panel = run.site.panel;
  assert.ok(panel);
  const key = `${uid}/${panel.id}`;
  const where = `${key} "${panel.title}"`;
  const expected = EXPECTED[key];
  assert.ok(expected, `${where}: no expected columns declared in this test`);
  const shown = (columns: readonly Column[]) => columns.map((c) => `${c.name}: ${c.type}`).join(', ');
  assert.deepEqual(
    run.result.columns.map((c) => c.name),
    expected.map(([name]) => name),
    `${where}: columns ${shown(run.result.columns)}`,
  );
  for (const [i, column] of run.result.columns.entries()) {
    assert.equal(kindOf(column.type), expected[i]?.[1], `${where}: column ${column.name} is ${column.type}`);
  }
  assert.ok(run.result.rows.length > 0, `${where}: no rows on generated data\n${run.sql}`);
  const names = new Set(run.result.columns.map((c) => c.name));
  for (const field of referencedFields(panel)) assert.ok(names.has(field), `${where}: field config or link refers to missing column ${field}`);
  // A time series panel needs its time first and ascending, or Grafana draws nothing useful.
  if (run.site.target?.format === 0) {
    assert.equal(run.result.columns[0]?.name, 'time', `${where}: time series without a leading time column`);
    const times = run.result.rows.map((r) => String(r[0]));
    assert.deepEqual(times, [...times].sort(), `${where}: time not ascending`);
  }
}

const endpoints = endpointsFromEnv();
const SHAPE: FixtureShape = { salons: 24, days: 35, lastDay: '2026-11-24', incidentsPerDay: 8, rawSalons: 3, regions: 4 };
const RANGE = { from: new Date('2026-10-26T00:00:00.000Z'), to: new Date('2026-11-25T00:00:00.000Z'), intervalMs: 3_600_000 };

test('dashboards: every panel query runs on ClickHouse as the read-only user and returns what the panel shows', async (t) => {
  const database = `salonwatch_dashboards_${randomUUID().slice(0, 8)}`;
  const admin = connectClickHouse({ database: 'default' });
  t.after(() => admin.close());
  await admin.command(new Sql(`CREATE DATABASE ${database}`));
  t.after(() => admin.command(new Sql(`DROP DATABASE IF EXISTS ${database}`)));
  const ch = connectClickHouse({ database });
  t.after(() => ch.close());

  const dir = process.env['SALONWATCH_DASHBOARDS_MIGRATIONS'] ?? MIGRATIONS_DIR;
  await migrate(ch, await loadMigrations(dir), new Date('2026-11-25T00:00:00.000Z'));
  await generateFixtures(ch, SHAPE);
  const readonly: Connection = {
    url: endpoints.clickhouseUrl,
    user: endpoints.clickhouseReadonlyUser,
    password: endpoints.clickhouseReadonlyPassword,
    database,
  };

  await t.test('the dashboards user cannot write', async () => {
    await assert.rejects(runQuery(readonly, `INSERT INTO salons (salonId) VALUES ('x')`), /readonly|Cannot execute query in readonly mode/i);
  });

  const files = loadDashboards();
  for (const { dashboard } of files) {
    await t.test(`${dashboard.uid}: each panel returns rows with its columns`, async () => {
      // Every panel is run and checked, and all failures are reported together.
      const { values, allSelected } = await resolveVariables(readonly, dashboard, RANGE);
      const failures: string[] = [];
      let ran = 0;
      for (const site of querySites(dashboard)) {
        if (site.panel === undefined) continue;
        const sql = renderQuery(site.sql, { ...RANGE, variables: values, allSelected });
        try {
          checkRun({ site, sql, result: await runQuery(readonly, sql) }, dashboard.uid);
          ran++;
        } catch (error) {
          failures.push(`${site.where}: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}`);
        }
      }
      assert.deepEqual(failures, []);
      assert.equal(ran, allPanels(dashboard).filter((p) => (p.targets ?? []).length > 0).length);
    });
  }

  await t.test('rankings are ranked: ranks 1..n by non-increasing score, scores within 0..100', async () => {
    const network = files.find((f) => f.dashboard.uid === 'salonwatch-network')?.dashboard;
    assert.ok(network);
    const runs = await runDashboard(readonly, network, RANGE);
    for (const id of [1, 2]) {
      const run = runs.find((r) => r.site.panel?.id === id);
      assert.ok(run);
      const scoreAt = run.result.columns.findIndex((c) => c.name === 'score');
      const ranks = run.result.rows.map((r) => Number(r[0]));
      const scores = run.result.rows.map((r) => Number(r[scoreAt]));
      assert.deepEqual(ranks, ranks.map((_, i) => i + 1));
      for (let i = 1; i < scores.length; i++) assert.ok((scores[i] ?? 0) <= (scores[i - 1] ?? 0), `panel ${id}: rank ${i + 1}`);
      for (const s of scores) assert.ok(s >= 0 && s <= 100, `score ${s}`);
    }
    const salons = runs.find((r) => r.site.panel?.id === 1);
    assert.equal(salons?.result.rows.length, SHAPE.salons, 'every salon is ranked when all regions are selected');
  });

  await t.test('a selection of regions filters the network panels to their salons', async () => {
    const network = files.find((f) => f.dashboard.uid === 'salonwatch-network')?.dashboard;
    assert.ok(network);
    const chosen = ['region-1', 'region-3'];
    const runs = await runDashboard(readonly, network, RANGE, { region: chosen });
    const ranking = runs.find((r) => r.site.panel?.id === 1);
    assert.ok(ranking);
    assert.ok(ranking.sql.includes("IN ('region-1','region-3')"), 'the region filter is in the SQL, not 1=1');
    const regionAt = ranking.result.columns.findIndex((c) => c.name === 'region');
    const regions = new Set(ranking.result.rows.map((r) => String(r[regionAt])));
    assert.deepEqual([...regions].sort(), chosen);
    assert.equal(ranking.result.rows.length, SHAPE.salons / 2);
  });

  await t.test('a value with a quote reaches ClickHouse escaped, never as SQL', async () => {
    const salon = files.find((f) => f.dashboard.uid === 'salonwatch-salon')?.dashboard;
    assert.ok(salon);
    await ch.command(
      new Sql(`INSERT INTO salons (salonId, name, partnerId, regionId, timezone) VALUES ('salon-o\\'hara', 'O''Hara', 'p', 'region-0', 'UTC')`),
    );
    const runs = await runDashboard(readonly, salon, RANGE, { salon: "salon-o'hara", region: ['region-0', "region-'x"] });
    assert.equal(runs.length, allPanels(salon).filter((p) => (p.targets ?? []).length > 0).length);
  });
});
