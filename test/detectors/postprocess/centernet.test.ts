import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCandidates } from '../../../detectors/postprocess/candidates.js';
import { decodeCenterNet } from '../../../detectors/postprocess/centernet.js';

describe('decodeCenterNet', () => {
  // Rows of x1, y1, x2, y2, score, class.
  const rows = new Float32Array(
    [
      [10, 20, 50, 120, 0.9, 0], // person
      [60, 20, 90, 80, 0.8, 2], // car
      [100, 100, 140, 200, 0.2, 0], // person under the threshold
      [30, 30, 30, 90, 0.7, 0], // zero-width box
      [200, 10, 240, 110, 0.5, 0.0001], // class read as float: still person
    ].flat(),
  );

  it('keeps person rows above the threshold with their boxes', () => {
    const out = createCandidates();
    decodeCenterNet(rows, { scoreThreshold: 0.3, classId: 0 }, out);
    assert.equal(out.count, 2);
    assert.deepEqual(Array.from(out.boxes.subarray(0, 8)), [10, 20, 50, 120, 200, 10, 240, 110]);
    assert.ok(Math.abs((out.scores[0] ?? 0) - 0.9) < 1e-6);
  });

  it('keeps every class when none is asked for', () => {
    const out = createCandidates();
    decodeCenterNet(rows, { scoreThreshold: 0.3 }, out);
    assert.equal(out.count, 3);
    assert.equal(out.classIds[1], 2);
  });

  it('rejects a tensor that is not rows of 6', () => {
    assert.throws(() => {
      decodeCenterNet(new Float32Array(7), { scoreThreshold: 0 }, createCandidates());
    }, RangeError);
  });
});
