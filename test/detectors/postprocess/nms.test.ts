import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createCandidates,
  pushCandidate,
  toDetections,
} from '../../../detectors/postprocess/candidates.js';
import { iou, nms } from '../../../detectors/postprocess/nms.js';

type Row = [x1: number, y1: number, x2: number, y2: number, score: number, cls: number];

function candidates(rows: Row[], capacity = 2) {
  const c = createCandidates(capacity);
  for (const [x1, y1, x2, y2, s, k] of rows) pushCandidate(c, x1, y1, x2, y2, s, k);
  return c;
}

const agnostic = { iouThreshold: 0.5, perClass: false, maxDetections: 100 };

describe('iou', () => {
  it('is 1 for equal boxes, 0 for disjoint or touching ones, 1/3 for half-overlapping squares', () => {
    assert.equal(iou([0, 0, 10, 10], 0, [0, 0, 10, 10], 0), 1);
    assert.equal(iou([0, 0, 10, 10], 0, [10, 0, 20, 10], 0), 0);
    assert.equal(iou([0, 0, 10, 10], 0, [50, 50, 60, 60], 0), 0);
    assert.ok(Math.abs(iou([0, 0, 10, 10], 0, [5, 0, 15, 10], 0) - 1 / 3) < 1e-12);
  });
});

describe('nms', () => {
  it('keeps the best of overlapping boxes and every separate one, best first', () => {
    const c = candidates([
      [0, 0, 10, 10, 0.6, 0],
      [1, 0, 11, 10, 0.9, 0], // IoU with the first 0.82: suppresses it
      [100, 100, 110, 110, 0.7, 0],
      [5, 0, 15, 10, 0.5, 0], // IoU 0.43 with the best (60 / 140): kept
    ]);
    const kept = nms(c, agnostic);
    assert.deepEqual(Array.from(c.order.subarray(0, kept)), [1, 2, 3]);
  });

  it('lets boxes of different classes overlap when per class, not when class-agnostic', () => {
    const rows: Row[] = [
      [0, 0, 10, 10, 0.9, 0],
      [0, 0, 10, 10, 0.8, 2],
    ];
    const perClass = candidates(rows);
    assert.equal(nms(perClass, { ...agnostic, perClass: true }), 2);
    const mixed = candidates(rows);
    assert.equal(nms(mixed, agnostic), 1);
  });

  it('breaks score ties by the earlier candidate and caps the number kept', () => {
    const c = candidates([
      [0, 0, 10, 10, 0.5, 0],
      [0, 0, 10, 10, 0.5, 0],
      [50, 0, 60, 10, 0.4, 0],
      [90, 0, 99, 10, 0.3, 0],
    ]);
    const kept = nms(c, { ...agnostic, maxDetections: 2 });
    assert.deepEqual(Array.from(c.order.subarray(0, kept)), [0, 2]);
  });

  it('orders scores one float32 step apart', () => {
    const c = candidates([
      [0, 0, 10, 10, 0.5, 0],
      [20, 0, 30, 10, 0.50000006, 0],
      [40, 0, 50, 10, 1, 0],
      [60, 0, 70, 10, 0, 0],
    ]);
    const kept = nms(c, agnostic);
    assert.deepEqual(Array.from(c.order.subarray(0, kept)), [2, 1, 0, 3]);
  });

  it('handles no candidates', () => {
    assert.equal(nms(createCandidates(), agnostic), 0);
  });

  it('grows the buffers past their capacity and copies kept rows into a fresh record', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 40; i++) rows.push([i * 20, 0, i * 20 + 10, 10, 0.01 * i, 0]);
    const c = candidates(rows, 2);
    const kept = nms(c, agnostic);
    assert.equal(kept, 40);
    const d = toDetections(c, c.order, kept);
    assert.equal(d.count, 40);
    assert.deepEqual(Array.from(d.boxes.subarray(0, 4)), [780, 0, 790, 10]);
    c.boxes.fill(0);
    assert.equal(d.boxes[0], 780, 'the record does not alias the scratch buffers');
  });
});
