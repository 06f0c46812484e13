/**
 * The one record that leaves an edge node: a versioned domain event. Producers (rules, camera
 * health), the publisher, the sink and the API all import their types and validation from here,
 * so a field exists in exactly one place. Evolution rules are in `events/README.md`.
 *
 * Shape: an envelope (who, where, when) with a `type` discriminant and one payload per type.
 * Every object rejects unknown keys, so a typo in a producer fails at the edge instead of
 * silently vanishing in ClickHouse.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { SalonwatchError } from '../common/errors.js';

export const SCHEMA_VERSION = 1;

/**
 * ISO-8601 UTC with exactly three fraction digits, as `Date.prototype.toISOString` prints.
 * One spelling keeps string comparison equal to time comparison and parses the same everywhere
 * (ClickHouse 18.16 has no DateTime64, so the sink splits it into seconds and milliseconds).
 */
export const Timestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  description: 'ISO-8601 UTC with milliseconds, e.g. 2026-11-25T13:20:00.000Z',
});

const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'UUID (any version), e.g. from crypto.randomUUID()',
});

/** Identifiers from the fleet configuration or minted by rules; bounded so a row stays small. */
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Seconds = Type.Number({ minimum: 0, description: 'seconds' });
const Count = Type.Integer({ minimum: 0 });

export const VisitPayload = Type.Object(
  {
    visitId: Id,
    startedAt: Timestamp,
    endedAt: Timestamp,
    durationS: Seconds,
    groupSize: Type.Integer({ minimum: 1, description: 'persons who entered together' }),
    greeted: Type.Boolean(),
    greetingLatencyS: Type.Union([Seconds, Type.Null()], { description: 'null when not greeted' }),
    staffPresent: Type.Boolean({ description: 'staff was on the floor at entry: the greeting opportunity' }),
  },
  { additionalProperties: false },
);

export const WaitPayload = Type.Object(
  {
    waitId: Id,
    joinedAt: Timestamp,
    endedAt: Timestamp,
    waitS: Seconds,
    outcome: Type.Union([Type.Literal('served'), Type.Literal('abandoned')]),
  },
  { additionalProperties: false },
);

