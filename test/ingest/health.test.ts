import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertEvent } from '../../events/schema.js';
import {
  CameraHealth,
  cameraHealthEvent,
  healthPayload,
  type HealthStatus,
} from '../../ingest/health.js';
import { pictureStats, viewCorrelation as correlation } from '../../ingest/picture.js';
import { sceneFrame, uniformFrame } from './synthetic.js';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const s = (n: number) => T0 + n * 1000;

/** Feeds one frame per second from `from` to `to` (inclusive); returns the changes seen. */
function feed(
  health: CameraHealth,
  from: number,
  to: number,
  make: (at: number, i: number) => ReturnType<typeof sceneFrame>,
) {
  const changes: HealthStatus[] = [];
  for (let i = from; i <= to; i++) {
    const change = health.frame(make(s(i), i));
    if (change !== undefined) changes.push(change);
  }
  return changes;
}

/** The single change expected; fails the test otherwise. */
function only(changes: readonly HealthStatus[]): HealthStatus {
  assert.equal(changes.length, 1, JSON.stringify(changes));
  const [change] = changes;
  assert.ok(change);
  return change;
}

/** People walking across the scene, a different position every second. */
const walking = (at: number, i: number) =>
  sceneFrame(at, {
    people: [
      [(i * 37) % 700, 200],
      [(i * 53 + 300) % 700, 240],
    ],
  });

void test('a camera starts offline and goes online with its first frame', () => {
  const health = new CameraHealth(s(0));
  assert.equal(health.status.state, 'offline');
  const changes = feed(health, 1, 1, walking);
  assert.deepEqual(changes, [{ state: 'online', since: s(1), reason: 'frames arriving' }]);
});

void test('a live scene with people walking through stays online', () => {
  const health = new CameraHealth(s(0));
  const changes = feed(health, 1, 180, walking);
  assert.deepEqual(
    changes.map((c) => c.state),
    ['online'],
  );
  assert.ok(
    health.correlationWithReference > 0.7,
    `correlation ${health.correlationWithReference}`,
  );
});

void test('a black picture is reported once confirmed, with the time it began', () => {
  const health = new CameraHealth(s(0));
  feed(health, 1, 20, walking);
  const change = only(feed(health, 21, 50, (at) => uniformFrame(at, 4)));
  assert.equal(change.state, 'black');
  assert.equal(change.since, s(21));
  assert.match(change.reason, /dark picture/);
  // Detected within 30 s of its start, as coverage accounting needs.
  const back = feed(health, 51, 52, walking);
  assert.deepEqual(back, [{ state: 'online', since: s(51), reason: 'frames arriving' }]);
});

void test('a covered lens (bright, uniform) counts as black', () => {
  const health = new CameraHealth(s(0));
  feed(health, 1, 10, walking);
  const change = only(feed(health, 11, 30, (at) => uniformFrame(at, 170, 6)));
  assert.equal(change.state, 'black');
  assert.match(change.reason, /uniform/);
});

void test('a passer-by blocking the lens briefly is not black', () => {
  const health = new CameraHealth(s(0));
  feed(health, 1, 10, walking);
  const changes = [
    ...feed(health, 11, 15, (at) => uniformFrame(at, 30, 6)),
    ...feed(health, 16, 40, walking),
  ];
  assert.deepEqual(changes, []);
});

void test('identical frames are reported frozen from the first repeat', () => {
  const health = new CameraHealth(s(0));
  feed(health, 1, 20, walking);
  const stuck = sceneFrame(s(20), { people: [[100, 200]] });
  const change = only(feed(health, 21, 45, (at) => ({ ...stuck, capturedAt: at })));
  assert.equal(change.state, 'frozen');
  assert.equal(change.since, s(21));
  assert.ok(s(45) - s(21) <= 30_000);
});

void test('a static scene with sensor noise is not frozen', () => {
  const health = new CameraHealth(s(0));
  const changes = feed(health, 1, 120, (at) => sceneFrame(at, { noise: 2 }));
  assert.deepEqual(
    changes.map((c) => c.state),
    ['online'],
  );
});

void test('a camera turned away is reported moved; people do not trigger it', () => {
  const health = new CameraHealth(s(0), { movedAfterMs: 30_000 });
  feed(health, 1, 60, walking);
  const change = only(
    feed(health, 61, 100, (at, i) =>
      sceneFrame(at, { shiftX: 90, people: [[(i * 37) % 700, 200]] }),
    ),
  );
  assert.equal(change.state, 'moved');
  assert.equal(change.since, s(61));
  assert.match(change.reason, /correlation/);
  // After a deliberate re-aim the operator resets the reference; the new view is normal.
  health.resetReference();
  const after = feed(health, 101, 140, (at) => sceneFrame(at, { shiftX: 90 }));
  assert.deepEqual(
    after.map((c) => c.state),
    ['online'],
  );
});

void test('the view signature tolerates people and lighting, not a shift', () => {
  const reference = pictureStats(sceneFrame(s(0))).signature;
  const crowded = pictureStats(
    sceneFrame(s(1), {
      people: [
        [100, 200],
        [350, 220],
        [600, 180],
      ],
    }),
  ).signature;
  const shifted = pictureStats(sceneFrame(s(2), { shiftX: 80 })).signature;
  const brighter = sceneFrame(s(3));
  brighter.data.forEach((v, i) => (brighter.data[i] = Math.min(255, Math.round(v * 1.3))));
  assert.ok(correlation(reference, crowded) > 0.7, `crowded ${correlation(reference, crowded)}`);
  assert.ok(correlation(reference, pictureStats(brighter).signature) > 0.9);
  assert.ok(correlation(reference, shifted) < 0.5, `shifted ${correlation(reference, shifted)}`);
});

void test('offline keeps the time of the first failure across retries, and wins over picture states', () => {
  const health = new CameraHealth(s(0));
  feed(health, 1, 5, walking);
  assert.deepEqual(health.offline('refused: Connection refused', s(6)), {
    state: 'offline',
    since: s(6),
    reason: 'refused: Connection refused',
  });
  assert.equal(health.offline('refused: Connection refused', s(10)), undefined);
  assert.equal(health.status.since, s(6));
  const back = health.frame(uniformFrame(s(12), 0));
  assert.deepEqual(back, { state: 'online', since: s(12), reason: 'frames arriving' });
});

void test('update() confirms a condition without a new frame', () => {
  const health = new CameraHealth(s(0));
  feed(health, 1, 3, walking);
  feed(health, 4, 4, (at) => uniformFrame(at, 0));
  assert.equal(health.status.state, 'online');
  assert.equal(health.update(s(14))?.state, 'black');
});

void test('the event payload matches the schema: ISO time', () => {
  assert.deepEqual(healthPayload({ state: 'frozen', since: s(1), reason: 'identical frames' }), {
    state: 'frozen',
    since: '2026-11-25T10:00:01.000Z',
    reason: 'identical frames',
  });
});

void test('the camera_health event passes the event schema', () => {
  const event = cameraHealthEvent(
    { salonId: 's1', cameraId: 'c1', nodeId: 'edge-1' },
    { state: 'black', since: s(21), reason: 'dark picture (mean luma 4)' },
    '6f1c1a52-7a4e-4b53-9a43-0c6f0d0e4b11',
    s(31),
  );
  assert.deepEqual(assertEvent(event), event);
  assert.equal(event.occurredAt, '2026-11-25T10:00:21.000Z');
  assert.equal(event.producedAt, '2026-11-25T10:00:31.000Z');
});
