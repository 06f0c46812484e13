import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamClock } from '../../ingest/stream-clock.js';

const T0 = 1_795_600_000_000;

void test('capture times follow pts, not arrival jitter', () => {
  const clock = new StreamClock();
  // pts 1 s apart; arrivals bunched by a network hiccup.
  const arrivals = [0, 1300, 1400, 1450, 4200];
  const times = arrivals.map((a, i) => clock.capturedAt(100 + i, T0 + a) - T0);
  assert.deepEqual(times, [0, 1000, 2000, 3000, 4000]);
  assert.equal(clock.reanchored, 0);
});

void test('the origin of pts does not matter (RTSP starts at a random offset)', () => {
  const clock = new StreamClock();
  assert.equal(clock.capturedAt(91_234.5, T0), T0);
  assert.equal(clock.capturedAt(91_235.0, T0 + 520), T0 + 500);
});

void test('pts going backwards (camera restart) re-anchors on arrival, never going back in time', () => {
  const clock = new StreamClock();
  clock.capturedAt(50, T0);
  clock.capturedAt(51, T0 + 1000);
  assert.equal(clock.capturedAt(0, T0 + 2000), T0 + 2000);
  assert.equal(clock.capturedAt(1, T0 + 3000), T0 + 3000);
  assert.equal(clock.reanchored, 1);
  const again = new StreamClock();
  again.capturedAt(10, T0 + 5000);
  assert.ok(again.capturedAt(0, T0 + 4000) > T0 + 5000);
});

void test('drift beyond the bound re-anchors', () => {
  const clock = new StreamClock(5000);
  clock.capturedAt(0, T0);
  // A pts jump of an hour (discontinuity) arriving one second later.
  assert.equal(clock.capturedAt(3600, T0 + 1000), T0 + 1000);
  assert.equal(clock.reanchored, 1);
  // Within the bound it is kept.
  assert.equal(clock.capturedAt(3604, T0 + 1000 + 7000), T0 + 5000);
});

void test('capture times strictly increase even for equal pts', () => {
  const clock = new StreamClock();
  const a = clock.capturedAt(1, T0);
  const b = clock.capturedAt(1, T0);
  assert.ok(b > a);
});

void test('reset starts a new connection', () => {
  const clock = new StreamClock();
  clock.capturedAt(5, T0);
  clock.reset();
  assert.equal(clock.capturedAt(900, T0 + 60_000), T0 + 60_000);
  assert.equal(clock.reanchored, 0);
});
