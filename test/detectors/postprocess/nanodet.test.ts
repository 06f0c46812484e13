import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCandidates } from '../../../detectors/postprocess/candidates.js';
import {
  decodeNanoDet,
  expectedBin,
  type NanoDetLevel,
} from '../../../detectors/postprocess/nanodet.js';

const CLASSES = 80;
const BINS = 11;

/** A level of an inputWidth x inputHeight model at `stride`, all scores 0 and flat distributions. */
function level(
  stride: number,
  inputWidth: number,
  inputHeight: number,
): NanoDetLevel & { cols: number } {
  const cols = Math.ceil(inputWidth / stride);
  const cells = cols * Math.ceil(inputHeight / stride);
  return {
    stride,
    cols,
    scores: new Float32Array(cells * CLASSES),
    distributions: new Float32Array(cells * 4 * BINS),
  };
}

/** Puts a confident one-hot distribution (bin `sides[k]` for side k = left, top, right, bottom). */
function setCell(
  l: NanoDetLevel & { cols: number },
  col: number,
  row: number,
  cls: number,
  score: number,
  sides: [number, number, number, number],
) {
  const cell = row * l.cols + col;
  l.scores[cell * CLASSES + cls] = score;
  sides.forEach((bin, side) => {
    l.distributions[cell * 4 * BINS + side * BINS + bin] = 50;
  });
}

const options = {
  inputWidth: 64,
  inputHeight: 32,
  scoreThreshold: 0.3,
  numClasses: CLASSES,
  regMax: 10,
};

describe('expectedBin', () => {
  it('is the middle bin for flat logits and the peak for a one-hot one', () => {
    assert.ok(Math.abs(expectedBin(new Float32Array(11), 0, 11) - 5) < 1e-9);
    const peaked = new Float32Array(11);
    peaked[3] = 60;
    assert.ok(Math.abs(expectedBin(peaked, 0, 11) - 3) < 1e-9);
  });

  it('weights two equal peaks to their mean and is stable for huge logits', () => {
    const two = new Float32Array(11);
    two[2] = 1000;
    two[6] = 1000;
    assert.ok(Math.abs(expectedBin(two, 0, 11) - 4) < 1e-9);
  });
});

describe('decodeNanoDet', () => {
  it('decodes side-major distributions around the cell centre (col + 0.5) * stride', () => {
    const l8 = level(8, 64, 32);
    // Cell (col 2, row 1) at stride 8: centre (20, 12). left 1, top 2, right 3, bottom 4 bins.
    setCell(l8, 2, 1, 0, 0.9, [1, 2, 3, 4]);
    const out = createCandidates();
    decodeNanoDet([l8], { ...options, classId: 0 }, out);
    assert.equal(out.count, 1);
    const box = Array.from(out.boxes.subarray(0, 4)).map((v) => Math.round(v * 1000) / 1000);
    assert.deepEqual(box, [20 - 8, 12 - 16, 20 + 24, 12 + 32]);
    assert.ok(Math.abs((out.scores[0] ?? 0) - 0.9) < 1e-6);
    assert.equal(out.classIds[0], 0);
  });

  it('uses each level its own stride and grid width', () => {
    const l8 = level(8, 64, 32);
    const l32 = level(32, 64, 32);
    setCell(l32, 1, 0, 0, 0.8, [0, 0, 1, 1]); // centre (48, 16), extends 32 right and down
    const out = createCandidates();
    decodeNanoDet([l8, l32], { ...options, classId: 0 }, out);
    assert.equal(out.count, 1);
    assert.deepEqual(Array.from(out.boxes.subarray(0, 4)).map(Math.round), [48, 16, 80, 48]);
  });

  it('skips cells under the threshold and other classes when one class is asked for', () => {
    const l8 = level(8, 64, 32);
    setCell(l8, 0, 0, 0, 0.29, [1, 1, 1, 1]);
    setCell(l8, 1, 0, 5, 0.95, [1, 1, 1, 1]);
    const out = createCandidates();
    decodeNanoDet([l8], { ...options, classId: 0 }, out);
    assert.equal(out.count, 0);
    decodeNanoDet([l8], options, out);
    assert.equal(out.count, 1, "class-agnostic decoding takes each cell's best class");
    assert.equal(out.classIds[0], 5);
  });

  it('rejects score and box tensors of different grids', () => {
    const l8 = level(8, 64, 32);
    const bad = { ...l8, distributions: new Float32Array(4 * BINS) };
    assert.throws(() => {
      decodeNanoDet([bad], options, createCandidates());
    }, /stride 8/);
  });
});
