import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamClock } from '../../ingest/stream-clock.js';

const T0 = 1_795_600_000_000;

void test('capture times follow pts, not arrival jitter', () => {
  const clock = new StreamClock(5000, 0);
  // pts 1 s apart; arrivals delayed by jitter and a network hiccup.
  const arrivals = [0, 1300, 2400, 3050, 4900];
  const times = arrivals.map((a, i) => clock.capturedAt(100 + i, T0 + a) - T0);
  assert.deepEqual(times, [0, 1000, 2000, 3000, 4000]);
  assert.equal(clock.reanchored, 0);
});

void test('a burst at connect never puts capture times after arrival, and steady state follows pts', () => {
  const clock = new StreamClock(5000, 0);
  // The server sends 3 s of buffered frames at once, then real time.
  const burst = [0, 1, 2, 3].map((pts) => clock.capturedAt(pts, T0 + pts * 10));
  burst.forEach((at, i) => {
    assert.ok(at <= T0 + i * 10 + 1, `frame ${i} at ${at - T0}`);
  });
  assert.equal(clock.capturedAt(4, T0 + 1030), T0 + 1030);
  assert.equal(clock.capturedAt(5, T0 + 2100), T0 + 2030);
  assert.equal(clock.capturedAt(6, T0 + 3030), T0 + 3030);
});

void test('the origin of pts does not matter (RTSP starts at a random offset)', () => {
  const clock = new StreamClock(5000, 0);
  assert.equal(clock.capturedAt(91_234.5, T0), T0);
  assert.equal(clock.capturedAt(91_235.0, T0 + 520), T0 + 500);
});

void test('the offset leaks upward so a slow camera clock does not accumulate lag', () => {
  const clock = new StreamClock(5000, 0.001);
  clock.capturedAt(0, T0);
  // The camera's clock runs 0.05% slow: its pts advance 999.5 ms per real second.
  let at = 0;
  for (let s = 1; s <= 3600; s++) at = clock.capturedAt(s * 0.9995, T0 + s * 1000);
  assert.ok(T0 + 3_600_000 - at < 50, `lag ${T0 + 3_600_000 - at} ms after an hour`);
});

void test('pts going backwards (camera restart) renews the mapping, never going back in time', () => {
  const clock = new StreamClock(5000, 0);
  clock.capturedAt(50, T0);
  clock.capturedAt(51, T0 + 1000);
  assert.equal(clock.capturedAt(0, T0 + 2000), T0 + 2000);
  assert.equal(clock.capturedAt(1, T0 + 3000), T0 + 3000);
  assert.equal(clock.reanchored, 1);
});

void test('a pts jump forward renews the mapping', () => {
  const clock = new StreamClock(5000, 0);
  clock.capturedAt(0, T0);
  assert.equal(clock.capturedAt(3600, T0 + 1000), T0 + 1000);
  assert.equal(clock.reanchored, 1);
  assert.equal(clock.capturedAt(3604, T0 + 1000 + 4100), T0 + 5000);
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

void test('a frame without pts is stamped with its arrival, still after the previous frame', () => {
  const clock = new StreamClock();
  const a = clock.capturedAt(10, T0 + 500);
  assert.equal(clock.withoutPts(T0 + 1500), T0 + 1500);
  assert.equal(clock.withoutPts(a - 100), T0 + 1501);
});
