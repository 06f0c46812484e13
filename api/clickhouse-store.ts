/**
 * The API's data port over the event backbone's ClickHouse tables (`clickhouse/migrations/`).
 * Every value reaches SQL through `clickhouse/sql.ts`; rows come back validated by the adapter.
 *
 * Incidents: `incidents` holds one row per incident event (open, then closed); the state of an
 * incident is its row with the highest `version`. `incident_reviews` is append-only; the newest
 * review decides the status (none: pending). All rows of one incident share `startedAt`, so a
 * filter on it never splits an incident.
 *
 * Scores and rankings are the backbone's own queries (`api/scores.ts` feeds them the weights);
 * this module adds the incident list, the incident, reviews, the salons dimension and the stored
 * standards override, which the backbone's module does not have.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouse } from '../clickhouse/client.js';
import { storeReview, versionClock } from '../clickhouse/reviews.js';
import { sql, joinSql, type Sql } from '../clickhouse/sql.js';
import { parseStandardsOverride } from '../config/standards.js';
import { SalonwatchError } from '../common/errors.js';
import type { Standard } from '../events/schema.js';
import type {
  ApiStore,
  DailyScore,
  Day,
  EvidenceRef,
  IncidentDetail,
  IncidentQuery,
  IncidentStatus,
  IncidentSummary,
  NewReview,
  RegionRank,
  SalonRank,
  SalonRow,
  StoredStandards,
} from './store.js';

/** The backbone's score and ranking queries (`clickhouse/scores.ts`) with the weights in force. */
export interface ScoreSource {
  dailyScores(salonId: string, from: Day, to: Day): Promise<readonly DailyScore[]>;
  salonRanking(from: Day, to: Day, regionId: string | null): Promise<readonly SalonRank[]>;
  regionRanking(from: Day, to: Day): Promise<readonly RegionRank[]>;
  /** The standards (weights) just changed. */
  invalidate(): void;
}

/**
 * The network's standards override: not part of the backbone's schema, so the API keeps it in
 * its own append-only table (newest row wins, history kept). Created on start, idempotently.
 */
export const STANDARDS_TABLE_DDL = sql`CREATE TABLE IF NOT EXISTS api_standards
(
    override String,
    updatedBy String,
    updatedAt DateTime('UTC'),
    updatedMs UInt16
)
ENGINE = MergeTree()
ORDER BY (updatedAt, updatedMs)`;

const SalonRowSchema = Type.Object({
  salonId: Type.String(),
  name: Type.String(),
  partnerId: Type.String(),
  regionId: Type.String(),
  timezone: Type.String(),
});

/** A row of `latestIncidentStates`. */
export const IncidentStateSchema = Type.Object({
  incidentId: Type.String(),
  salonId: Type.String(),
  cameraId: Type.String(),
  standard: Type.String(),
  startedKey: Type.String({ description: 'UInt64 ms since epoch (JSON quotes 64-bit integers)' }),
  endedKey: Type.String({ description: 'UInt64 ms since epoch, 0 while open' }),
  summary: Type.String(),
  measured: Type.Number(),
  threshold: Type.Number(),
  evidenceSha256: Type.Array(Type.String()),
  evidenceCapturedAt: Type.Array(Type.String()),
  stateVersion: Type.String(),
});

/** A row of `latestVerdicts`. */
export const VerdictRowSchema = Type.Object({
  incidentId: Type.String(),
  verdict: Type.String(),
  reviewedKey: Type.String(),
});

const IncidentRowSchema = Type.Composite([
  Type.Omit(IncidentStateSchema, ['stateVersion']),
  Type.Object({ verdict: Type.String() }),
]);
type IncidentRow = Static<typeof IncidentRowSchema>;

const EventRowSchema = Type.Object({
  eventId: Type.String(),
  occurredKey: Type.String(),
  endedKey: Type.String(),
  summary: Type.String(),
});

const ReviewRowSchema = Type.Object({
  reviewer: Type.String(),
  verdict: Type.String(),
  comment: Type.String(),
  reviewedKey: Type.String(),
});

const StandardsRowSchema = Type.Object({
  override: Type.String(),
  updatedBy: Type.String(),
  updatedKey: Type.String(),
});

function instant(key: string): string {
  return new Date(Number(key)).toISOString();
}

function msKey(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new SalonwatchError('INPUT_INVALID', `not an instant: ${iso}`);
  return ms;
}

