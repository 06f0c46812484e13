/**
 * Runs a rendered panel query the way the data source does: over ClickHouse's HTTP interface, as
 * the read-only dashboards user, in the data source's default database. The answer keeps the
 * column names and ClickHouse types (JSONCompact's `meta`), which is what a panel binds to.
 * @clickhouse/client is not used here because its JSON formats drop the types.
 */
import { SalonwatchError } from '../common/errors.js';
import { querySites, variables, type Dashboard, type QuerySite } from './model.js';
import { renderQuery, type QueryContext, type VariableValue } from './macros.js';

export interface Connection {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export interface Column {
  readonly name: string;
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly unknown[])[];
  /** Wall-clock time of the HTTP round trip. */
  readonly elapsedMs: number;
  /** ClickHouse's own figure (statistics.elapsed). */
  readonly serverMs: number;
  readonly rowsRead: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function runQuery(connection: Connection, sql: string, timeoutMs = 30_000): Promise<QueryResult> {
  const url = new URL(connection.url);
  url.searchParams.set('database', connection.database);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      // The plugin sends the text as is; FORMAT on its own line survives a trailing `--` comment.
      body: `${sql}\nFORMAT JSONCompact`,
      headers: { 'X-ClickHouse-User': connection.user, 'X-ClickHouse-Key': connection.password },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new SalonwatchError('CLICKHOUSE_UNAVAILABLE', `ClickHouse at ${connection.url} unreachable: ${String(error)}`, { cause: error });
  }
  const body = await response.text();
  const elapsedMs = performance.now() - started;
  if (!response.ok) throw new SalonwatchError('CLICKHOUSE_QUERY_FAILED', `ClickHouse answered ${response.status}: ${body.trim()}`);
  const parsed: unknown = JSON.parse(body);
  if (!isRecord(parsed) || !Array.isArray(parsed['meta']) || !Array.isArray(parsed['data'])) {
    throw new SalonwatchError('CLICKHOUSE_QUERY_FAILED', `unexpected answer: ${body.slice(0, 200)}`);
  }
  const columns = parsed['meta'].map((m: unknown): Column => {
    if (!isRecord(m) || typeof m['name'] !== 'string' || typeof m['type'] !== 'string') throw new SalonwatchError('CLICKHOUSE_QUERY_FAILED', 'bad meta');
    return { name: m['name'], type: m['type'] };
  });
  const stats = isRecord(parsed['statistics']) ? parsed['statistics'] : {};
  const elapsed = typeof stats['elapsed'] === 'number' ? stats['elapsed'] : NaN;
  const rowsRead = typeof stats['rows_read'] === 'number' ? stats['rows_read'] : NaN;
  return { columns, rows: parsed['data'] as unknown[][], elapsedMs, serverMs: elapsed * 1000, rowsRead };
}

export interface VariableState {
  readonly values: Record<string, VariableValue>;
  /** Multi-value variables at All, which `$__conditionalAll` turns into `1=1`. */
  readonly allSelected: Set<string>;
}

/**
 * The value a variable takes when the dashboard is opened: `current`, or for a query variable
 * without one, the first option its own query returns; a multi-value variable with All opens at
 * All (every option). Variables are resolved in order, so a later one may use an earlier one.
 */
export async function resolveVariables(
  connection: Connection,
  dashboard: Dashboard,
  range: Pick<QueryContext, 'from' | 'to' | 'intervalMs'>,
): Promise<VariableState> {
  const values: Record<string, VariableValue> = {};
  const allSelected = new Set<string>();
  for (const v of variables(dashboard)) {
    const site = querySites(dashboard).find((s) => s.where === `variable ${v.name}`);
    if (site === undefined) {
      const current = v.current?.value;
      if (typeof current === 'string') values[v.name] = current;
      else if (Array.isArray(current) && current.every((c) => typeof c === 'string')) values[v.name] = current;
      else if (typeof v.query === 'string') values[v.name] = v.query;
      continue;
    }
    const result = await runQuery(connection, renderQuery(site.sql, { ...range, variables: values, allSelected }));
    // The plugin's metricFindQuery: one column is text and value; with two, the first is the value.
    const options = result.rows.map((row) => String(row[0]));
    if (options.length === 0) throw new SalonwatchError('CLICKHOUSE_QUERY_FAILED', `${dashboard.uid}: variable ${v.name} has no options`);
    if (v.multi === true && v.includeAll === true) {
      values[v.name] = options;
      allSelected.add(v.name);
    } else {
      values[v.name] = options[0] ?? '';
    }
  }
  return { values, allSelected };
}

export interface PanelRun {
  readonly site: QuerySite;
  readonly sql: string;
  readonly result: QueryResult;
}

/** Every panel target of a dashboard, rendered with the given range and run. */
export async function runDashboard(
  connection: Connection,
  dashboard: Dashboard,
  range: Pick<QueryContext, 'from' | 'to' | 'intervalMs'>,
  overrides: Readonly<Record<string, VariableValue>> = {},
): Promise<PanelRun[]> {
  const state = await resolveVariables(connection, dashboard, range);
  const vars = { ...state.values, ...overrides };
  const allSelected = new Set([...state.allSelected].filter((name) => !Object.hasOwn(overrides, name)));
  const runs: PanelRun[] = [];
  for (const site of querySites(dashboard)) {
    if (site.panel === undefined) continue;
    const sql = renderQuery(site.sql, { ...range, variables: vars, allSelected });
    try {
      runs.push({ site, sql, result: await runQuery(connection, sql) });
    } catch (error) {
      throw new SalonwatchError('CLICKHOUSE_QUERY_FAILED', `${dashboard.uid} ${site.where}: ${error instanceof Error ? error.message : String(error)}\n${sql}`, {
        cause: error,
      });
    }
  }
  return runs;
}

