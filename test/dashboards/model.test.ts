import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_STANDARDS } from '../../config/standards.js';
import { REPO_ROOT } from '../../common/paths.js';
import {
  allPanels,
  loadDashboards,
  loadDataSources,
  PLUGIN_TYPE,
  PROVISIONING_DIR,
  querySites,
  structuralProblems,
  variables,
  type Dashboard,
  type DashboardFile,
} from '../../dashboards/model.js';
import { renderQuery } from '../../dashboards/macros.js';

const files = loadDashboards();
const sources = loadDataSources();
const uids = new Set(sources.map((s) => s.uid));

test('provisioning: one ClickHouse data source with a stable uid, the read-only user from the environment', () => {
  assert.equal(sources.length, 1);
  const [ds] = sources;
  assert.ok(ds);
  assert.equal(ds.type, PLUGIN_TYPE);
  assert.equal(ds.uid, 'salonwatch-clickhouse');
  assert.equal(ds.jsonData['username'], '$SALONWATCH_CLICKHOUSE_READONLY_USER');
  assert.equal(ds.secureJsonData['password'], '$SALONWATCH_CLICKHOUSE_READONLY_PASSWORD');
  assert.equal(ds.jsonData['defaultDatabase'], 'salonwatch');
});

test('provisioning: the compose file mounts both folders where the provider and Grafana look, and sets the variables', () => {
  const compose = parse(readFileSync(path.join(REPO_ROOT, 'infra', 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { volumes?: string[]; environment?: Record<string, string> }>;
  };
  const grafana = compose.services['grafana'];
  const volumes = grafana?.volumes ?? [];
  assert.ok(volumes.includes('../dashboards/provisioning:/etc/grafana/provisioning:ro'), volumes.join(', '));
  assert.ok(volumes.includes('../dashboards/json:/var/lib/grafana/dashboards:ro'), volumes.join(', '));
  for (const name of ['SALONWATCH_CLICKHOUSE_READONLY_USER', 'SALONWATCH_CLICKHOUSE_READONLY_PASSWORD']) {
    assert.ok(name in (grafana?.environment ?? {}), `grafana lacks ${name}`);
  }
  const providers = parse(readFileSync(path.join(PROVISIONING_DIR, 'dashboards', 'salonwatch.yaml'), 'utf8')) as {
    providers: { type: string; options: { path: string } }[];
  };
  const [provider] = providers.providers;
  assert.ok(provider);
  assert.equal(provider.type, 'file');
  assert.equal(provider.options.path, '/var/lib/grafana/dashboards');
});

test('dashboards: the three dashboards exist and have no structural problem', () => {
  assert.deepEqual(files.map((f) => f.dashboard.uid).sort(), ['salonwatch-cameras', 'salonwatch-network', 'salonwatch-salon']);
  assert.deepEqual(structuralProblems(files, uids), []);
});

/** A deep copy of one dashboard with `edit` applied, for the negative cases. */
function mutated(uid: string, edit: (d: Record<string, unknown> & { panels: Record<string, unknown>[] }) => void): DashboardFile[] {
  return files.map((f) => {
    if (f.dashboard.uid !== uid) return f;
    const copy = JSON.parse(JSON.stringify(f.dashboard)) as Record<string, unknown> & { panels: Record<string, unknown>[] };
    edit(copy);
    return { file: f.file, dashboard: copy as unknown as Dashboard };
  });
}

test('structure check: catches duplicate panel ids, unknown data sources, undefined variables and refused macros', () => {
  const problems = (fs: DashboardFile[]) => structuralProblems(fs, uids).join('\n');
  assert.match(
    problems(
      mutated('salonwatch-network', (d) => {
        const first = d.panels[0];
        if (first !== undefined) d.panels[1] = { ...d.panels[1], id: first['id'] };
      }),
    ),
    /duplicate panel id/,
  );
  assert.match(
    problems(
      mutated('salonwatch-network', (d) => {
        d.panels[0] = { ...d.panels[0], datasource: { type: PLUGIN_TYPE, uid: 'renamed' } };
      }),
    ),
    /uid "renamed" is not provisioned/,
  );
  assert.match(
    problems(
      mutated('salonwatch-salon', (d) => {
        const targets = d.panels[1]?.['targets'] as { rawSql: string }[];
        if (targets[0] !== undefined) targets[0].rawSql += ' AND x = ${no_such_variable}';
      }),
    ),
    /defines no variable "no_such_variable"/,
  );
  assert.match(
    problems(
      mutated('salonwatch-salon', (d) => {
        const targets = d.panels[1]?.['targets'] as { rawSql: string }[];
        if (targets[0] !== undefined) targets[0].rawSql = 'SELECT $__timeInterval(hour) AS time';
      }),
    ),
    /\$__timeInterval/,
  );
  assert.match(
    problems(
      mutated('salonwatch-salon', (d) => {
        d['templating'] = { list: (d['templating'] as { list: { name: string }[] }).list.filter((v) => v.name !== 'webapp') };
      }),
    ),
    /link "Open in salonwatch": uses undefined variable \$\{webapp\}/,
  );
  const other = files.find((f) => f.dashboard.uid === 'salonwatch-cameras');
  assert.ok(other);
  assert.match(problems([...files, other]), /is also the uid of/);
});

test('dashboards: score weights and the queue limit are the standards defaults (config/standards.ts)', () => {
  const byName = (d: Dashboard) => new Map(variables(d).map((v) => [v.name, v.query]));
  for (const { dashboard } of files) {
    const vars = byName(dashboard);
    if (!querySites(dashboard).some((s) => s.sql.includes('$w_greeting'))) continue;
    for (const [standard, weight] of Object.entries(DEFAULT_STANDARDS.weights)) {
      assert.equal(Number(vars.get(`w_${standard}`)), weight, `${dashboard.uid}: w_${standard}`);
    }
  }
  const salon = files.find((f) => f.dashboard.uid === 'salonwatch-salon')?.dashboard;
  assert.ok(salon);
  assert.equal(Number(byName(salon).get('queue_threshold')), DEFAULT_STANDARDS.queue.maxLength);
});

/**
 * Rollups first: a panel may read `events` or `incidents` only for what no rollup holds. Each
 * exception is listed with its reason, so a new panel over raw events is a visible decision.
 */
const RAW_READS: Readonly<Record<string, string>> = {
  'salonwatch-salon/3': 'events: the waiting-time distribution (rollups keep sums and maxima only); one salon via the primary key',
  'salonwatch-salon/6': 'incidents: the list of staff presence gaps, one salon',
  'salonwatch-salon/7': 'incidents: the incident table, one salon',
  'salonwatch-network/3': 'incidents: which camera incidents are open at the end of the range',
  'salonwatch-cameras/1': 'incidents: cameras in an open incident and the state that opened it',
  'salonwatch-cameras/3': 'incidents: the state behind each camera incident (no rollup keeps it)',
  'salonwatch-cameras/4': 'incidents: the camera incident table',
};

test('dashboards: panels read rollups; raw events and incident rows only where listed', () => {
  const readers = new Set<string>();
  for (const { dashboard } of files) {
    for (const panel of allPanels(dashboard)) {
      const sql = (panel.targets ?? []).map((t) => t.rawSql ?? '').join('\n');
      if (/\bFROM\s+(events|incidents)\b/.test(sql)) readers.add(`${dashboard.uid}/${panel.id}`);
    }
  }
  assert.deepEqual([...readers].sort(), Object.keys(RAW_READS).sort());
});

test('dashboards: every query renders to SQL without a leftover variable or macro', () => {
  for (const { dashboard } of files) {
    const values = Object.fromEntries(variables(dashboard).map((v) => [v.name, v.multi === true ? ['a', 'b'] : typeof v.query === 'string' ? v.query : 'x']));
    for (const site of querySites(dashboard)) {
      const sql = renderQuery(site.sql, { from: new Date(0), to: new Date(86_400_000), intervalMs: 60_000, variables: values });
      assert.doesNotMatch(sql, /\$/, `${dashboard.uid} ${site.where}`);
    }
  }
});
