import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameRing } from '../../edge/frame-ring.js';

const frame = (capturedAt: number) => ({ frame: { cameraId: 'c', capturedAt, width: 1, height: 1, data: new Uint8Array(3) }, people: [] });

test('keeps only the last span of frames and finds the one at or before a moment', () => {
  const ring = new FrameRing(5000);
  for (let t = 0; t <= 10_000; t += 1000) ring.push(frame(t));
  assert.equal(ring.size, 6, 'frames from 5 s to 10 s');
  assert.equal(ring.at(7500)?.frame.capturedAt, 7000);
  assert.equal(ring.at(10_000)?.frame.capturedAt, 10_000);
  assert.equal(ring.at(1000)?.frame.capturedAt, 5000, 'older than the span: the oldest kept frame');
});