export const QueueSamplePayload = Type.Object(
  {
    length: Type.Integer({ minimum: 0, description: 'persons waiting, smoothed over the window' }),
    windowS: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

export const StaffSamplePayload = Type.Object(
  {
    staffCount: Count,
    customerCount: Count,
    open: Type.Boolean({ description: 'inside opening hours' }),
    windowS: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

export const STANDARDS = ['greeting', 'queue_length', 'waiting_time', 'staff_presence', 'camera_coverage'] as const;
export type Standard = (typeof STANDARDS)[number];

export const Evidence = Type.Object(
  {
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'content address of a snapshot (faces blurred)' }),
    capturedAt: Timestamp,
  },
  { additionalProperties: false },
);

export const IncidentPayload = Type.Object(
  {
    incidentId: Id,
    standard: Type.Union(STANDARDS.map((s) => Type.Literal(s))),
    startedAt: Timestamp,
    endedAt: Type.Union([Timestamp, Type.Null()], { description: 'null while the incident is still open' }),
    summary: Type.String({ maxLength: 1000 }),
    measured: Type.Number(),
    threshold: Type.Number(),
    evidence: Type.Array(Evidence, { maxItems: 32 }),
  },
  { additionalProperties: false },
);

export const CAMERA_STATES = ['online', 'offline', 'frozen', 'black', 'moved'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

export const CameraHealthPayload = Type.Object(
  {
    state: Type.Union(CAMERA_STATES.map((s) => Type.Literal(s))),
    since: Timestamp,
    reason: Type.String({ maxLength: 1000 }),
  },
  { additionalProperties: false },
);

const payloads = {
  visit: VisitPayload,
  wait: WaitPayload,
  queue_sample: QueueSamplePayload,
  staff_sample: StaffSamplePayload,
  incident: IncidentPayload,
  camera_health: CameraHealthPayload,
} as const;

type Payloads = typeof payloads;
export type EventType = keyof Payloads;
export const EVENT_TYPES = Object.keys(payloads) as readonly EventType[];

/**
 * Periodic samples: the spool may drop them under pressure because the next sample carries the
 * same information. Everything else (visits, waits, incidents, camera health) is kept.
 */
export const LOW_VALUE_TYPES: ReadonlySet<EventType> = new Set<EventType>(['queue_sample', 'staff_sample']);

function envelope<K extends EventType, P extends TSchema>(type: K, payload: P) {
  return Type.Object(
    {
      eventId: Uuid,
      schemaVersion: Type.Literal(SCHEMA_VERSION),
      type: Type.Literal(type),
      salonId: Id,
      cameraId: Id,
      nodeId: Id,
      occurredAt: Timestamp,
      producedAt: Timestamp,
      payload,
    },
    { additionalProperties: false, $id: `salonwatch.event.v${SCHEMA_VERSION}.${type}` },
  );
}

export const VisitEvent = envelope('visit', VisitPayload);
export const WaitEvent = envelope('wait', WaitPayload);
export const QueueSampleEvent = envelope('queue_sample', QueueSamplePayload);
export const StaffSampleEvent = envelope('staff_sample', StaffSamplePayload);
export const IncidentEvent = envelope('incident', IncidentPayload);
export const CameraHealthEvent = envelope('camera_health', CameraHealthPayload);

const eventSchemas = {
  visit: VisitEvent,
  wait: WaitEvent,
  queue_sample: QueueSampleEvent,
  staff_sample: StaffSampleEvent,
  incident: IncidentEvent,
  camera_health: CameraHealthEvent,
} as const;

/** The discriminated union; for JSON Schema consumers (OpenAPI, docs). */
export const SalonEventSchema = Type.Union(Object.values(eventSchemas));

export type VisitEvent = Static<typeof VisitEvent>;
export type WaitEvent = Static<typeof WaitEvent>;
export type QueueSampleEvent = Static<typeof QueueSampleEvent>;
export type StaffSampleEvent = Static<typeof StaffSampleEvent>;
export type IncidentEvent = Static<typeof IncidentEvent>;
export type CameraHealthEvent = Static<typeof CameraHealthEvent>;
export type SalonEvent = VisitEvent | WaitEvent | QueueSampleEvent | StaffSampleEvent | IncidentEvent | CameraHealthEvent;
export type EventOf<K extends EventType> = Extract<SalonEvent, { type: K }>;
export type PayloadOf<K extends EventType> = EventOf<K>['payload'];

export type VisitPayload = Static<typeof VisitPayload>;
export type WaitPayload = Static<typeof WaitPayload>;
export type QueueSamplePayload = Static<typeof QueueSamplePayload>;
export type StaffSamplePayload = Static<typeof StaffSamplePayload>;
export type IncidentPayload = Static<typeof IncidentPayload>;
export type CameraHealthPayload = Static<typeof CameraHealthPayload>;
export type Evidence = Static<typeof Evidence>;

// Compiled once: the sink validates tens of thousands of messages per second.
const checks = Object.fromEntries(
  Object.entries(eventSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
) as { [K in EventType]: TypeCheck<(typeof eventSchemas)[K]> };

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(payloads, value);
}

export type EventCheck = { ok: true; event: SalonEvent } | { ok: false; reason: string };

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `/payload/startedAt` -> `payload.startedAt`, `/payload/evidence/0/sha256` -> `payload.evidence[0].sha256`. */
function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('')
    .replace(/^$/, '(event)');
}

const TIMESTAMP_FIELDS: { readonly [K in EventType]: readonly (keyof PayloadOf<K>)[] } = {
  visit: ['startedAt', 'endedAt'],
  wait: ['joinedAt', 'endedAt'],
  queue_sample: [],
  staff_sample: [],
  incident: ['startedAt', 'endedAt'],
  camera_health: ['since'],
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The pattern admits 2026-02-31T25:61:00.000Z; this checks the fields against the calendar.
 * Arithmetic rather than a Date round trip: the sink runs it on every timestamp it receives.
 */
function isRealInstant(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return (
    day >= 1 && day <= days && Number(value.slice(11, 13)) <= 23 && Number(value.slice(14, 16)) <= 59 && Number(value.slice(17, 19)) <= 59
  );
}

function semanticProblem(event: SalonEvent): string | undefined {
  for (const field of ['occurredAt', 'producedAt'] as const) {
    if (!isRealInstant(event[field])) return `${field}: not a calendar instant: ${event[field]}`;
  }
  const payload = event.payload as Record<string, unknown>;
  for (const field of TIMESTAMP_FIELDS[event.type] as readonly string[]) {
    const value = payload[field];
    if (typeof value === 'string' && !isRealInstant(value)) return `payload.${field}: not a calendar instant: ${value}`;
  }
  switch (event.type) {
    case 'visit':
      if (event.payload.endedAt < event.payload.startedAt) return 'payload.endedAt: before payload.startedAt';
      if (event.payload.greeted !== (event.payload.greetingLatencyS !== null)) {
        return 'payload.greetingLatencyS: must be a number exactly when greeted is true';
      }
      return undefined;
    case 'wait':
      return event.payload.endedAt < event.payload.joinedAt ? 'payload.endedAt: before payload.joinedAt' : undefined;
    case 'incident':
      for (const [i, e] of event.payload.evidence.entries()) {
        if (!isRealInstant(e.capturedAt)) return `payload.evidence[${i}].capturedAt: not a calendar instant`;
      }
      return event.payload.endedAt !== null && event.payload.endedAt < event.payload.startedAt
        ? 'payload.endedAt: before payload.startedAt'
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Validates an already-parsed value. The reason names the path of the first problem, e.g.
 * `payload.greetingLatencyS: Expected union value`, so a dead-lettered message says what is wrong.
 */
export function checkEvent(value: unknown): EventCheck {
  if (!isRecord(value)) return { ok: false, reason: '(event): expected an object' };
  const { type, schemaVersion } = value;
  if (schemaVersion !== SCHEMA_VERSION) {
    return { ok: false, reason: `schemaVersion: expected ${SCHEMA_VERSION}, got ${show(schemaVersion)}` };
  }
  if (!isEventType(type)) {
    return { ok: false, reason: `type: expected one of ${EVENT_TYPES.join(', ')}, got ${show(type)}` };
  }
  const check = checks[type];
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    return { ok: false, reason: first === undefined ? 'invalid event' : `${dotted(first.path)}: ${first.message}` };
  }
  const problem = semanticProblem(value);
  return problem === undefined ? { ok: true, event: value } : { ok: false, reason: problem };
}

/**
 * Kafka hands the sink Buffers: read them in place. `Buffer.from(bytes)` would copy every
 * message before decoding it; a plain Uint8Array is viewed, not copied, for the same reason.
 */
function utf8(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8');
}

/** Parses and validates wire bytes (UTF-8 JSON) as the sink receives them. */
export function decodeEvent(bytes: Uint8Array | string): EventCheck {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : utf8(bytes));
  } catch (error) {
    return { ok: false, reason: `(event): not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  return checkEvent(value);
}

/** Throws `EVENT_INVALID` naming the path: for producers, where an invalid event is a bug. */
export function assertEvent(value: unknown): SalonEvent {
  const result = checkEvent(value);
  if (!result.ok) throw new SalonwatchError('EVENT_INVALID', `invalid event: ${result.reason}`);
  return result.event;
}

export function encodeEvent(event: SalonEvent): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}

export function isLowValue(event: Pick<SalonEvent, 'type'>): boolean {
  return LOW_VALUE_TYPES.has(event.type);
}