function statusOf(verdict: string): IncidentStatus {
  return verdict === 'confirm' ? 'confirmed' : verdict === 'dismiss' ? 'dismissed' : 'pending';
}

const VERDICT_OF_STATUS: Record<IncidentStatus, string> = {
  pending: '',
  confirmed: 'confirm',
  dismissed: 'dismiss',
};

function summaryOf(row: IncidentRow): IncidentSummary {
  return {
    incidentId: row.incidentId,
    salonId: row.salonId,
    cameraId: row.cameraId,
    standard: row.standard as Standard,
    startedAt: instant(row.startedKey),
    endedAt: row.endedKey === '0' ? null : instant(row.endedKey),
    summary: row.summary,
    measured: row.measured,
    threshold: row.threshold,
    status: statusOf(row.verdict),
    evidence: evidenceOf(row),
  };
}

/** The evidence of an incident row: two parallel arrays in ClickHouse, pairs in the API. */
export function evidenceOf(row: { evidenceSha256: readonly string[]; evidenceCapturedAt: readonly string[] }): EvidenceRef[] {
  return row.evidenceSha256.map((sha256, i) => ({ sha256, capturedAt: row.evidenceCapturedAt[i] ?? '' }));
}

/** `IN (...)` wants a tuple of literals; an empty list matches nothing. */
function inList(values: readonly string[]): Sql {
  return values.length === 0 ? sql`NULL` : joinSql(values.map((v) => sql`${v}`));
}

/** ms since epoch of a row's start (DateTime seconds + the separate milliseconds column). */
const STARTED_KEY = sql`toUInt64(startedAt) * 1000 + startedMs`;

/**
 * The latest state of each incident matching `where`: the columns of IncidentStateSchema, one
 * row per incident. The API's incident book (api/incident-book-sync.ts) loads these too.
 */
export function latestIncidentStates(where: Sql): Sql {
  // Aliases are prefixed: ClickHouse substitutes an alias into WHERE, so `argMax(salonId, ..)
  // AS salonId` would turn the salon filter into an aggregate (and `AS version` would turn
  // argMax(.., version) into a nested aggregate).
  return sql`
    SELECT incidentId, l_salonId AS salonId, l_cameraId AS cameraId, l_standard AS standard,
           toString(l_startedKey) AS startedKey, toString(l_endedKey) AS endedKey, l_summary AS summary,
           l_measured AS measured, l_threshold AS threshold, l_evidenceSha256 AS evidenceSha256,
           l_evidenceCapturedAt AS evidenceCapturedAt, toString(l_version) AS stateVersion
    FROM
    (
        SELECT incidentId,
               argMax(salonId, version) AS l_salonId,
               argMax(cameraId, version) AS l_cameraId,
               toString(argMax(standard, version)) AS l_standard,
               argMax(${STARTED_KEY}, version) AS l_startedKey,
               argMax(if(isNull(endedAt), toUInt64(0), toUInt64(assumeNotNull(endedAt)) * 1000 + endedMs), version) AS l_endedKey,
               argMax(summary, version) AS l_summary,
               argMax(measured, version) AS l_measured,
               argMax(threshold, version) AS l_threshold,
               argMax(evidenceSha256, version) AS l_evidenceSha256,
               argMax(evidenceCapturedAt, version) AS l_evidenceCapturedAt,
               max(version) AS l_version
        FROM incidents
        WHERE ${where}
        GROUP BY incidentId
    )`;
}

/** The newest verdict of each incident whose reviews match `where` ('confirm' or 'dismiss'). */
export function latestVerdicts(where: Sql): Sql {
  return sql`SELECT incidentId, toString(argMax(verdict, (reviewedAt, reviewedMs))) AS verdict,
                    toString(max(toUInt64(reviewedAt) * 1000 + reviewedMs)) AS reviewedKey
             FROM incident_reviews
             WHERE ${where}
             GROUP BY incidentId`;
}

/**
 * The latest state of each incident matching `where`, with its newest verdict. The review
 * subquery reads only the candidates' reviews (incident_reviews is ordered by incidentId).
 */
function incidentStates(where: Sql, reviewWhere: Sql): Sql {
  // Joined subqueries are named: current releases require it (18.16 does not care).
  return sql`
    SELECT incidentId, salonId, cameraId, standard, startedKey, endedKey, summary, measured, threshold,
           evidenceSha256, evidenceCapturedAt, verdict
    FROM (${latestIncidentStates(where)}) AS states
    ANY LEFT JOIN (${latestVerdicts(reviewWhere)}) AS verdicts USING incidentId`;
}

