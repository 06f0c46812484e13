/**
 * The ClickHouse adapter: a small port over @clickhouse/client's HTTP transport. Queries are
 * `Sql` values (built by `sql` in `./sql.ts`, so every value is escaped there) and result rows
 * are validated against a TypeBox schema, so callers get exact types instead of loose objects.
 * Library errors become `SalonwatchError`: `CLICKHOUSE_UNAVAILABLE` when the server could not be
 * reached (the sink pauses and retries), `CLICKHOUSE_QUERY_FAILED` when it answered with an error.
 */
import { Readable } from 'node:stream';
import { ClickHouseError, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { endpointsFromEnv } from '../common/env.js';
import { SalonwatchError } from '../common/errors.js';
import type { Sql } from './sql.js';
import type { TabSeparatedRows } from './tab-separated.js';

export interface ClickHouse {
  readonly database: string;
  /** DDL and `INSERT ... SELECT`: statements without a result. */
  command(statement: Sql): Promise<void>;
  /** A SELECT whose rows (JSONEachRow) must match `row`; the error names the first mismatch. */
  query<S extends TSchema>(statement: Sql, row: S): Promise<Static<S>[]>;
  /** Inserts rows (JSONEachRow) into a table; column names are the object keys. */
  insert(table: string, rows: readonly object[]): Promise<void>;
  /**
   * Inserts rows already encoded as TabSeparated (`./tab-separated.ts`) into those columns of a
   * table: the sink's raw events, where the format is cheaper on both ends than JSONEachRow.
   */
  insertTabSeparated(table: string, rows: TabSeparatedRows): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ClickHouseOptions {
  readonly url?: string;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** Per request; an insert of a large batch on a busy machine needs more than a ping. */
  readonly requestTimeoutMs?: number;
}

const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();
function compiled<S extends TSchema>(schema: S): TypeCheck<S> {
  let check = checks.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check as TypeCheck<S>;
}

function wrap(error: unknown, what: string): SalonwatchError {
  if (error instanceof SalonwatchError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ClickHouseError) {
    return new SalonwatchError('CLICKHOUSE_QUERY_FAILED', `ClickHouse rejected ${what}: ${message}`, { cause: error });
  }
  return new SalonwatchError('CLICKHOUSE_UNAVAILABLE', `ClickHouse unreachable during ${what}: ${message}`, { cause: error });
}

function firstWords(statement: Sql): string {
  return statement.text.replace(/\s+/g, ' ').trim().slice(0, 60);
}

export function connectClickHouse(options: ClickHouseOptions = {}): ClickHouse {
  const env = endpointsFromEnv();
  const database = options.database ?? env.clickhouseDatabase;
  const client: ClickHouseClient = createClient({
    url: options.url ?? env.clickhouseUrl,
    username: options.user ?? env.clickhouseUser,
    password: options.password ?? env.clickhousePassword,
    database,
    request_timeout: options.requestTimeoutMs ?? 30_000,
    // Response compression needs the server to gzip; requests stay plain so 18.16 and
    // current releases read them the same way.
    compression: { request: false, response: false },
  });

  return {
    database,
    async command(statement) {
      try {
        await client.command({ query: statement.text });
      } catch (error) {
        throw wrap(error, `"${firstWords(statement)}"`);
      }
    },
    async query(statement, row) {
      let rows: unknown[];
      try {
        const result = await client.query({ query: statement.text, format: 'JSONEachRow' });
        rows = await result.json<unknown>();
      } catch (error) {
        throw wrap(error, `"${firstWords(statement)}"`);
      }
      const check = compiled(row);
      for (const [i, value] of rows.entries()) {
        if (!check.Check(value)) {
          const first = check.Errors(value).First();
          throw new SalonwatchError(
            'CLICKHOUSE_QUERY_FAILED',
            `row ${i} of "${firstWords(statement)}" does not match its schema: ${first?.path ?? ''} ${first?.message ?? ''}`,
          );
        }
      }
      return rows;
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      try {
        await client.insert({ table, values: rows, format: 'JSONEachRow' });
      } catch (error) {
        throw wrap(error, `insert into ${table}`);
      }
    },
    async insertTabSeparated(table, rows) {
      const [first, ...rest] = rows.columns;
      if (rows.rows === 0 || first === undefined) return;
      try {
        // A raw format goes to the client as a byte stream; one chunk, the whole batch.
        await client.insert({ table, columns: [first, ...rest], format: 'TabSeparated', values: Readable.from([rows.bytes()], { objectMode: false }) });
      } catch (error) {
        throw wrap(error, `insert into ${table}`);
      }
    },
    async ping() {
      const result = await client.ping();
      return result.success;
    },
    close: () => client.close(),
  };
}
