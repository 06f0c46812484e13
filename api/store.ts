/**
 * The port between the HTTP routes and the data: everything the API reads or writes, in the
 * API's own terms. `api/clickhouse-store.ts` is the adapter over the event backbone's tables;
 * routes never see SQL. Methods take already-authorised scopes (`salonIds`), never a principal:
 * deciding who may see what happens once, in the route groups (`api/access.ts`).
 */
import type { Standard } from '../events/schema.js';
import type { StandardsOverride } from '../config/standards.js';
import type { RegionRank, SalonRank } from '../clickhouse/scores.js';

export interface SalonRow {
  readonly id: string;
  readonly name: string;
  readonly partnerId: string;
  readonly regionId: string;
  readonly timeZone: string;
}

/** `YYYY-MM-DD`, a day in the salon's own time zone. */
export type Day = string;

export interface DailyScore {
  readonly day: Day;
  /** Weighted 0-100 score; null when no standard had anything to measure that day. */
  readonly score: number | null;
  /** Compliance rate per standard, 0-1; null when the standard had no opportunities. */
  readonly standards: Readonly<Record<Standard, number | null>>;
}

// Rankings are the backbone's records (clickhouse/scores.ts); the API serves them as they are.
export type { RegionRank, SalonRank };

export const INCIDENT_STATUSES = ['pending', 'confirmed', 'dismissed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const VERDICTS = ['confirm', 'dismiss'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface EvidenceRef {
  readonly sha256: string;
  readonly capturedAt: string;
}

export interface IncidentSummary {
  readonly incidentId: string;
  readonly salonId: string;
  readonly cameraId: string;
  readonly standard: Standard;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly summary: string;
  readonly measured: number;
  readonly threshold: number;
  readonly status: IncidentStatus;
  readonly evidence: EvidenceRef[];
}

export interface Review {
  readonly reviewer: string;
  readonly verdict: Verdict;
  readonly comment: string;
  readonly reviewedAt: string;
}

export interface IncidentEventRow {
  readonly eventId: string;
  readonly occurredAt: string;
  readonly endedAt: string | null;
  readonly summary: string;
}

/** Arrays are mutable only so that rows satisfy the response schemas' static types as they are. */
export interface IncidentDetail extends IncidentSummary {
  readonly events: IncidentEventRow[];
  readonly reviews: Review[];
}

/** Position in the newest-first order: (startedAt, incidentId) of the last item returned. */
export interface IncidentCursor {
  readonly startedAt: string;
  readonly incidentId: string;
}

export interface IncidentQuery {
  /** null: every salon (staff); otherwise only these (an owner's, already checked). */
  readonly salonIds: readonly string[] | null;
  /** null: every status; owners are limited to confirmed incidents by their scope. */
  readonly statuses: readonly IncidentStatus[] | null;
  readonly standard?: Standard;
  readonly from?: string;
  readonly to?: string;
  readonly after?: IncidentCursor;
  readonly limit: number;
}

export interface NewReview {
  readonly incidentId: string;
  /** The incident's salon, as the caller already loaded it (reviews are stored with it). */
  readonly salonId: string;
  readonly reviewer: string;
  readonly verdict: Verdict;
  readonly comment: string;
  readonly reviewedAt: string;
}

export interface StoredStandards {
  readonly override: StandardsOverride;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export interface ApiStore {
  ping(): Promise<void>;
  salons(): Promise<readonly SalonRow[]>;
  dailyScores(salonId: string, from: Day, to: Day): Promise<readonly DailyScore[]>;
  salonRanking(from: Day, to: Day, regionId: string | null): Promise<readonly SalonRank[]>;
  regionRanking(from: Day, to: Day): Promise<readonly RegionRank[]>;
  incidents(query: IncidentQuery): Promise<readonly IncidentSummary[]>;
  incident(incidentId: string): Promise<IncidentDetail | undefined>;
  addReview(review: NewReview): Promise<void>;
  standards(): Promise<StoredStandards>;
  saveStandards(override: StandardsOverride, by: string, at: string): Promise<void>;
  close(): Promise<void>;
}
