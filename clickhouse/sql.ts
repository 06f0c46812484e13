/**
 * The one way a value reaches SQL. ClickHouse 18.16 has no server-side query parameters, so
 * every value is written as a typed literal here and nowhere else; callers compose queries with
 * the `sql` tag, which escapes each interpolation. Pure: no I/O, no clock.
 *
 * String literals follow ClickHouse's lexer (`src/Parsers/Lexer.cpp`, quoted string): a quote or
 * backslash is escaped with a backslash, and `\xHH` is decoded to one byte. Control bytes are
 * written as `\xHH` as well, so a literal never carries a raw NUL or newline through the HTTP
 * body, where 18.16 would otherwise see it in error messages and logs unescaped.
 */
import { SalonwatchError } from '../common/errors.js';

/** A calendar day for `Date` columns, e.g. a salon-local day (`sqlDay('2026-11-25')`). */
export interface SqlDay {
  readonly kind: 'day';
  readonly value: string;
}

/** SQL text that is already safe (built by `sql`, or an identifier checked by `ident`). */
export class Sql {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type SqlValue = string | number | bigint | boolean | null | Date | SqlDay | readonly SqlValue[];

function invalid(message: string): never {
  throw new SalonwatchError('SQL_VALUE_INVALID', message);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The smallest positive normal double (DBL_MIN). */
const MIN_NORMAL = 2 ** -1022;

export function sqlDay(value: string): SqlDay {
  const ms = Date.parse(`${value}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    invalid(`not a calendar day (YYYY-MM-DD): ${JSON.stringify(value)}`);
  }
  return { kind: 'day', value };
}

function isDay(value: object): value is SqlDay {
  return 'kind' in value && value.kind === 'day';
}

function stringLiteral(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    // Iteration yields a pair as one code point, so a code point in this range is a lone
    // surrogate: UTF-8 cannot encode it (it would arrive as U+FFFD), so it is refused.
    if (code >= 0xd800 && code <= 0xdfff) invalid('string contains a lone UTF-16 surrogate');
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + "'";
}

/** DateTime columns here are `DateTime('UTC')` with second resolution; milliseconds are floored. */
function dateTimeLiteral(value: Date): string {
  const ms = value.getTime();
  if (!Number.isFinite(ms)) invalid('invalid Date');
  const year = value.getUTCFullYear();
  // DateTime is a UInt32 of seconds since 1970: it cannot hold instants outside this range.
  if (ms < 0 || year > 2105) invalid(`Date outside DateTime's range 1970..2105: ${value.toISOString()}`);
  const text = `${year}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}`;
  return `toDateTime('${text}', 'UTC')`;
}

/** Writes one typed value as a ClickHouse literal. Throws `SQL_VALUE_INVALID` for values SQL cannot hold exactly. */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return stringLiteral(value);
    case 'number':
      if (!Number.isFinite(value)) invalid(`number is not finite: ${value}`);
      // 18.16's parser refuses subnormal literals ("2.8e-310"): no value that small has a
      // meaning here, and writing it as 0 would change it, so it is refused like NaN.
      if (value !== 0 && Math.abs(value) < MIN_NORMAL) invalid(`number is subnormal (below 2.2e-308 in magnitude): ${value}`);
      // String() gives the shortest text that reads back as the same double; ClickHouse
      // parses it with strtod, which rounds correctly. -0 prints as "0", which is equal.
      return String(value);
    case 'bigint':
      if (value < -(2n ** 63n) || value >= 2n ** 64n) invalid(`integer outside Int64/UInt64: ${value}`);
      return value.toString();
    case 'boolean':
      // 18.16 has no Bool type; UInt8 0/1 is what its boolean functions return.
      return value ? '1' : '0';
    default:
      break;
  }
  if (value instanceof Date) return dateTimeLiteral(value);
  if (Array.isArray(value)) return `[${(value as readonly SqlValue[]).map(sqlLiteral).join(', ')}]`;
  if (isDay(value)) return `toDate('${sqlDay(value.value).value}')`;
  return invalid(`unsupported SQL value: ${Object.prototype.toString.call(value)}`);
}

/** A table or column name: only plain identifiers, so no quoting rules need to be trusted. */
export function ident(name: string): Sql {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) invalid(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return new Sql(name);
}

/** Joins fragments, e.g. a list of tuples, with a separator. */
export function joinSql(parts: readonly Sql[], separator = ', '): Sql {
  return new Sql(parts.map((p) => p.text).join(separator));
}

/** Literals separated by commas, for `x IN (${sqlList(values)})`; an empty list is `NULL`, which matches nothing. */
export function sqlList(values: readonly SqlValue[]): Sql {
  return new Sql(values.length === 0 ? 'NULL' : values.map(sqlLiteral).join(', '));
}

/**
 * Tagged template: `sql\`SELECT ... WHERE salonId = ${id}\`` writes `id` with `sqlLiteral`;
 * a nested `Sql` (from `sql`, `ident` or `joinSql`) is inserted as is.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly (SqlValue | Sql)[]): Sql {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += (value instanceof Sql ? value.text : sqlLiteral(value)) + (strings[i + 1] ?? '');
  });
  return new Sql(text);
}
