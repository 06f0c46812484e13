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
import { DEFAULT_STANDARDS, resolveStandards, parseStandardsOverride } from '../config/standards.js';
import type { ScoreSource } from './clickhouse-store.js';

/** The weights in force: defaults merged with the admin's stored override (api_standards). */
export async function currentWeights(ch: ClickHouse): Promise<Weights> {
  const rows = await ch.query(
    sql`SELECT override FROM api_standards ORDER BY updatedAt DESC, updatedMs DESC LIMIT 1`,
    Type.Object({ override: Type.String() }),
  );
  const row = rows[0];
  const override = row === undefined ? {} : parseStandardsOverride(JSON.parse(row.override) as unknown, 'api_standards.override');
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
