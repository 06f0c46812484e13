import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyframeIntervalFromGaps, modeFor } from '../../ingest/decode-mode.js';

void test('keyframe-only decoding when keyframes come at least as often as samples', () => {
  assert.equal(modeFor(1, 1), 'keyframe');
  assert.equal(modeFor(1, 0.5), 'keyframe');
  assert.equal(modeFor(1, 1.2), 'keyframe');
  assert.equal(modeFor(1, 2), 'full');
  assert.equal(modeFor(0.5, 1), 'full');
  assert.equal(modeFor(2, 2), 'keyframe');
});

void test('the keyframe interval is the median gap, robust to one lost keyframe', () => {
  assert.equal(keyframeIntervalFromGaps([2, 2]), undefined);
  assert.equal(keyframeIntervalFromGaps([2, 4, 2]), 2);
  assert.equal(keyframeIntervalFromGaps([1, 1.04, 0.96]), 1);
  assert.equal(keyframeIntervalFromGaps([NaN, -1, 2, 2]), undefined);
});
