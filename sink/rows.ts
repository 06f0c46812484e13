/**
 * Validated events -> ClickHouse rows (the columns of clickhouse/migrations). Pure: the salon's
 * time zone is passed in. DateTime columns take epoch seconds, which both 18.16 and current
 * releases parse from JSONEachRow and TabSeparated alike; milliseconds go to their own column
 * (18.16 has no DateTime64).
 */
import type { IncidentEvent, SalonEvent } from '../events/schema.js';
import { localDay, splitByLocalDay } from './local-day.js';

export interface EventRow {
  eventId: string;
  type: SalonEvent['type'];
  salonId: string;
  cameraId: string;
  nodeId: string;
  occurredAt: number;
  occurredMs: number;
  producedAt: number;
  producedMs: number;
  localDate: string;
  durationS: number;
  groupSize: number;
  greeted: number;
  greetingLatencyS: number;
  staffPresent: number;
  waitS: number;
  abandoned: number;
  queueLength: number;
  staffCount: number;
  customerCount: number;
  open: number;
  windowS: number;
  payload: string;
}

export interface IncidentRow {
  incidentId: string;
  eventId: string;
  salonId: string;
  cameraId: string;
  nodeId: string;
  standard: IncidentEvent['payload']['standard'];
  startedAt: number;
  startedMs: number;
  endedAt: number | null;
  endedMs: number;
  summary: string;
  measured: number;
  threshold: number;
  evidenceSha256: string[];
  evidenceCapturedAt: string[];
  occurredAt: number;
  occurredMs: number;
  localDate: string;
  version: number;
  /** When the row was stored: the writer's epoch ms just before its insert (migrations/007). */
  insertedMs: number;
}

export interface IncidentDayRow {
  salonId: string;
  localDate: string;
  incidentId: string;
  standard: IncidentEvent['payload']['standard'];
  opened: number;
  seconds: number;
  version: number;
}

/** Epoch milliseconds of a schema timestamp (already validated as a real instant). */
export const millis = (iso: string) => Date.parse(iso);
const seconds = (ms: number) => Math.floor(ms / 1000);
const subsecond = (ms: number) => ms - seconds(ms) * 1000;

/** The events table's columns in the order `eventRow` fills them: the TabSeparated insert's column list. */
export const EVENT_COLUMNS = [
  'eventId',
  'type',
  'salonId',
  'cameraId',
  'nodeId',
  'occurredAt',
  'occurredMs',
  'producedAt',
  'producedMs',
  'localDate',
  'durationS',
  'groupSize',
  'greeted',
  'greetingLatencyS',
  'staffPresent',
  'waitS',
  'abandoned',
  'queueLength',
  'staffCount',
  'customerCount',
  'open',
  'windowS',
  'payload',
] as const satisfies readonly (keyof EventRow)[];

/**
 * One object literal with every column (zero where the type carries no such value), then the
 * type's own values: the sink builds a row per event, and spreading defaults into a fresh object
 * cost more than the rest of the row together.
 */
export function eventRow(event: SalonEvent, timeZone: string): EventRow {
  const occurred = millis(event.occurredAt);
  const produced = millis(event.producedAt);
  const row: EventRow = {
    eventId: event.eventId,
    type: event.type,
    salonId: event.salonId,
    cameraId: event.cameraId,
    nodeId: event.nodeId,
    occurredAt: seconds(occurred),
    occurredMs: subsecond(occurred),
    producedAt: seconds(produced),
    producedMs: subsecond(produced),
    localDate: localDay(occurred, timeZone),
    durationS: 0,
    groupSize: 0,
    greeted: 0,
    greetingLatencyS: 0,
    staffPresent: 0,
    waitS: 0,
    abandoned: 0,
    queueLength: 0,
    staffCount: 0,
    customerCount: 0,
    open: 0,
    windowS: 0,
    payload: JSON.stringify(event.payload),
  };
  switch (event.type) {
    case 'visit': {
      const p = event.payload;
      row.durationS = p.durationS;
      row.groupSize = p.groupSize;
      row.greeted = p.greeted ? 1 : 0;
      row.greetingLatencyS = p.greetingLatencyS ?? 0;
      row.staffPresent = p.staffPresent ? 1 : 0;
      break;
    }
    case 'wait':
      row.waitS = event.payload.waitS;
      row.abandoned = event.payload.outcome === 'abandoned' ? 1 : 0;
      break;
    case 'queue_sample':
      row.queueLength = event.payload.length;
      row.windowS = event.payload.windowS;
      break;
    case 'staff_sample': {
      const p = event.payload;
      row.staffCount = p.staffCount;
      row.customerCount = p.customerCount;
      row.open = p.open ? 1 : 0;
      row.windowS = p.windowS;
      break;
    }
    case 'incident':
    case 'camera_health':
      break;
  }
  return row;
}

/**
 * Orders the reports of one incident: later occurred-at wins, and at the same instant the
 * report that closes it wins over the one that opened it.
 */
export function incidentVersion(event: IncidentEvent): number {
  return millis(event.occurredAt) * 2 + (event.payload.endedAt === null ? 0 : 1);
}

export function incidentRow(event: IncidentEvent, timeZone: string, insertedMs: number): IncidentRow {
  const p = event.payload;
  const started = millis(p.startedAt);
  const ended = p.endedAt === null ? null : millis(p.endedAt);
  const occurred = millis(event.occurredAt);
  return {
    incidentId: p.incidentId,
    eventId: event.eventId,
    salonId: event.salonId,
    cameraId: event.cameraId,
    nodeId: event.nodeId,
    standard: p.standard,
    startedAt: seconds(started),
    startedMs: subsecond(started),
    endedAt: ended === null ? null : seconds(ended),
    endedMs: ended === null ? 0 : subsecond(ended),
    summary: p.summary,
    measured: p.measured,
    threshold: p.threshold,
    evidenceSha256: p.evidence.map((e) => e.sha256),
    evidenceCapturedAt: p.evidence.map((e) => e.capturedAt),
    occurredAt: seconds(occurred),
    occurredMs: subsecond(occurred),
    localDate: localDay(started, timeZone),
    version: incidentVersion(event),
    insertedMs,
  };
}

/**
 * The incident's share of each local day. An open incident counts up to the moment it was
 * reported (occurredAt); its closing report replaces these rows by version.
 */
export function incidentDayRows(event: IncidentEvent, timeZone: string): IncidentDayRow[] {
  const p = event.payload;
  const start = millis(p.startedAt);
  const end = p.endedAt === null ? Math.max(start, millis(event.occurredAt)) : millis(p.endedAt);
  const version = incidentVersion(event);
  return splitByLocalDay(start, end, timeZone).map((slice, i) => ({
    salonId: event.salonId,
    localDate: slice.day,
    incidentId: p.incidentId,
    standard: p.standard,
    opened: i === 0 ? 1 : 0,
    seconds: slice.seconds,
    version,
  }));
}
