import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF } from '../../ingest/backoff.js';

const policy = { initialMs: 500, maxMs: 4000, factor: 2 };

void test('delays double from the initial delay and stop at the cap', () => {
  // random = 1 gives the top of each jitter range, i.e. the un-jittered delay.
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10, 100].map((a) => backoffDelay(a, 1, policy)),
    [500, 1000, 2000, 4000, 4000, 4000, 4000],
  );
});

void test('jitter spreads each delay over its upper half', () => {
  assert.equal(backoffDelay(2, 0, policy), 1000);
  assert.equal(backoffDelay(2, 0.5, policy), 1500);
  for (let i = 0; i < 1000; i++) {
    const d = backoffDelay(5, Math.random(), policy);
    assert.ok(d >= 2000 && d <= 4000, String(d));
  }
});

void test('bad inputs are clamped, not propagated', () => {
  assert.equal(backoffDelay(-3, 1, policy), 500);
  assert.equal(backoffDelay(1.7, 1, policy), 1000);
  assert.equal(backoffDelay(0, 7, policy), 500);
  assert.equal(backoffDelay(0, -1, policy), 250);
});

void test('the default cap leaves room to reconnect within 10 s of a source returning', () => {
  assert.ok(backoffDelay(1000, 1, DEFAULT_BACKOFF) <= 5000);
});
