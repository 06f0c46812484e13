/**
 * Scores and rankings for the API: the backbone's own queries (`clickhouse/scores.ts`), fed with
 * the weights in force. The weights are the defaults merged with the override an admin saved
 * through the API (`api_standards`); they are re-read at most every few seconds, and at once in
 * the process that saved a change, so a change applies to the next query.
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

export function clickhouseScores(ch: ClickHouse, now: () => number = Date.now): ScoreSource {
  let weights: Weights = DEFAULT_STANDARDS.weights;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;
  const queries = scoreQueries(ch, () => weights);
  const fresh = async () => {
    if (now() - loadedAt < WEIGHTS_TTL_MS) return;
    loading ??= currentWeights(ch)
      .then((w) => {
        weights = w;
        loadedAt = now();
      })
      .finally(() => {
        loading = undefined;
      });
    await loading;
  };
  return {
    invalidate() {
      loadedAt = Number.NEGATIVE_INFINITY;
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
 * Shares score and ranking answers between callers for a few seconds: a month's ranking of the
 * network is the same for every caller, and under load many ask at once, so concurrent identical
 * requests share one query and later ones reuse its answer. The cache is emptied whenever this
 * process stores a review or a standards change, so a dismissal leaves the scores at once;
 * what it can miss is a change made elsewhere (new events from the sink, another API instance),
 * for at most `ttlMs`.
 */
export function sharedScores(
  source: ScoreSource,
  ttlMs = WEIGHTS_TTL_MS,
  now: () => number = Date.now,
  maxEntries = 10_000,
): ScoreSource {
  let answers = new Map<string, { at: number; value: Promise<unknown> }>();
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = answers.get(key);
    if (hit !== undefined && now() - hit.at < ttlMs) return hit.value as Promise<T>;
    if (answers.size >= maxEntries) answers = new Map();
    const value = load();
    const entry = { at: now(), value };
    answers.set(key, entry);
    // A failure is not remembered: the next caller asks the database again.
    value.catch(() => {
      if (answers.get(key) === entry) answers.delete(key);
    });
    return value;
  }
  return {
    invalidate() {
      answers = new Map();
      source.invalidate();
    },
    dailyScores: (salonId, from, to) =>
      cached(`d|${salonId}|${from}|${to}`, () => source.dailyScores(salonId, from, to)),
    salonRanking: (from, to, regionId) =>
      cached(`s|${from}|${to}|${regionId ?? ''}`, () => source.salonRanking(from, to, regionId)),
    regionRanking: (from, to) => cached(`r|${from}|${to}`, () => source.regionRanking(from, to)),
  };
}
