/**
 * HTTP schemas: one TypeBox schema per parameter set and response gives Fastify's validation,
 * the handlers' types (type provider) and the OpenAPI document. Response schemas also act as an
 * allow-list: a field not declared here is never serialised, so a store row cannot leak a column.
 *
 * These use `typebox` 1.x as re-exported by `@fastify/type-provider-typebox` (the provider's
 * static types need it); the event and standards records stay on `@sinclair/typebox` and are
 * re-validated with their own functions where they cross in.
 */
import { Type } from '@fastify/type-provider-typebox';
import { STANDARDS } from '../events/schema.js';
import { INCIDENT_STATUSES, VERDICTS } from './store.js';
import { ROLES } from './auth.js';

/** Fleet ids: the same alphabet as `config/fleet.ts`, so no quote or space ever reaches SQL. */
export const Id = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
});
/** Incident ids are minted by the rules (`detectors/rules/ids.ts`) from fleet ids and times. */
export const IncidentId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
});
export const Sha256 = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'evidence id: SHA-256 of the JPEG, lower-case hex',
});
export const Day = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
  description: 'YYYY-MM-DD',
});
export const Instant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$',
  description: 'ISO-8601 UTC, e.g. 2026-11-25T13:20:00Z',
});
export const StandardName = Type.Enum([...STANDARDS]);
export const Status = Type.Enum([...INCIDENT_STATUSES]);

export const Salon = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    partnerId: Type.String(),
    regionId: Type.String(),
    timeZone: Type.String(),
  },
  { additionalProperties: false },
);

export const SalonParams = Type.Object({ salonId: Id }, { additionalProperties: false });
export const IncidentParams = Type.Object(
  { incidentId: IncidentId },
  { additionalProperties: false },
);
export const EvidenceParams = Type.Object(
  { incidentId: IncidentId, sha256: Sha256 },
  { additionalProperties: false },
);

export const DayRange = Type.Object(
  { from: Day, to: Day },
  { additionalProperties: false, description: 'inclusive range of days; at most 400 days' },
);

const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);
export const DailyScore = Type.Object(
  {
    day: Type.String(),
    score: Type.Union([Type.Number(), Type.Null()]),
    standards: Type.Object(
      {
        greeting: Rate,
        queue_length: Rate,
        waiting_time: Rate,
        staff_presence: Rate,
        camera_coverage: Rate,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const ScoresResponse = Type.Object(
  { salonId: Type.String(), from: Type.String(), to: Type.String(), days: Type.Array(DailyScore) },
  { additionalProperties: false },
);

export const SalonRankingQuery = Type.Object(
  { from: Day, to: Day, regionId: Type.Optional(Id) },
  { additionalProperties: false },
);
export const SalonRank = Type.Object(
  { rank: Type.Integer(), salonId: Type.String(), regionId: Type.String(), score: Type.Number() },
  { additionalProperties: false },
);
export const SalonRankingResponse = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    regionId: Type.Union([Type.String(), Type.Null()]),
    total: Type.Integer({
      description: 'salons ranked; an owner receives only the entries of their own salons',
    }),
    entries: Type.Array(SalonRank),
  },
  { additionalProperties: false },
);
export const RegionRankingResponse = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    entries: Type.Array(
      Type.Object(
        {
          rank: Type.Integer(),
          regionId: Type.String(),
          score: Type.Number(),
          salons: Type.Integer(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const IncidentListQuery = Type.Object(
  {
    salonId: Type.Optional(Id),
    standard: Type.Optional(StandardName),
    status: Type.Optional(Status),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    cursor: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]{1,400}$',
        description: 'nextCursor of the previous page',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

const EvidenceRef = Type.Object(
  { sha256: Type.String(), capturedAt: Type.String() },
  { additionalProperties: false },
);
const incidentFields = {
  incidentId: Type.String(),
  salonId: Type.String(),
  cameraId: Type.String(),
  standard: Type.String(),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  summary: Type.String(),
  measured: Type.Number(),
  threshold: Type.Number(),
  status: Status,
  evidence: Type.Array(EvidenceRef),
};
export const IncidentSummary = Type.Object(incidentFields, { additionalProperties: false });
export const IncidentPage = Type.Object(
  { items: Type.Array(IncidentSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export const Review = Type.Object(
  {
    reviewer: Type.String(),
    verdict: Type.Enum([...VERDICTS]),
    comment: Type.String(),
    reviewedAt: Type.String(),
  },
  { additionalProperties: false },
);
export const IncidentDetail = Type.Object(
  {
    ...incidentFields,
    events: Type.Array(
      Type.Object(
        {
          eventId: Type.String(),
          occurredAt: Type.String(),
          endedAt: Type.Union([Type.String(), Type.Null()]),
          summary: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    reviews: Type.Array(Review),
  },
  { additionalProperties: false },
);

export const ReviewBody = Type.Object(
  {
    verdict: Type.Enum([...VERDICTS]),
    comment: Type.String({ maxLength: 2000, description: 'why; required when dismissing' }),
  },
  { additionalProperties: false },
);

export const Me = Type.Object(
  {
    subject: Type.String(),
    role: Type.Enum([...ROLES]),
    partnerId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const Health = Type.Object({ status: Type.String() }, { additionalProperties: false });
