/**
 * What a panel's SQL becomes before ClickHouse sees it, reproduced so that tests and the
 * benchmark run exactly the text Grafana would send. Two stages, in Grafana's order:
 *
 * 1. The browser: `Datasource.applyTemplateVariables` of grafana-clickhouse-datasource
 *    (src/data/CHDatasource.ts) first resolves `$__conditionalAll(condition, $var)` (`applyConditionalAll`:
 *    `1=1` when the variable is at All or empty, else the condition), then calls Grafana's
 *    `templateSrv.replace(sql, scopedVars, this.format)`.
 *    Variable references are found with Grafana's `variableRegex`
 *    (public/app/features/variables/utils.ts); a reference with an explicit format uses Grafana's
 *    format registry (grafana/scenes, packages/scenes/src/variables/interpolation/formatRegistry.ts),
 *    one without uses the plugin's own `format`: an array becomes `'a','b'` (values NOT escaped),
 *    a single value is inserted raw. Unknown names (`$__timeFilter`, `$__interval_s`) are left as
 *    they are, for the backend.
 * 2. The plugin's Go backend: grafana/sqlds `Interpolate` (macros.go) applies the macros longest
 *    name first, finds each with `\$__name\b`, takes an optional bracketed argument list split at
 *    top-level commas and trimmed, and replaces every occurrence of the matched text. The
 *    ClickHouse macros themselves are grafana/clickhouse-datasource pkg/macros/macros.go.
 *
 * Pure: the time range and interval are passed in.
 */
import { SalonwatchError } from '../common/errors.js';

/** A variable's current value: one option, or several for a multi-value variable. */
export type VariableValue = string | readonly string[];

export interface QueryContext {
  readonly from: Date;
  readonly to: Date;
  /** The panel's interval (Grafana derives it from the range and the panel's width). */
  readonly intervalMs: number;
  readonly variables: Readonly<Record<string, VariableValue>>;
  /** Multi-value variables whose current selection is All (`$__all`). */
  readonly allSelected?: ReadonlySet<string>;
}

