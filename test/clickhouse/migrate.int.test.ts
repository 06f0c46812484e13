/**
 * `migrate` against the real server: a second run skips everything, and a run interrupted after
 * a file's ALTER ... ADD COLUMN but before the file was recorded completes on the next run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { connectClickHouse } from '../../clickhouse/client.js';
import { addedColumn, loadMigrations, migrate } from '../../clickhouse/migrate.js';
import { ident, sql, Sql } from '../../clickhouse/sql.js';

void test('migrate re-runs harmlessly, also after an interruption between an added column and its record', async (t) => {
  const name = `sw_migrate_${randomBytes(4).toString('hex')}`;
  const admin = connectClickHouse({ database: 'default' });
  await admin.command(sql`CREATE DATABASE ${ident(name)}`);
  const ch = connectClickHouse({ database: name });
  t.after(async () => {
    await ch.close();
    await admin.command(sql`DROP DATABASE IF EXISTS ${ident(name)}`);
    await admin.close();
  });
  const migrations = await loadMigrations();
  const adding = migrations.find((m) => m.statements.some((s) => addedColumn(s) !== undefined));
  assert.ok(adding, 'a shipped migration adds a column');
  const before = migrations.filter((m) => m.version < adding.version);

  await migrate(ch, before, new Date());
  // The interrupted run: the column was added, the file never recorded.
  for (const s of adding.statements) await ch.command(new Sql(s));
  const resumed = await migrate(ch, migrations, new Date());
  assert.ok(resumed.applied.some((label) => label.endsWith(adding.name)), JSON.stringify(resumed));
  assert.deepEqual(resumed.skipped.length, before.length);

  const again = await migrate(ch, migrations, new Date());
  assert.deepEqual(again.applied, []);
  assert.equal(again.skipped.length, migrations.length);
  const columns = await ch.query(
    sql`SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'incidents' AND name = 'insertedMs'`,
    Type.Object({ name: Type.String() }),
  );
  assert.equal(columns.length, 1);
});
