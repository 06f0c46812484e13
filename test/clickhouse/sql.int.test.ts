/**
 * Fuzz: values written by `sqlLiteral` must reach the real ClickHouse unchanged. Strings are
 * compared as the hex of their UTF-8 bytes as ClickHouse computed it (no output format in
 * between), numbers and instants through functions that print them exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { connectClickHouse } from '../../clickhouse/client.js';
import { sql, sqlDay, sqlLiteral, Sql } from '../../clickhouse/sql.js';
import { seededRandom } from '../../events/generate.js';

const SEED = Number(process.env['SALONWATCH_FUZZ_SEED'] ?? Date.now() % 1_000_000);

const PIECES = [
  "'", "''", '\\', '\\\\', "\\'", '\u0000', '\n', '\r', '\t', '\b', '\f', '\u001b', '\u007f', '"', '`', '?', '{x}', '%s', '$1',
  '\\x41', '\\0', '\\n', ';', '--', '/*', '*/', 'é', 'Ж', '№', '中文', '👋', '👨‍👩‍👧', 'e\u0301', '\u200f', '\u2028', '\ufeff', '\uffff',
  '\u{10ffff}', ' ', 'a', 'Z', '0',
];

function randomString(random: () => number): string {
  const parts = Math.floor(random() * 12);
  let out = '';
  for (let i = 0; i < parts; i++) {
    const r = random();
    if (r < 0.6) out += PIECES[Math.floor(random() * PIECES.length)] ?? '';
    else if (r < 0.8) {
      // Any BMP code point except the surrogate range (not encodable alone).
      let code = Math.floor(random() * 0xffff);
      if (code >= 0xd800 && code <= 0xdfff) code -= 0x800;
      out += String.fromCodePoint(code);
    } else if (r < 0.9) out += String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff));
    else out += String.fromCodePoint(Math.floor(random() * 0x20));
  }
  return out;
}

function randomDouble(random: () => number): number {
  const view = new DataView(new ArrayBuffer(8));
  for (;;) {
    view.setUint32(0, Math.floor(random() * 2 ** 32));
    view.setUint32(4, Math.floor(random() * 2 ** 32));
    const value = view.getFloat64(0);
    // Subnormals are refused by sqlLiteral (test/clickhouse/sql.test.ts).
    if (Number.isFinite(value) && (value === 0 || Math.abs(value) >= 2 ** -1022)) return value;
  }
}

void test(`sqlLiteral round-trips through ClickHouse (seed ${SEED})`, async (t) => {
  const ch = connectClickHouse();
  t.after(() => ch.close());
  const random = seededRandom(SEED);

  await t.test('2,000 random strings with quotes, backslashes, NUL, control bytes and unicode', async () => {
    const strings = Array.from({ length: 2000 }, () => randomString(random));
    for (let i = 0; i < strings.length; i += 250) {
      const chunk = strings.slice(i, i + 250);
      const rows = await ch.query(
        sql`SELECT arrayMap(x -> hex(x), ${chunk}) AS hexes, ${chunk} AS texts`,
        Type.Object({ hexes: Type.Array(Type.String()), texts: Type.Array(Type.String()) }),
      );
      const [row] = rows;
      assert.ok(row !== undefined);
      chunk.forEach((s, j) => {
        assert.equal(row.hexes[j], Buffer.from(s, 'utf8').toString('hex').toUpperCase(), `bytes of ${JSON.stringify(s)}`);
        assert.equal(row.texts[j], s, `text of ${JSON.stringify(s)}`);
      });
    }
  });

  await t.test('strings survive an insert and a select', async () => {
    const table = `sql_fuzz_${SEED}`;
    await ch.command(new Sql(`CREATE TABLE ${table} (i UInt32, s String) ENGINE = Memory`));
    try {
      const strings = Array.from({ length: 300 }, () => randomString(random));
      const values = strings.map((s, i) => `(${i}, ${sqlLiteral(s)})`).join(', ');
      await ch.command(new Sql(`INSERT INTO ${table} VALUES ${values}`));
      const rows = await ch.query(new Sql(`SELECT i, s FROM ${table} ORDER BY i`), Type.Object({ i: Type.Number(), s: Type.String() }));
      assert.deepEqual(
        rows.map((r) => r.s),
        strings,
      );
    } finally {
      await ch.command(new Sql(`DROP TABLE IF EXISTS ${table}`));
    }
  });

  await t.test('1,000 random doubles and integers, and 64-bit extremes', async () => {
    const numbers = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? randomDouble(random) : Math.floor((random() - 0.5) * 2 ** 53)));
    for (let i = 0; i < numbers.length; i += 250) {
      const chunk = numbers.slice(i, i + 250);
      // toString in ClickHouse prints the shortest text that reads back as the same double.
      const [row] = await ch.query(
        sql`SELECT arrayMap(x -> toString(toFloat64(x)), [${new Sql(chunk.map((n) => `toFloat64(${sqlLiteral(n)})`).join(', '))}]) AS texts`,
        Type.Object({ texts: Type.Array(Type.String()) }),
      );
      assert.ok(row !== undefined);
      chunk.forEach((n, j) => {
        const back = Number(row.texts[j]?.replace(/^inf$/, 'Infinity'));
        assert.equal(back, n === 0 ? 0 : n, `number ${n}`);
      });
    }
    const [big] = await ch.query(
      sql`SELECT toString(${2n ** 64n - 1n}) AS max, toString(${-(2n ** 63n)}) AS min`,
      Type.Object({ max: Type.String(), min: Type.String() }),
    );
    assert.deepEqual(big, { max: '18446744073709551615', min: '-9223372036854775808' });
  });

  await t.test('instants and calendar days', async () => {
    const instants = Array.from({ length: 200 }, () => new Date(Math.floor(random() * 4_000_000_000) * 1000 + Math.floor(random() * 1000)));
    const [row] = await ch.query(
      sql`SELECT arrayMap(x -> toUInt32(x), [${new Sql(instants.map((d) => sqlLiteral(d)).join(', '))}]) AS seconds,
                 toString(${sqlDay('2026-02-28')}) AS day`,
      Type.Object({ seconds: Type.Array(Type.Number()), day: Type.String() }),
    );
    assert.ok(row !== undefined);
    assert.deepEqual(
      row.seconds,
      instants.map((d) => Math.floor(d.getTime() / 1000)),
    );
    assert.equal(row.day, '2026-02-28');
  });
});
