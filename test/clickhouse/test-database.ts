/**
 * Integration tests get their own ClickHouse database with the real migrations applied, and
 * drop it afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { connectClickHouse, type ClickHouse } from '../../clickhouse/client.js';
import { loadMigrations, migrate } from '../../clickhouse/migrate.js';
import { ident, sql } from '../../clickhouse/sql.js';

export async function testDatabase(t: TestContext, prefix = 'sw_test'): Promise<ClickHouse> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = connectClickHouse({ database: 'default', requestTimeoutMs: 60_000 });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(name)}`);
  const ch = connectClickHouse({ database: name, requestTimeoutMs: 60_000 });
  t.after(async () => {
    await ch.close();
    await admin.command(sql`DROP DATABASE IF EXISTS ${ident(name)}`);
    await admin.close();
  });
  await migrate(ch, await loadMigrations(), new Date());
  return ch;
}
