/**
 * Storing a review: the review itself (an append: who, when, verdict, comment), then the
 * incident totals of every salon-day the incident touches, recomputed net of dismissals
 * (clickhouse/rollups.ts). A review therefore changes every score and ranking that reads
 * incident_daily as soon as this resolves. If the recompute fails after the review was stored,
 * the error reaches the caller, and a retry is harmless: a repeated review is one more row of
 * history with the same verdict, and the recompute is idempotent.
 */
import { Type } from '@sinclair/typebox';
import type { ClickHouse } from './client.js';
import { refreshIncidentDaily } from './rollups.js';
import { sql } from './sql.js';

export interface ReviewToStore {
  readonly incidentId: string;
  /** The incident's salon: incident_days is ordered by salon first, so its days are found fast. */
  readonly salonId: string;
  readonly reviewer: string;
  readonly verdict: 'confirm' | 'dismiss';
  readonly comment: string;
  /** Epoch milliseconds. */
  readonly reviewedAtMs: number;
}

const DayRow = Type.Object({ day: Type.String() });

/**
 * `version` must grow between calls of one process (a monotonic clock reading, as the sink
 * passes); the recompute itself also keeps it above the versions already stored.
 */
export async function storeReview(ch: ClickHouse, review: ReviewToStore, version: number): Promise<void> {
  await ch.insert('incident_reviews', [
    {
      incidentId: review.incidentId,
      salonId: review.salonId,
      reviewer: review.reviewer,
      reviewedAt: Math.floor(review.reviewedAtMs / 1000),
      reviewedMs: review.reviewedAtMs % 1000,
      verdict: review.verdict,
      comment: review.comment,
    },
  ]);
  const days = await ch.query(
    sql`SELECT DISTINCT toString(localDate) AS day FROM incident_days WHERE salonId = ${review.salonId} AND incidentId = ${review.incidentId}`,
    DayRow,
  );
  await refreshIncidentDaily(
    ch,
    days.map((d) => ({ salonId: review.salonId, localDate: d.day })),
    version,
  );
}

/** A version source for one process: epoch ms, strictly growing even within a millisecond. */
export function versionClock(now: () => number = Date.now): () => number {
  let last = 0;
  return () => (last = Math.max(now(), last + 1));
}
