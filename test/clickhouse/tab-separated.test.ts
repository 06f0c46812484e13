import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeTabSeparated, tabSeparatedRow, TabSeparatedWriter } from '../../clickhouse/tab-separated.js';
import { isSalonwatchError } from '../../common/errors.js';
import { seededRandom } from '../../events/generate.js';
import { randomTsvString } from './tsv-fuzz.js';

const SEED = Number(process.env['SALONWATCH_FUZZ_SEED'] ?? Date.now() % 1_000_000);

/**
 * A reader of TabSeparated as ClickHouse reads it (`readEscapedString`: a field ends at a raw
 * tab or line feed; a backslash escapes the next character, `\t` `\n` `\r` `\0` `\b` `\f` being
 * control characters), written independently of the encoder so the two check each other.
 */
function readTabSeparated(text: string): (string | null)[][] {
  const controls: Record<string, string> = { t: '\t', n: '\n', r: '\r', '0': '\u0000', b: '\b', f: '\f' };
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let field = '';
  let raw = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\') {
      const next = text.charAt(++i);
      field += controls[next] ?? next;
      raw += '\\' + next;
    } else if (c === '\t' || c === '\n') {
      row.push(raw === '\\N' ? null : field);
      field = '';
      raw = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else {
      field += c;
      raw += c;
    }
  }
  assert.equal(field + raw, '', 'the text ends with a line feed');
  return rows;
}

void test('the three characters TabSeparated requires, and carriage return, are escaped; nothing else is', () => {
  assert.equal(escapeTabSeparated('a\tb\nc\\d\re'), 'a\\tb\\nc\\\\d\\re');
  assert.equal(escapeTabSeparated('\\N'), '\\\\N');
  assert.equal(escapeTabSeparated('{"summary":"say \\"hi\\""}'), '{"summary":"say \\\\"hi\\\\""}');
  const untouched = "quote ' \" nul \u0000 esc \u001b Салон №1 👋 e\u0301";
  assert.equal(escapeTabSeparated(untouched), untouched);
});

void test('a row is its columns in order, numbers as the shortest round-trip text, null as \\N', () => {
  const row = { id: 'ev\t1', n: 12.5, big: 1764600000, tiny: 1e-7, zero: -0, none: null, skipped: 'not written' };
  assert.equal(tabSeparatedRow(row, ['big', 'id', 'n', 'tiny', 'zero', 'none']), '1764600000\tev\\t1\t12.5\t1e-7\t0\t\\N\n');
  assert.equal(tabSeparatedRow({ a: '' }, ['a']), '\n');
});

void test('values TabSeparated cannot hold are refused, naming the column', () => {
  const refused = (row: { v: number | string }, pattern: RegExp) => {
    assert.throws(
      () => tabSeparatedRow(row, ['v']),
      (error: unknown) => isSalonwatchError(error) && error.code === 'SQL_VALUE_INVALID' && pattern.test(error.message),
    );
  };
  refused({ v: Number.NaN }, /^v: number is not finite/);
  refused({ v: -Infinity }, /^v: number is not finite/);
  // The types keep other values out; a row parsed from JSON is checked at run time all the same.
  refused(JSON.parse('{"v":true}') as { v: string }, /^v: boolean cannot/);
  refused(JSON.parse('{"v":[1]}') as { v: string }, /^v: object cannot/);
  refused(JSON.parse('{}') as { v: string }, /^v: undefined cannot/);
});

void test(`random strings survive encoding and ClickHouse's reading rules (seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  for (let i = 0; i < 3000; i++) {
    const row = { a: randomTsvString(random), b: randomTsvString(random), n: i };
    const line = tabSeparatedRow(row, ['a', 'n', 'b']);
    assert.equal(line.indexOf('\n'), line.length - 1, `one line for ${JSON.stringify(row)}`);
    assert.deepEqual(readTabSeparated(line), [[row.a, String(i), row.b]], JSON.stringify(row));
  }
});

void test('a lone surrogate is not escaped and becomes U+FFFD in the UTF-8 body', () => {
  const writer = new TabSeparatedWriter<{ s: string }>(['s']);
  writer.write({ s: 'a\ud800b' });
  assert.equal(Buffer.from(writer.bytes()).toString('utf8'), 'a\ufffdb\n');
});

void test('the writer holds the rows as UTF-8, grows, appends another writer and is unchanged by a refused row', () => {
  interface R {
    s: string;
    n: number;
  }
  const random = seededRandom(SEED + 1);
  const rows: R[] = Array.from({ length: 500 }, (_, i) => ({ s: randomTsvString(random), n: i }));
  const first = new TabSeparatedWriter<R>(['n', 's'], 16);
  const second = new TabSeparatedWriter<R>(['n', 's'], 16);
  rows.slice(0, 200).forEach((r) => {
    first.write(r);
  });
  rows.slice(200).forEach((r) => {
    second.write(r);
  });
  const before = Buffer.from(first.bytes());
  assert.throws(() => {
    first.write({ s: 'x', n: Number.NaN });
  });
  assert.deepEqual(Buffer.from(first.bytes()), before);
  assert.equal(first.rows, 200);
  first.append(second);
  assert.equal(first.rows, 500);
  assert.deepEqual(first.columns, ['n', 's']);
  assert.equal(Buffer.from(first.bytes()).toString('utf8'), rows.map((r) => tabSeparatedRow(r, ['n', 's'])).join(''));
});
