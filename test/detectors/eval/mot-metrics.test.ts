import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Box } from '../../../detectors/detections.js';
import {
  createMotAccumulator,
  matchBoxes,
  type PredictedBox,
} from '../../../detectors/eval/mot-metrics.js';
import type { GroundTruthBox } from '../../../detectors/eval/mot-ground-truth.js';

/** A box spanning x in [a, b] and y in [0, 10]: IoU between two of them depends on x only. */
function span(a: number, b: number): Box {
  return { x1: a, y1: 0, x2: b, y2: 10 };
}
const gt = (id: number, box: Box, ignore = false): GroundTruthBox => ({
  id,
  box,
  ignore,
  conf: ignore ? 0 : 1,
});
const pred = (id: number, box: Box): PredictedBox => ({ id, box });

const near = (actual: number, expected: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
};

describe('MOT metrics on hand-computed examples', () => {
  it('precision, recall, count MAE, MOTA and IDF1 on two frames with one miss and one false positive', () => {
    const acc = createMotAccumulator();
    // Frame 1: g1 found by p1; g2 missed; p9 far from anyone (false positive).
    acc.addFrame(
      [gt(1, span(0, 10)), gt(2, span(100, 110))],
      [pred(1, span(0, 10)), pred(9, span(300, 310))],
    );
    // Frame 2: both found.
    acc.addFrame(
      [gt(1, span(2, 12)), gt(2, span(102, 112))],
      [pred(1, span(2, 12)), pred(2, span(102, 112))],
    );
    const m = acc.result();
    assert.equal(m.truePositives, 3);
    assert.equal(m.falsePositives, 1);
    assert.equal(m.misses, 1);
    near(m.precision, 3 / 4, 'precision');
    near(m.recall, 3 / 4, 'recall');
    near(m.countMae, 0, 'count MAE (2 vs 2 on both frames)');
    near(m.mota, 1 - (1 + 1 + 0) / 4, 'MOTA');
    // IDTP: g1-p1 on 2 frames + g2-p2 on 1 = 3; IDF1 = 2*3 / (4 + 4).
    near(m.idf1, 0.75, 'IDF1');
    assert.equal(m.idSwitches, 0);
  });

  it('counts an ID switch and charges it to MOTA and IDF1', () => {
    const acc = createMotAccumulator();
    acc.addFrame([gt(1, span(0, 10))], [pred(1, span(0, 10))]);
    acc.addFrame([gt(1, span(1, 11))], [pred(1, span(1, 11))]);
    acc.addFrame([gt(1, span(2, 12))], [pred(2, span(2, 12))]);
    const m = acc.result();
    assert.equal(m.idSwitches, 1);
    near(m.mota, 1 - 1 / 3, 'MOTA');
    near(m.idf1, (2 * 2) / (3 + 3), 'IDF1');
    near(m.precision, 1, 'precision ignores identities');
  });

  it('count MAE is the mean absolute difference of per-frame counts', () => {
    const acc = createMotAccumulator();
    acc.addFrame(
      [gt(1, span(0, 10)), gt(2, span(50, 60)), gt(3, span(100, 110))],
      [pred(1, span(0, 10))],
    );
    acc.addFrame(
      [gt(1, span(0, 10))],
      [pred(1, span(0, 10)), pred(2, span(200, 210)), pred(3, span(300, 310))],
    );
    acc.addFrame([], []);
    const m = acc.result();
    near(m.countMae, (2 + 2 + 0) / 3, 'count MAE');
    near(m.countExact, 1 / 3, 'exact-count share');
  });

  it('matches boxes optimally, not greedily', () => {
    // p1 overlaps g1 at 0.818 and g2 at 0.538; p2 overlaps g1 at 0.615 only.
    // Greedy by IoU would take p1-g1 and leave p2 and g2 unmatched (1 TP); optimal finds 2.
    const g = [span(0, 10), span(4, 14)];
    const p = [span(1, 11), span(-3, 8)];
    assert.deepEqual(matchBoxes(g, p).matches, [
      [0, 1],
      [1, 0],
    ]);
    const acc = createMotAccumulator();
    acc.addFrame(
      [gt(1, g[0] ?? span(0, 0)), gt(2, g[1] ?? span(0, 0))],
      [pred(1, p[0] ?? span(0, 0)), pred(2, p[1] ?? span(0, 0))],
    );
    assert.equal(acc.result().truePositives, 2);
  });

  it('IDF1 uses the optimal global id matching, and MOTA keeps earlier matches', () => {
    // Frames 1-3: A with X. Frames 4-5: A with Y, and X moves onto B.
    // Pair overlaps: A-X 3, A-Y 2, B-X 2. Greedy takes A-X (IDTP 3); optimal A-Y + B-X (IDTP 4).
    const acc = createMotAccumulator();
    for (let f = 0; f < 3; f++) acc.addFrame([gt(1, span(0, 10))], [pred(7, span(0, 10))]);
    for (let f = 0; f < 2; f++) {
      acc.addFrame(
        [gt(1, span(0, 10)), gt(2, span(50, 60))],
        [pred(8, span(0, 10)), pred(7, span(50, 60))],
      );
    }
    const m = acc.result();
    assert.equal(m.idtp, 4);
    near(m.idf1, (2 * 4) / (7 + 7), 'IDF1');
    assert.equal(m.idSwitches, 1, 'A switches from X to Y once; B has no earlier match');
    near(m.mota, 1 - 1 / 7, 'MOTA');
  });

  it('ignore boxes (conf 0) are neither misses nor, when predicted, false positives or counted people', () => {
    const acc = createMotAccumulator();
    acc.addFrame(
      [gt(1, span(0, 10)), gt(5, span(100, 110), true)],
      [pred(1, span(0, 10)), pred(2, span(101, 111))],
    );
    const m = acc.result();
    assert.equal(m.gtBoxes, 1);
    assert.equal(m.predictedBoxes, 1);
    assert.equal(m.ignoredPredictions, 1);
    assert.equal(m.falsePositives, 0);
    near(m.countMae, 0, 'count MAE');
    near(m.mota, 1, 'MOTA');
  });

  it('a prediction below IoU 0.5 is a false positive plus a miss', () => {
    const acc = createMotAccumulator();
    // IoU of [0,10] and [4,14] is 6/14 = 0.43.
    acc.addFrame([gt(1, span(0, 10))], [pred(1, span(4, 14))]);
    const m = acc.result();
    assert.equal(m.truePositives, 0);
    near(m.mota, 1 - 2, 'MOTA can go negative');
    near(m.countMae, 0, 'the count is still right');
  });

  it('counts people in a zone by their feet', () => {
    // Sequence 100x100; zone = left half. Feet of span(0,10) at x=5 (in), of span(60,70) at x=65 (out).
    const zone = {
      polygon: [
        [0, 0],
        [0.5, 0],
        [0.5, 1],
        [0, 1],
      ] as const,
      width: 100,
      height: 100,
    };
    const acc = createMotAccumulator({ zone });
    acc.addFrame(
      [gt(1, span(0, 10)), gt(2, span(20, 30))],
      [pred(1, span(0, 10)), pred(2, span(60, 70))],
    );
    const z = acc.result().zone;
    assert.ok(z !== undefined);
    near(z.countMae, 1, 'zone count MAE');
    near(z.gtMeanCount, 2, 'gt in zone');
    near(z.predictedMeanCount, 1, 'predicted in zone');
  });
});
