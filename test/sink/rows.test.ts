import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateEvents } from '../../events/generate.js';
import { checkEvent, type IncidentEvent } from '../../events/schema.js';
import { EVENT_COLUMNS, eventRow, incidentDayRows, incidentRow, incidentVersion } from '../../sink/rows.js';

const incident: IncidentEvent = {
  eventId: '6f1c1a52-7a4e-4b53-9a43-0c6f0d0e4b12',
  schemaVersion: 1,
  type: 'incident',
  salonId: 's1',
  cameraId: 'c1',
  nodeId: 'n1',
  occurredAt: '2026-11-25T21:10:00.250Z',
  producedAt: '2026-11-25T21:10:00.300Z',
  payload: {
    incidentId: 'inc-1',
    standard: 'staff_presence',
    startedAt: '2026-11-25T20:40:00.000Z',
    endedAt: '2026-11-25T21:10:00.000Z',
    summary: 'nobody on the floor',
    measured: 1800,
    threshold: 180,
    evidence: [{ sha256: 'b'.repeat(64), capturedAt: '2026-11-25T20:45:00.000Z' }],
  },
};

void test('generated events are valid events of the real schema', () => {
  for (const event of generateEvents({ count: 2000, salons: 10, seed: 1, startMs: Date.parse('2026-01-01T00:00:00.000Z'), stepMs: 1000 })) {
    const checked = checkEvent(JSON.parse(JSON.stringify(event)));
    assert.ok(checked.ok, checked.ok ? '' : checked.reason);
  }
});

void test('event rows carry seconds and milliseconds apart, the local day and typed payload values', () => {
  const row = eventRow(incident, 'Europe/Moscow');
  assert.equal(row.occurredAt, Date.parse('2026-11-25T21:10:00.000Z') / 1000);
  assert.equal(row.occurredMs, 250);
  assert.equal(row.localDate, '2026-11-26');
  assert.equal(row.type, 'incident');
  assert.deepEqual(JSON.parse(row.payload), incident.payload);
});

void test('an incident spanning local midnight is split into two days, opened on the first', () => {
  assert.deepEqual(incidentDayRows(incident, 'Europe/Moscow'), [
    { salonId: 's1', localDate: '2026-11-25', incidentId: 'inc-1', standard: 'staff_presence', opened: 1, seconds: 1200, version: incidentVersion(incident) },
    { salonId: 's1', localDate: '2026-11-26', incidentId: 'inc-1', standard: 'staff_presence', opened: 0, seconds: 600, version: incidentVersion(incident) },
  ]);
  assert.equal(incidentRow(incident, 'Europe/Moscow', 0).localDate, '2026-11-25');
});

void test('the closing report outranks the opening one, even at the same instant', () => {
  const opened: IncidentEvent = { ...incident, payload: { ...incident.payload, endedAt: null } };
  assert.ok(incidentVersion(incident) > incidentVersion(opened));
  const openRows = incidentDayRows({ ...opened, occurredAt: incident.payload.startedAt }, 'UTC');
  assert.deepEqual(
    openRows.map((r) => [r.localDate, r.seconds]),
    [['2026-11-25', 0]],
  );
});

void test('EVENT_COLUMNS lists every column of an event row, in the order eventRow fills them', () => {
  for (const event of generateEvents({ count: 200, salons: 3, seed: 2, startMs: Date.parse('2026-01-01T00:00:00.000Z'), stepMs: 60_000 })) {
    assert.deepEqual(Object.keys(eventRow(event, 'UTC')), [...EVENT_COLUMNS]);
  }
});
