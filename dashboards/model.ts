/**
 * The dashboards as data: reads the provisioned JSON files and the data source provisioning,
 * and checks what Grafana would only discover when someone opens a dashboard (a panel pointing
 * at a data source that does not exist, a query using a variable nobody defined, two panels with
 * the same id). Grafana's dashboard model has hundreds of optional keys; only the ones checked
 * here are typed, everything else passes through untouched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../common/paths.js';
import { SalonwatchError } from '../common/errors.js';
import { FRONTEND_MACROS, macroNames, SUPPORTED_MACROS, variableReferences } from './macros.js';

export const DASHBOARDS_DIR = path.join(REPO_ROOT, 'dashboards');
export const JSON_DIR = path.join(DASHBOARDS_DIR, 'json');
export const PROVISIONING_DIR = path.join(DASHBOARDS_DIR, 'provisioning');

/** The plugin's id, as Grafana knows it (GF_INSTALL_PLUGINS in infra/compose.yaml). */
export const PLUGIN_TYPE = 'grafana-clickhouse-datasource';

export interface DataSourceRef {
  readonly type?: string;
  readonly uid?: string;
}

export interface Target {
  readonly refId: string;
  readonly datasource?: DataSourceRef;
  readonly rawSql?: string;
  readonly editorType?: string;
  readonly queryType?: string;
  readonly format?: number;
}

export interface FieldLink {
  readonly title: string;
  readonly url: string;
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: DataSourceRef;
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
  readonly fieldConfig?: {
    readonly defaults?: { readonly links?: readonly FieldLink[] };
    readonly overrides?: readonly {
      readonly matcher: { readonly id: string; readonly options?: unknown };
      readonly properties: readonly { readonly id: string; readonly value?: unknown }[];
    }[];
  };
}

export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly datasource?: DataSourceRef;
  readonly query?: unknown;
  readonly definition?: string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string | null;
  readonly current?: { readonly value?: unknown };
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating?: { readonly list: readonly Variable[] };
}

export interface DashboardFile {
  readonly file: string;
  readonly dashboard: Dashboard;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Minimal shape check so the rest of the code can trust the typed fields it reads. */
function asDashboard(value: unknown, file: string): Dashboard {
  const fail = (what: string): never => {
    throw new SalonwatchError('CONFIG_INVALID', `${file}: ${what}`);
  };
  if (!isRecord(value)) return fail('not a JSON object');
  if (typeof value['uid'] !== 'string' || value['uid'] === '') fail('uid: expected a non-empty string');
  if (typeof value['title'] !== 'string') fail('title: expected a string');
  const panels = value['panels'];
  if (!Array.isArray(panels)) return fail('panels: expected an array');
  const checkPanel = (panel: unknown, where: string) => {
    if (!isRecord(panel)) return fail(`${where}: expected an object`);
    if (typeof panel['id'] !== 'number') fail(`${where}.id: expected a number`);
    if (typeof panel['type'] !== 'string') fail(`${where}.type: expected a string`);
    if (typeof panel['title'] !== 'string') fail(`${where}.title: expected a string`);
    const targets = panel['targets'];
    if (targets !== undefined) {
      if (!Array.isArray(targets)) return fail(`${where}.targets: expected an array`);
      targets.forEach((t: unknown, i) => {
        if (!isRecord(t) || typeof t['refId'] !== 'string') fail(`${where}.targets[${i}].refId: expected a string`);
      });
    }
    return undefined;
  };
  panels.forEach((p: unknown, i) => {
    checkPanel(p, `panels[${i}]`);
    if (isRecord(p) && Array.isArray(p['panels'])) {
      p['panels'].forEach((q: unknown, j) => {
        checkPanel(q, `panels[${i}].panels[${j}]`);
      });
    }
  });
  const templating = value['templating'];
  if (templating !== undefined && (!isRecord(templating) || !Array.isArray(templating['list']))) fail('templating.list: expected an array');
  return value as unknown as Dashboard;
}

export function loadDashboards(dir = JSON_DIR): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      return { file: path.relative(REPO_ROOT, file), dashboard: asDashboard(JSON.parse(readFileSync(file, 'utf8')), f) };
    });
}

export interface ProvisionedDataSource {
  readonly name: string;
  readonly type: string;
  readonly uid: string;
  readonly jsonData: Record<string, unknown>;
  readonly secureJsonData: Record<string, unknown>;
}

export function loadDataSources(dir = PROVISIONING_DIR): ProvisionedDataSource[] {
  const files = readdirSync(path.join(dir, 'datasources')).filter((f) => /\.ya?ml$/.test(f));
  return files.flatMap((f) => {
    const doc: unknown = parse(readFileSync(path.join(dir, 'datasources', f), 'utf8'));
    const list = isRecord(doc) ? doc['datasources'] : undefined;
    if (!Array.isArray(list)) throw new SalonwatchError('CONFIG_INVALID', `provisioning/datasources/${f}: datasources: expected a list`);
    return list.map((d: unknown, i): ProvisionedDataSource => {
      if (!isRecord(d) || typeof d['uid'] !== 'string' || typeof d['type'] !== 'string' || typeof d['name'] !== 'string') {
        throw new SalonwatchError('CONFIG_INVALID', `provisioning/datasources/${f}: datasources[${i}]: name, type and uid are required`);
      }
      return {
        name: d['name'],
        type: d['type'],
        uid: d['uid'],
        jsonData: isRecord(d['jsonData']) ? d['jsonData'] : {},
        secureJsonData: isRecord(d['secureJsonData']) ? d['secureJsonData'] : {},
      };
    });
  });
}