/** Grafana's variableRegex: `$var`, `[[var]]`, `[[var:fmt]]`, `${var}`, `${var.field}`, `${var:fmt}`. */
const VARIABLE_REGEX = /\$(\w+)|\[\[([\s\S]+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

export interface VariableReference {
  readonly name: string;
  readonly format: string | undefined;
  readonly text: string;
}

/** Every variable reference in `sql`, including Grafana's and the plugin's `$__` names. */
export function variableReferences(sql: string): VariableReference[] {
  return [...sql.matchAll(VARIABLE_REGEX)].map((m) => ({
    name: m[1] ?? m[2] ?? m[4] ?? '',
    format: m[3] ?? m[6],
    text: m[0],
  }));
}

const quoteEach = (value: VariableValue, quote: (v: string) => string): string =>
  typeof value === 'string' ? quote(value) : value.map(quote).join(',');

/**
 * The subset of Grafana's format registry a SQL data source needs. `singlequote` escapes a quote
 * with a backslash (ClickHouse reads `\'` inside a string literal); `sqlstring` doubles it.
 */
const FORMATS: Readonly<Record<string, (value: VariableValue) => string>> = {
  singlequote: (value) => quoteEach(value, (v) => `'${v.replaceAll("'", "\\'")}'`),
  sqlstring: (value) => quoteEach(value, (v) => `'${v.replaceAll("'", "''")}'`),
  csv: (value) => (typeof value === 'string' ? value : value.join(',')),
  raw: (value) => (typeof value === 'string' ? value : value.join(',')),
};

/** grafana-clickhouse-datasource's `format`, used when the reference names no format. */
function pluginFormat(value: VariableValue): string {
  return typeof value === 'string' ? value : `'${value.join("','")}'`;
}

/** Stage 1: template variables, as `templateSrv.replace(sql, {}, plugin.format)` does. */
export function interpolateVariables(sql: string, variables: Readonly<Record<string, VariableValue>>): string {
  return sql.replace(VARIABLE_REGEX, (text: string, ...groups: (string | undefined)[]) => {
    const name = groups[0] ?? groups[1] ?? groups[3] ?? '';
    const format = groups[2] ?? groups[5];
    if (!Object.hasOwn(variables, name)) return text;
    const value = variables[name] ?? '';
    if (format === undefined) return pluginFormat(value);
    const formatter = FORMATS[format];
    if (formatter === undefined) {
      throw new SalonwatchError('USAGE', `variable format "${format}" in ${text} is not reproduced by dashboards/macros.ts`);
    }
    return formatter(value);
  });
}

/**
 * CHDatasource.getMacroArgs: from the `(` at `start`, the arguments split at commas of depth 1,
 * up to the matching `)`; [] when it never closes.
 */
function frontendMacroArgs(sql: string, start: number): string[] {
  const args: string[] = [];
  const text = sql.slice(start);
  let depth = 0;
  let lastEnd = 1;
  for (const m of text.matchAll(/\(|\)|,/g)) {
    const at = m.index + 1;
    if (m[0] === '(') depth++;
    else if (m[0] === ')') depth--;
    if (m[0] === ',' && depth === 1) {
      args.push(text.slice(lastEnd, at - 1));
      lastEnd = at;
    }
    if (depth === 0) {
      args.push(text.slice(lastEnd, at - 1));
      return args;
    }
  }
  return [];
}

/** CHDatasource.applyConditionalAll, innermost (last) occurrence first, as the plugin does. */
export function applyConditionalAll(sql: string, ctx: Pick<QueryContext, 'variables' | 'allSelected'>): string {
  const macro = '$__conditionalAll(';
  let out = sql;
  let at = out.lastIndexOf(macro);
  while (at !== -1) {
    const params = frontendMacroArgs(out, at + macro.length - 1);
    const [condition, variable] = params;
    if (params.length !== 2 || condition === undefined || variable === undefined) return out;
    const name = variable.trim().slice(1);
    const value = ctx.variables[name];
    const atAll = ctx.allSelected?.has(name) === true || value === '' || (Array.isArray(value) && value.length === 0);
    out = out.replace(`${macro}${condition},${variable})`, atAll ? '1=1' : condition);
    at = out.lastIndexOf(macro);
  }
  return out;
}

/** Resolved in the browser before the variables; listed so the structure check accepts them. */
export const FRONTEND_MACROS: readonly string[] = ['conditionalAll'];

type Macro = (args: readonly string[], ctx: QueryContext) => string;

const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
// macros.go: timeToDateTime -> toDateTime(<unix seconds>), timeToDate -> toDate('2006-01-02').
// The plugin formats dates in the backend's zone; Grafana's container runs in UTC.
const toDateTime = (date: Date) => `toDateTime(${unixSeconds(date)})`;
const toDate = (date: Date) => `toDate('${date.toISOString().slice(0, 10)}')`;
const intervalSeconds = (ctx: QueryContext) => Math.trunc(Math.max(ctx.intervalMs / 1000, 1));

function oneArgument(name: string, args: readonly string[]): string {
  const [column] = args;
  if (args.length !== 1 || column === undefined) {
    throw new SalonwatchError('USAGE', `$__${name}: expected 1 argument, received ${args.length}`);
  }
  return column;
}

/**
 * The plugin's macros that run on both ClickHouse 18.16 and current releases. `$__timeInterval`
 * is deliberately absent: it expands to `toStartOfInterval`, which 18.16 lacks, so a dashboard
 * that uses it is rejected here instead of failing in production's older replicas.
 */
const MACROS: Readonly<Record<string, Macro>> = {
  fromTime: (_args, ctx) => toDateTime(ctx.from),
  toTime: (_args, ctx) => toDateTime(ctx.to),
  timeFilter: (args, ctx) => {
    const column = oneArgument('timeFilter', args);
    return `${column} >= ${toDateTime(ctx.from)} AND ${column} <= ${toDateTime(ctx.to)}`;
  },
  dateFilter: (args, ctx) => {
    const column = oneArgument('dateFilter', args);
    return `${column} >= ${toDate(ctx.from)} AND ${column} <= ${toDate(ctx.to)}`;
  },
  interval_s: (_args, ctx) => String(intervalSeconds(ctx)),
};

/** Macro names the plugin knows but this harness refuses, with the reason. */
const REFUSED: Readonly<Record<string, string>> = {
  timeInterval: 'expands to toStartOfInterval, which ClickHouse 18.16 lacks',
  timeInterval_ms: 'expands to toStartOfInterval and DateTime64, which ClickHouse 18.16 lacks',
  fromTime_ms: 'expands to fromUnixTimestamp64Milli (DateTime64), which ClickHouse 18.16 lacks',
  toTime_ms: 'expands to fromUnixTimestamp64Milli (DateTime64), which ClickHouse 18.16 lacks',
  timeFilter_ms: 'expands to DateTime64, which ClickHouse 18.16 lacks',
};

export const SUPPORTED_MACROS: readonly string[] = Object.keys(MACROS);

/** sqlds parseArgs: `(a, f(b, c))` -> ['a', 'f(b, c)'] and the length consumed; -1 when unclosed. */
function parseArgs(text: string): { args: string[]; length: number } {
  if (!text.startsWith('(')) return { args: [], length: 0 };
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '(') {
      depth++;
      if (depth === 1) continue;
    } else if (c === ')') {
      depth--;
      if (depth === 0) {
        args.push(current.trim());
        return { args, length: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  return { args: [], length: -1 };
}

/** Names of every `$__name` in `sql` (macros and Grafana built-ins alike). */
export function macroNames(sql: string): string[] {
  return [...sql.matchAll(/\$__(\w+)/g)].map((m) => m[1] ?? '');
}

/** Stage 2: the backend's macros. Unknown or refused `$__` names are errors, not silent text. */
export function expandMacros(sql: string, ctx: QueryContext): string {
  for (const name of macroNames(sql)) {
    const refused = REFUSED[name];
    if (refused !== undefined) throw new SalonwatchError('USAGE', `$__${name}: ${refused}`);
    if (!Object.hasOwn(MACROS, name)) throw new SalonwatchError('USAGE', `$__${name}: not a macro of grafana-clickhouse-datasource reproduced here`);
  }
  let out = sql;
  const byLength = Object.keys(MACROS).sort((a, b) => b.length - a.length);
  for (const name of byLength) {
    const macro = MACROS[name];
    if (macro === undefined) continue;
    const pattern = new RegExp(`\\$__${name}\\b`, 'g');
    const matches = [...out.matchAll(pattern)].map((m) => {
      const start = m.index;
      const end = start + m[0].length;
      const { args, length } = parseArgs(out.slice(end));
      if (length < 0) throw new SalonwatchError('USAGE', `$__${name}: failed to parse macro arguments (missing close bracket?)`);
      return { full: out.slice(start, end + length), args };
    });
    for (const { full, args } of matches) out = out.replaceAll(full, macro(args, ctx));
  }
  return out;
}

/** The SQL ClickHouse receives for a panel target. */
export function renderQuery(sql: string, ctx: QueryContext): string {
  return expandMacros(interpolateVariables(applyConditionalAll(sql, ctx), ctx.variables), ctx);
}
