import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initiate, predict, stateToBox, update } from '../../../detectors/tracker/kalman.js';
import { iou } from '../../../detectors/tracker/geometry.js';

describe('constant-velocity Kalman filter', () => {
  it('round-trips a box through its state', () => {
    const box = { x1: 10, y1: 20, x2: 50, y2: 120 };
    const back = stateToBox(initiate(box));
    assert.ok(Math.abs(back.x1 - 10) < 1e-9 && Math.abs(back.y2 - 120) < 1e-9);
  });

  it('learns a steady velocity in units per second and extrapolates over a gap', () => {
    let state = initiate({ x1: 0, y1: 0, x2: 40, y2: 100 });
    for (let i = 1; i <= 15; i++) {
      state = predict(state, 0.1);
      state = update(state, { x1: i * 5, y1: 0, x2: i * 5 + 40, y2: 100 });
    }
    assert.ok(Math.abs((state.mean[4] ?? 0) - 50) < 5, `vx ${state.mean[4]} ~ 50 px/s`);
    const ahead = stateToBox(predict(state, 0.5));
    assert.ok(Math.abs(ahead.x1 - (75 + 25)) < 4, `x1 ${ahead.x1} ~ 100 after 0.5 s`);
  });

  it('grows uncertainty with elapsed time', () => {
    const state = initiate({ x1: 0, y1: 0, x2: 40, y2: 100 });
    const short = predict(state, 0.1).covariance[0] ?? 0;
    const long = predict(state, 1).covariance[0] ?? 0;
    assert.ok(long > short);
  });

  it('iou is 1 for equal boxes, 0 for disjoint and 1/3 for half-overlapping equal boxes', () => {
    const a = { x1: 0, y1: 0, x2: 10, y2: 10 };
    assert.equal(iou(a, a), 1);
    assert.equal(iou(a, { x1: 20, y1: 0, x2: 30, y2: 10 }), 0);
    assert.ok(Math.abs(iou(a, { x1: 5, y1: 0, x2: 15, y2: 10 }) - 1 / 3) < 1e-12);
  });
});
