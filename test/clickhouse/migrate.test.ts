import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addedColumn, loadMigrations, parseMigration, splitStatements } from '../../clickhouse/migrate.js';

void test('statements split at a semicolon ending a line; comment lines are dropped', () => {
  const text = '-- a comment; not a statement end\nCREATE TABLE a (x UInt8)\nENGINE = Memory;\n\n-- b\nCREATE TABLE b (s String) ENGINE = Memory;\n';
  assert.deepEqual(splitStatements(text), ['CREATE TABLE a (x UInt8)\nENGINE = Memory', 'CREATE TABLE b (s String) ENGINE = Memory']);
});

void test('file names carry the number and name; the checksum follows the content', () => {
  const a = parseMigration('007_add_things.sql', 'SELECT 1;');
  assert.equal(a.version, 7);
  assert.equal(a.name, 'add_things');
  assert.notEqual(parseMigration('007_add_things.sql', 'SELECT 2;').checksum, a.checksum);
  assert.throws(() => parseMigration('add.sql', ''), /NNN_name/);
});

void test('the shipped migrations load in order and only create if absent, add a column or recompute, so a re-run is harmless', async () => {
  const migrations = await loadMigrations();
  assert.deepEqual(
    migrations.map((m) => m.version),
    [...migrations.map((m) => m.version)].sort((a, b) => a - b),
  );
  assert.ok(migrations.length >= 4);
  for (const m of migrations) {
    // A recompute (INSERT ... SELECT into a versioned rollup) gives the same rows when repeated;
    // an added column is skipped by the runner when present.
    for (const s of m.statements) {
      assert.ok(
        /^(CREATE TABLE IF NOT EXISTS |INSERT INTO incident_daily\nSELECT )/.test(s) || addedColumn(s) !== undefined,
        `${m.name}: ${s.slice(0, 40)}`,
      );
    }
  }
});

void test('an ADD COLUMN statement names its table and column; other ALTERs are not taken for one', () => {
  assert.deepEqual(addedColumn('ALTER TABLE incidents ADD COLUMN insertedMs UInt64 DEFAULT 0'), { table: 'incidents', column: 'insertedMs' });
  assert.equal(addedColumn('ALTER TABLE incidents DROP COLUMN insertedMs'), undefined);
  assert.equal(addedColumn('CREATE TABLE IF NOT EXISTS a (x UInt8) ENGINE = Memory'), undefined);
});
