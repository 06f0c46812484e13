/**
 * `salonwatch migrate`: applies the numbered SQL files in `clickhouse/migrations/` in order and
 * records each in `schema_migrations` (number, name, checksum, when). Safe to re-run: recorded
 * migrations are skipped, and every statement is `IF NOT EXISTS` (or, for `ALTER TABLE t ADD
 * COLUMN c`, which 18.16 cannot say IF NOT EXISTS of, skipped when the column exists), so a run
 * interrupted in the middle of a file simply applies that file again. A recorded migration whose file changed is
 * an error: applied migrations are history, a change is a new file.
 *
 * ClickHouse has no transactions or locks (18.16 nor current), so run one migrate at a time
 * (a deploy step), not one per service replica.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { SalonwatchError } from '../common/errors.js';
import type { ClickHouse } from './client.js';
import { Sql, sql } from './sql.js';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly statements: readonly string[];
}

/** Splits a migration file into statements: `;` at the end of a line ends one; `--` lines are comments. */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*--/.test(line)) continue;
    current.push(line);
    if (/;\s*$/.test(line)) {
      const statement = current.join('\n').trim().replace(/;$/, '').trim();
      if (statement !== '') statements.push(statement);
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest !== '') statements.push(rest);
  return statements;
}

export function parseMigration(fileName: string, text: string): Migration {
  const match = /^(\d{3,})_([a-z0-9_]+)\.sql$/.exec(fileName);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new SalonwatchError('CONFIG_INVALID', `migration file "${fileName}" is not named NNN_name.sql`);
  }
  return {
    version: Number(match[1]),
    name: match[2],
    checksum: createHash('sha256').update(text).digest('hex'),
    statements: splitStatements(text),
  };
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations = await Promise.all(files.map(async (f) => parseMigration(f, await readFile(path.join(dir, f), 'utf8'))));
  for (const [i, m] of migrations.entries()) {
    if (i > 0 && migrations[i - 1]?.version === m.version) {
      throw new SalonwatchError('CONFIG_INVALID', `two migrations numbered ${m.version}`);
    }
  }
  return migrations;
}

/** `ALTER TABLE t ADD COLUMN c ...`: the table and column it adds. */
export function addedColumn(statement: string): { table: string; column: string } | undefined {
  const match = /^ALTER TABLE (\w+) ADD COLUMN (\w+) /.exec(statement);
  return match?.[1] === undefined || match[2] === undefined ? undefined : { table: match[1], column: match[2] };
}

/** Whether `statement` adds a column that a run interrupted before recording its file already added. */
async function alreadyAdded(ch: ClickHouse, statement: string): Promise<boolean> {
  const added = addedColumn(statement);
  if (added === undefined) return false;
  const rows = await ch.query(
    sql`SELECT count() AS n FROM system.columns WHERE database = currentDatabase() AND table = ${added.table} AND name = ${added.column}`,
    Type.Object({ n: Type.Union([Type.String(), Type.Number()]) }),
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

const AppliedRow = Type.Object({ version: Type.Number(), name: Type.String(), checksum: Type.String() });

export interface MigrateResult {
  readonly applied: readonly string[];
  readonly skipped: readonly string[];
}

export async function migrate(ch: ClickHouse, migrations: readonly Migration[], now: Date): Promise<MigrateResult> {
  await ch.command(
    sql`CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, appliedAt DateTime('UTC'))
        ENGINE = MergeTree() ORDER BY version`,
  );
  const rows = await ch.query(sql`SELECT version, name, checksum FROM schema_migrations ORDER BY version`, AppliedRow);
  const done = new Map(rows.map((r) => [r.version, r]));
  const applied: string[] = [];
  const skipped: string[] = [];
  for (const m of migrations) {
    const label = `${String(m.version).padStart(3, '0')}_${m.name}`;
    const previous = done.get(m.version);
    if (previous !== undefined) {
      if (previous.checksum !== m.checksum) {
        throw new SalonwatchError(
          'CONFIG_INVALID',
          `migration ${label} changed after it was applied (checksum ${previous.checksum.slice(0, 12)} recorded); add a new migration instead`,
        );
      }
      skipped.push(label);
      continue;
    }
    // Statements come from the repository's own files, never from input: they are trusted SQL.
    for (const statement of m.statements) {
      if (!(await alreadyAdded(ch, statement))) await ch.command(new Sql(statement));
    }
    await ch.insert('schema_migrations', [
      { version: m.version, name: m.name, checksum: m.checksum, appliedAt: Math.floor(now.getTime() / 1000) },
    ]);
    applied.push(label);
  }
  return { applied, skipped };
}
