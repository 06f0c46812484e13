/**
 * Scores and rankings for the API, with the weights in force: the defaults merged with the
 * override an admin saved through the API (`api_standards`), re-read at most every few seconds
 * and at once in the process that saved a change.
 *
 * Ranges within the score book's window (api/score-book.ts, the last 400 days) are answered from
 * memory; older ones by the backbone's own ClickHouse queries (`clickhouse/scores.ts`). Both add
 * up the same rows with the same pure functions.
 */
import { Type } from '@sinclair/typebox';
import type { ClickHouse } from '../clickhouse/client.js';
import { scoreQueries, type Weights } from '../clickhouse/scores.js';
import { sql } from '../clickhouse/sql.js';
import {
  DEFAULT_STANDARDS,
  resolveStandards,
  parseStandardsOverride,
} from '../config/standards.js';
import type { ScoreSource } from './clickhouse-store.js';
import type { Logger } from '../common/log.js';
import { ScoreBookSync, type ScoreBookSyncOptions } from './score-book-sync.js';

/** The weights in force: defaults merged with the admin's stored override (api_standards). */
export async function currentWeights(ch: ClickHouse): Promise<Weights> {
  const rows = await ch.query(
    sql`SELECT override FROM api_standards ORDER BY updatedAt DESC, updatedMs DESC LIMIT 1`,
    Type.Object({ override: Type.String() }),
  );
  const row = rows[0];
  const override =
    row === undefined
      ? {}
      : parseStandardsOverride(JSON.parse(row.override) as unknown, 'api_standards.override');
  return resolveStandards([override]).weights;
}

/** How stale another API instance's view of a standards change may be. */
export const WEIGHTS_TTL_MS = 5000;

export interface WeightsSource {
  current(): Promise<Weights>;
  invalidate(): void;
}

/** The weights, re-read when older than `ttlMs` (one read shared by concurrent callers). */
export function storedWeights(ch: ClickHouse, now: () => number = Date.now, ttlMs = WEIGHTS_TTL_MS): WeightsSource {
  let weights: Weights = DEFAULT_STANDARDS.weights;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;
  return {
    async current() {
      if (now() - loadedAt >= ttlMs) {
        loading ??= currentWeights(ch)
          .then((w) => {
            weights = w;
            loadedAt = now();
          })
          .finally(() => {
            loading = undefined;
          });
        await loading;
      }
      return weights;
    },
    invalidate() {
      loadedAt = Number.NEGATIVE_INFINITY;
    },
  };
}

/** Every answer from ClickHouse (`clickhouse/scores.ts`). */
export function clickhouseScores(ch: ClickHouse, weights: WeightsSource = storedWeights(ch)): ScoreSource {
  let inForce: Weights = DEFAULT_STANDARDS.weights;
  const queries = scoreQueries(ch, () => inForce);
  const fresh = async () => {
    inForce = await weights.current();
  };
  return {
    invalidate: () => {
      weights.invalidate();
    },
    async dailyScores(salonId, from, to) {
      await fresh();
      return queries.dailyScores(salonId, from, to);
    },
    async salonRanking(from, to, regionId) {
      await fresh();
      return queries.salonRanking(from, to, regionId);
    },
    async regionRanking(from, to) {
      await fresh();
      return queries.regionRanking(from, to);
    },
  };
}

/**
 * Answers from the score book when it holds the range, else from `older` (ClickHouse). After a
 * write through this process (`invalidate`), the next answer waits for the book's next poll.
 */
export function bookScores(sync: ScoreBookSync, weights: WeightsSource, older: ScoreSource): ScoreSource {
  const { book } = sync;
  const ready = async () => {
    await sync.fresh();
    return weights.current();
  };
  return {
    invalidate() {
      weights.invalidate();
      older.invalidate();
      sync.invalidate();
    },
    async dailyScores(salonId, from, to) {
      if (!book.covers(from)) return older.dailyScores(salonId, from, to);
      const w = await ready();
      return book.dailyScores(salonId, from, to, w);
    },
    async salonRanking(from, to, regionId) {
      if (!book.covers(from)) return older.salonRanking(from, to, regionId);
      const w = await ready();
      return book.salonRanking(from, to, regionId, w);
    },
    async regionRanking(from, to) {
      if (!book.covers(from)) return older.regionRanking(from, to);
      const w = await ready();
      return book.regionRanking(from, to, w);
    },
  };
}

/** The API's score source as `salonwatch api` runs it: the book loaded, polling, ClickHouse for older ranges. */
export async function startScores(
  ch: ClickHouse,
  log: Logger,
  options: Omit<ScoreBookSyncOptions, 'log'> = {},
): Promise<{ scores: ScoreSource; stop: () => void }> {
  const weights = storedWeights(ch);
  const sync = new ScoreBookSync(ch, { ...options, log });
  await sync.start();
  return {
    scores: bookScores(sync, weights, clickhouseScores(ch, weights)),
    stop: () => {
      sync.stop();
    },
  };
}
