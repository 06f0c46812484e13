/**
 * Rows as ClickHouse `TabSeparated` text, the insert format for wide batches of flat rows: the
 * sink's raw events. Against JSONEachRow it spares both ends the key names and quoting of every
 * value, and 18.16 parses it with its plainest reader. Pure: no I/O.
 *
 * Escaping follows ClickHouse's TabSeparated input (`readEscapedString`; the docs: "the minimum
 * set of characters that you need to escape when passing data in TabSeparated format: tab, line
 * feed (LF) and backslash"): a backslash, tab and line feed in a string are written as `\\`,
 * `\t` and `\n`. A carriage return is written as `\r` too, so that no row carries a raw CR for a
 * line-oriented tool on the way to take for a line end. Every other character goes as is, as
 * UTF-8 (a lone UTF-16 surrogate, which only a JSON `\u` escape can produce, has no UTF-8 form
 * and arrives as U+FFFD).
 *
 * Numbers are written with `String()`, the shortest text that reads back as the same double;
 * ClickHouse's integer and float readers take it as they take the same number in JSON. `null`
 * is `\N`, the format's NULL.
 */
import { SalonwatchError } from '../common/errors.js';

export type TabSeparatedValue = string | number | null;

/** The keys of `R` whose values can be written as TabSeparated fields. */
export type TabSeparatedColumn<R> = { [K in keyof R]-?: R[K] extends TabSeparatedValue ? K : never }[keyof R] & string;

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One string field. Most ids and payloads have nothing to escape, and that case is one test. */
export function escapeTabSeparated(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : value;
}

function field(value: unknown, column: string): string {
  if (typeof value === 'string') return escapeTabSeparated(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SalonwatchError('SQL_VALUE_INVALID', `${column}: number is not finite: ${value}`);
    return String(value);
  }
  if (value === null) return '\\N';
  throw new SalonwatchError('SQL_VALUE_INVALID', `${column}: ${typeof value} cannot be written as a TabSeparated field`);
}

/** One row: its `columns` in that order, tab-separated, ending with a line feed. */
export function tabSeparatedRow<R extends object>(row: R, columns: readonly TabSeparatedColumn<R>[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as TabSeparatedColumn<R>;
    const value: unknown = row[column];
    line += i === 0 ? field(value, column) : '\t' + field(value, column);
  }
  return line + '\n';
}

/** What the ClickHouse adapter sends as one TabSeparated insert. */
export interface TabSeparatedRows {
  readonly columns: readonly string[];
  readonly rows: number;
  /** The encoded rows; a view, valid until the next write. */
  bytes(): Uint8Array;
}

/**
 * Rows encoded as they arrive into one growing buffer. A batch held this way is a few large
 * byte ranges outside the JavaScript heap instead of tens of thousands of live objects, which
 * the garbage collector would otherwise copy again at every young-generation collection while
 * the batch fills and is stored.
 */
export class TabSeparatedWriter<R extends object> implements TabSeparatedRows {
  private buffer: Buffer;
  private length = 0;
  private count = 0;

  constructor(
    readonly columns: readonly TabSeparatedColumn<R>[],
    initialBytes = 64 * 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(1024, initialBytes));
  }

  get rows(): number {
    return this.count;
  }

  /** Encodes the row first, so a row that cannot be written leaves the writer as it was. */
  write(row: R): void {
    this.writeBytes(tabSeparatedRow(row, this.columns));
    this.count++;
  }

  /** Appends the rows of another writer of the same columns. */
  append(other: TabSeparatedWriter<R>): void {
    const bytes = other.bytes();
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    this.count += other.count;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private writeBytes(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(3 * text.length);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
