import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertEvent,
  checkEvent,
  decodeEvent,
  encodeEvent,
  isLowValue,
  type IncidentEvent,
  type SalonEvent,
  type VisitEvent,
} from '../../events/schema.js';
import { isSalonwatchError } from '../../common/errors.js';

const visit: VisitEvent = {
  eventId: '6f1c1a52-7a4e-4b53-9a43-0c6f0d0e4b11',
  schemaVersion: 1,
  type: 'visit',
  salonId: 'msk-0001',
  cameraId: 'msk-0001-cam1',
  nodeId: 'edge-msk-0001',
  occurredAt: '2026-11-25T10:00:40.000Z',
  producedAt: '2026-11-25T10:00:40.120Z',
  payload: {
    visitId: 'v-1',
    startedAt: '2026-11-25T10:00:00.000Z',
    endedAt: '2026-11-25T10:00:40.000Z',
    durationS: 40,
    groupSize: 1,
    greeted: true,
    greetingLatencyS: 7.5,
    staffPresent: true,
  },
};

const incident: IncidentEvent = {
  ...visit,
  eventId: '6f1c1a52-7a4e-4b53-9a43-0c6f0d0e4b12',
  type: 'incident',
  payload: {
    incidentId: 'inc-1',
    standard: 'queue_length',
    startedAt: '2026-11-25T10:00:00.000Z',
    endedAt: null,
    summary: '5 waiting for 2 min',
    measured: 5,
    threshold: 3,
    evidence: [{ sha256: 'a'.repeat(64), capturedAt: '2026-11-25T10:01:00.000Z' }],
  },
};

function reasonOf(value: unknown): string {
  const result = checkEvent(value);
  if (result.ok) assert.fail('expected the event to be rejected');
  return result.reason;
}

void test('valid events of every type pass and round-trip through the wire encoding', () => {
  const events: SalonEvent[] = [
    visit,
    incident,
    { ...visit, type: 'wait', payload: { waitId: 'w', joinedAt: visit.occurredAt, endedAt: visit.occurredAt, waitS: 0, outcome: 'abandoned' } },
    { ...visit, type: 'queue_sample', payload: { length: 4, windowS: 60 } },
    { ...visit, type: 'staff_sample', payload: { staffCount: 1, customerCount: 3, open: true, windowS: 60 } },
    { ...visit, type: 'camera_health', payload: { state: 'frozen', since: visit.occurredAt, reason: 'same frame for 60 s' } },
  ];
  for (const event of events) {
    const decoded = decodeEvent(encodeEvent(event));
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
    assert.deepEqual(decoded.event, event);
  }
});

void test('unknown keys are rejected with their path', () => {
  assert.match(reasonOf({ ...visit, extra: 1 }), /^extra: Unexpected property/);
  assert.match(reasonOf({ ...visit, payload: { ...visit.payload, colour: 'red' } }), /^payload\.colour: Unexpected property/);
});

void test('the reason names the offending field', () => {
  assert.match(reasonOf({ ...visit, payload: { ...visit.payload, groupSize: 0 } }), /^payload\.groupSize:/);
  assert.match(reasonOf({ ...visit, occurredAt: '2026-11-25T10:00:40Z' }), /^occurredAt:/);
  assert.match(reasonOf({ ...visit, eventId: 'not-a-uuid' }), /^eventId:/);
  assert.match(
    reasonOf({ ...incident, payload: { ...incident.payload, evidence: [{ sha256: 'xyz', capturedAt: visit.occurredAt }] } }),
    /^payload\.evidence\[0\]\.sha256:/,
  );
  assert.match(reasonOf({ ...incident, payload: { ...incident.payload, standard: 'smiles' } }), /^payload\.standard:/);
});

void test('type and version are checked before the payload, so the reason is about them', () => {
  assert.match(reasonOf({ ...visit, type: 'sale' }), /^type: expected one of/);
  assert.match(reasonOf({ ...visit, schemaVersion: 2 }), /^schemaVersion: expected 1, got 2/);
  assert.match(reasonOf({ ...visit, schemaVersion: undefined }), /got nothing/);
  assert.match(reasonOf([visit]), /expected an object/);
  assert.match(reasonOf(null), /expected an object/);
});

void test('impossible instants and reversed intervals are rejected', () => {
  assert.match(reasonOf({ ...visit, occurredAt: '2026-02-31T10:00:00.000Z' }), /^occurredAt: not a calendar instant/);
  assert.match(
    reasonOf({ ...visit, payload: { ...visit.payload, endedAt: '2026-11-25T09:00:00.000Z' } }),
    /^payload\.endedAt: before/,
  );
  assert.match(reasonOf({ ...visit, payload: { ...visit.payload, greeted: false } }), /greetingLatencyS/);
  assert.match(
    reasonOf({ ...incident, payload: { ...incident.payload, endedAt: '2026-11-25T09:00:00.000Z' } }),
    /^payload\.endedAt: before/,
  );
});

void test('bytes that are not JSON are rejected, not thrown', () => {
  const result = decodeEvent(Buffer.from('{"eventId":'));
  if (result.ok) assert.fail('expected a rejection');
  assert.match(result.reason, /not JSON/);
});

void test('assertEvent throws EVENT_INVALID with the reason', () => {
  assert.throws(
    () => assertEvent({ ...visit, cameraId: '' }),
    (error: unknown) => isSalonwatchError(error) && error.code === 'EVENT_INVALID' && /cameraId/.test(error.message),
  );
  assert.equal(assertEvent(visit), visit);
});

void test('only samples are low value', () => {
  assert.equal(isLowValue({ type: 'queue_sample' }), true);
  assert.equal(isLowValue({ type: 'staff_sample' }), true);
  assert.equal(isLowValue({ type: 'incident' }), false);
  assert.equal(isLowValue({ type: 'visit' }), false);
});

void test('calendar checks: leap days, month lengths, hours and minutes', () => {
  const at = (occurredAt: string) => checkEvent({ ...visit, occurredAt }).ok;
  assert.equal(at('2028-02-29T00:00:00.000Z'), true);
  assert.equal(at('2026-02-29T00:00:00.000Z'), false);
  assert.equal(at('2100-02-29T00:00:00.000Z'), false);
  assert.equal(at('2000-02-29T00:00:00.000Z'), true);
  assert.equal(at('2026-04-31T00:00:00.000Z'), false);
  assert.equal(at('2026-12-31T23:59:59.999Z'), true);
  assert.equal(at('2026-12-31T24:00:00.000Z'), false);
  assert.equal(at('2026-12-31T23:60:00.000Z'), false);
  assert.equal(at('2026-13-01T00:00:00.000Z'), false);
  assert.equal(at('2026-00-01T00:00:00.000Z'), false);
  assert.equal(at('2026-01-00T00:00:00.000Z'), false);
});