/** Top-level panels and the panels inside collapsed rows, which Grafana keeps nested. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function variables(dashboard: Dashboard): readonly Variable[] {
  return dashboard.templating?.list ?? [];
}

/** Data links of a panel: the defaults' and those set per field by overrides. */
export function panelLinks(panel: Panel): FieldLink[] {
  const links: FieldLink[] = [...(panel.fieldConfig?.defaults?.links ?? [])];
  for (const override of panel.fieldConfig?.overrides ?? []) {
    for (const property of override.properties) {
      if (property.id !== 'links' || !Array.isArray(property.value)) continue;
      for (const link of property.value as unknown[]) {
        if (isRecord(link) && typeof link['url'] === 'string') links.push({ title: String(link['title']), url: link['url'] });
      }
    }
  }
  return links;
}

/** SQL of a query variable (the plugin stores it as `{ rawSql }`, older dashboards as a string). */
export function variableSql(variable: Variable): string | undefined {
  const q = variable.query;
  if (typeof q === 'string') return q;
  if (isRecord(q) && typeof q['rawSql'] === 'string') return q['rawSql'];
  return undefined;
}

/** Every query that reaches ClickHouse, with where it comes from. */
export interface QuerySite {
  readonly dashboard: Dashboard;
  readonly where: string;
  readonly panel: Panel | undefined;
  readonly target: Target | undefined;
  readonly sql: string;
}

export function querySites(dashboard: Dashboard): QuerySite[] {
  const sites: QuerySite[] = [];
  for (const v of variables(dashboard)) {
    const sql = variableSql(v);
    if (v.type === 'query' && sql !== undefined) sites.push({ dashboard, where: `variable ${v.name}`, panel: undefined, target: undefined, sql });
  }
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      if (target.rawSql !== undefined) {
        sites.push({ dashboard, where: `panel ${panel.id} "${panel.title}" ${target.refId}`, panel, target, sql: target.rawSql });
      }
    }
  }
  return sites;
}

/**
 * Structural problems across all dashboards, each naming the file and the place. An empty list
 * means Grafana will load the dashboards and every query can be rendered.
 */
export function structuralProblems(files: readonly DashboardFile[], dataSourceUids: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const seenUids = new Map<string, string>();
  for (const { file, dashboard } of files) {
    const at = (where: string, what: string) => problems.push(`${file}: ${where}: ${what}`);
    const other = seenUids.get(dashboard.uid);
    if (other !== undefined) at('uid', `"${dashboard.uid}" is also the uid of ${other}`);
    seenUids.set(dashboard.uid, file);

    const ids = new Set<number>();
    const checkRef = (where: string, ref: DataSourceRef | undefined) => {
      if (ref === undefined) return at(where, 'no data source: it would silently use the default one');
      if (ref.type !== PLUGIN_TYPE) at(where, `data source type "${String(ref.type)}", expected ${PLUGIN_TYPE}`);
      if (ref.uid === undefined || !dataSourceUids.has(ref.uid)) at(where, `data source uid "${String(ref.uid)}" is not provisioned`);
      return undefined;
    };
    for (const panel of allPanels(dashboard)) {
      const where = `panel ${panel.id} "${panel.title}"`;
      if (ids.has(panel.id)) at(where, 'duplicate panel id');
      ids.add(panel.id);
      if (panel.type === 'row' || panel.type === 'text') continue;
      checkRef(where, panel.datasource);
      if ((panel.targets ?? []).length === 0) at(where, 'no query');
      for (const target of panel.targets ?? []) {
        checkRef(`${where} ${target.refId}`, target.datasource);
        if (target.rawSql === undefined || target.rawSql.trim() === '') at(`${where} ${target.refId}`, 'no rawSql');
        // editorType sql + queryType table|timeseries: the plugin sends rawSql as written.
        if (target.editorType !== 'sql') at(`${where} ${target.refId}`, `editorType "${String(target.editorType)}", expected "sql"`);
      }
    }

    const names = variables(dashboard).map((v) => v.name);
    const defined = new Set(names);
    if (defined.size !== names.length) at('templating', `duplicate variable names: ${names.join(', ')}`);
    for (const v of variables(dashboard)) if (v.type === 'query') checkRef(`variable ${v.name}`, v.datasource);
    for (const site of querySites(dashboard)) {
      for (const ref of variableReferences(site.sql)) {
        if (ref.name.startsWith('__')) continue;
        if (!defined.has(ref.name)) at(site.where, `uses ${ref.text}, but the dashboard defines no variable "${ref.name}"`);
      }
      for (const name of macroNames(site.sql)) {
        if (!SUPPORTED_MACROS.includes(name) && !FRONTEND_MACROS.includes(name)) {
          at(site.where, `uses $__${name}, not one of ${[...FRONTEND_MACROS, ...SUPPORTED_MACROS].join(', ')}`);
        }
      }
    }
    // Panel links reach variables too (`${salon}`), and Grafana leaves an unknown one as literal text.
    for (const panel of allPanels(dashboard)) {
      for (const link of panelLinks(panel)) {
        for (const ref of variableReferences(link.url)) {
          if (!ref.name.startsWith('__') && !defined.has(ref.name)) at(`panel ${panel.id} link "${link.title}"`, `uses undefined variable ${ref.text}`);
        }
      }
    }
  }
  return problems;
}