/**
 * A review comes after the incident it judges, so the reviews of incidents that started after
 * `ms` were made after it too (a day of margin covers an edge node's clock running ahead).
 * incident_reviews is partitioned by month of reviewedAt: this prunes every older partition.
 */
function reviewedSince(ms: number): Sql {
  return sql`reviewedAt >= toDateTime(${Math.max(0, Math.floor(ms / 1000) - 86_400)})`;
}

/** The newest-first list pages by windows of start time, widened until a page is full. */
const MIN_WINDOW_MS = 3_600_000;
const MAX_SPAN_MS = 400 * 86_400_000;

export function clickhouseStore(ch: ClickHouse, scores: ScoreSource): ApiStore {
  const reviewVersion = versionClock();
  async function standardsRow(): Promise<StoredStandards> {
    const rows = await ch.query(
      sql`SELECT override, updatedBy, toString(toUInt64(updatedAt) * 1000 + updatedMs) AS updatedKey
          FROM api_standards ORDER BY updatedAt DESC, updatedMs DESC LIMIT 1`,
      StandardsRowSchema,
    );
    const row = rows[0];
    if (row === undefined) return { override: {}, updatedAt: null, updatedBy: null };
    return {
      override: parseStandardsOverride(
        JSON.parse(row.override) as unknown,
        'api_standards.override',
      ),
      updatedAt: instant(row.updatedKey),
      updatedBy: row.updatedBy,
    };
  }

  return {
    async ping() {
      await ch.query(sql`SELECT 1 AS ok`, Type.Object({ ok: Type.Number() }));
    },

    async salons(): Promise<SalonRow[]> {
      const rows = await ch.query(
        sql`SELECT salonId, argMax(name, updatedAt) AS name, argMax(partnerId, updatedAt) AS partnerId,
                   argMax(regionId, updatedAt) AS regionId, argMax(timezone, updatedAt) AS timezone
            FROM salons GROUP BY salonId ORDER BY salonId`,
        SalonRowSchema,
      );
      return rows.map((r) => ({
        id: r.salonId,
        name: r.name,
        partnerId: r.partnerId,
        regionId: r.regionId,
        timeZone: r.timezone,
      }));
    },

    dailyScores: (salonId, from, to) => scores.dailyScores(salonId, from, to),
    salonRanking: (from, to, regionId) => scores.salonRanking(from, to, regionId),
    regionRanking: (from, to) => scores.regionRanking(from, to),

    async incidents(query: IncidentQuery): Promise<IncidentSummary[]> {
      const base: Sql[] = [];
      const reviewBase: Sql[] = [];
      if (query.salonIds !== null) {
        base.push(sql`salonId IN (${inList(query.salonIds)})`);
        reviewBase.push(sql`salonId IN (${inList(query.salonIds)})`);
      }
      if (query.standard !== undefined) base.push(sql`standard = ${query.standard}`);
      const after = query.after;
      if (after !== undefined) {
        const key = msKey(after.startedAt);
        base.push(
          sql`(${STARTED_KEY} < ${key} OR (${STARTED_KEY} = ${key} AND incidentId < ${after.incidentId}))`,
        );
      }
      const statusFilter =
        query.statuses === null
          ? sql`1`
          : sql`verdict IN (${inList(query.statuses.map((s) => VERDICT_OF_STATUS[s]))})`;
      const lower = query.from === undefined ? undefined : msKey(query.from);
      let upper = Math.min(
        query.to === undefined ? Number.POSITIVE_INFINITY : msKey(query.to),
        after === undefined ? Number.POSITIVE_INFINITY : msKey(after.startedAt) + 1,
      );
      // Where the matching incidents lie and how dense they are, so the first window is sized to
      // hold about one page instead of growing from a guess.
      const boundParts = [
        ...base,
        ...(Number.isFinite(upper) ? [sql`${STARTED_KEY} < ${upper}`] : []),
        ...(lower === undefined ? [] : [sql`${STARTED_KEY} >= ${lower}`]),
      ];
      const bounds = boundParts.length === 0 ? sql`1` : joinSql(boundParts, ' AND ');
      const stats = (
        await ch.query(
          sql`SELECT toString(max(${STARTED_KEY})) AS newest, toString(min(${STARTED_KEY})) AS oldest, count() AS n
              FROM incidents WHERE ${bounds}`,
          Type.Object({
            newest: Type.String(),
            oldest: Type.String(),
            n: Type.Union([Type.String(), Type.Number()]),
          }),
        )
      )[0];
      const matching = Number(stats?.n ?? 0);
      if (stats === undefined || matching === 0) return [];
      upper = Math.min(upper, Number(stats.newest) + 1);
      const floor = Math.max(
        lower ?? Number.NEGATIVE_INFINITY,
        Number(stats.oldest),
        upper - MAX_SPAN_MS,
      );
      const found: IncidentSummary[] = [];
      const span = Math.max(1, upper - Number(stats.oldest));
      let window = Math.max(MIN_WINDOW_MS, (span * query.limit * 1.5) / matching);
      let top = upper;
      // Newest first, by widening windows of start time: the common queue and list requests are
      // answered from the last days' rows instead of a year's GROUP BY.
      while (top > floor && found.length < query.limit) {
        const bottom = Math.max(floor, top - window);
        const where = joinSql(
          [
            ...base,
            sql`startedAt >= toDateTime(${Math.floor(bottom / 1000)}) AND startedAt <= toDateTime(${Math.ceil(top / 1000)})`,
            sql`${STARTED_KEY} >= ${bottom} AND ${STARTED_KEY} < ${top}`,
          ],
          ' AND ',
        );
        const rows = await ch.query(
          sql`SELECT * FROM (${incidentStates(where, joinSql([...reviewBase, reviewedSince(bottom), sql`incidentId IN (SELECT incidentId FROM incidents WHERE ${where})`], ' AND '))})
              WHERE ${statusFilter}
              ORDER BY toUInt64(startedKey) DESC, incidentId DESC
              LIMIT ${query.limit - found.length}`,
          IncidentRowSchema,
        );
        found.push(...rows.map(summaryOf));
        top = bottom;
        window *= 4;
      }
      return found;
    },

    async incident(incidentId: string): Promise<IncidentDetail | undefined> {
      const where = sql`incidentId = ${incidentId}`;
      const [states, events, reviews] = await Promise.all([
        ch.query(incidentStates(where, where), IncidentRowSchema),
        ch.query(
          sql`SELECT eventId, toString(toUInt64(occurredAt) * 1000 + occurredMs) AS occurredKey,
                     toString(if(isNull(endedAt), toUInt64(0), toUInt64(assumeNotNull(endedAt)) * 1000 + endedMs)) AS endedKey, summary
              FROM incidents WHERE ${where}
              ORDER BY version LIMIT 1 BY eventId`,
          EventRowSchema,
        ),
        ch.query(
          sql`SELECT reviewer, toString(verdict) AS verdict, comment, toString(toUInt64(reviewedAt) * 1000 + reviewedMs) AS reviewedKey
              FROM incident_reviews WHERE ${where} ORDER BY reviewedAt, reviewedMs`,
          ReviewRowSchema,
        ),
      ]);
      const state = states[0];
      if (state === undefined) return undefined;
      return {
        ...summaryOf(state),
        events: events.map((e) => ({
          eventId: e.eventId,
          occurredAt: instant(e.occurredKey),
          endedAt: e.endedKey === '0' ? null : instant(e.endedKey),
          summary: e.summary,
        })),
        reviews: reviews.map((r) => ({
          reviewer: r.reviewer,
          verdict: r.verdict === 'confirm' ? 'confirm' : 'dismiss',
          comment: r.comment,
          reviewedAt: instant(r.reviewedKey),
        })),
      };
    },

    async addReview(review: NewReview) {
      await storeReview(
        ch,
        {
          incidentId: review.incidentId,
          salonId: review.salonId,
          reviewer: review.reviewer,
          verdict: review.verdict,
          comment: review.comment,
          reviewedAtMs: msKey(review.reviewedAt),
        },
        reviewVersion(),
      );
      scores.invalidate();
    },

    standards: standardsRow,

    async saveStandards(override, by, at) {
      const ms = msKey(at);
      await ch.insert('api_standards', [
        {
          override: JSON.stringify(override),
          updatedBy: by,
          updatedAt: Math.floor(ms / 1000),
          updatedMs: ms % 1000,
        },
      ]);
      scores.invalidate();
    },

    close: () => ch.close(),
  };
}
