import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame } from '../../../ingest/frame.js';
import type { InputTensor, ModelRunner, OutputTensor } from '../../../detectors/onnx/runner.js';
import { createNanoDetDetector } from '../../../detectors/person/nanodet.js';

const W = 64;
const H = 32;
const BOX_VALUES = 44;

/** A runner that returns NanoDet-shaped outputs (names shuffled, as the converted graph's are). */
function fakeRunner(
  fill: (stride: number, cols: number, scores: Float32Array, boxes: Float32Array) => void,
) {
  const seen: InputTensor[] = [];
  let closed = 0;
  const runner: ModelRunner = {
    modelPath: 'fake-nanodet',
    inputNames: ['input_1'],
    outputNames: [],
    lastRunMs: 3,
    run(input) {
      seen.push({ ...input, data: input.data.slice() });
      const outputs = new Map<string, OutputTensor>();
      [32, 8, 16].forEach((stride, i) => {
        const cols = Math.ceil(W / stride);
        const cells = cols * Math.ceil(H / stride);
        const scores = new Float32Array(cells * 80);
        const boxes = new Float32Array(cells * BOX_VALUES);
        fill(stride, cols, scores, boxes);
        outputs.set(`Identity_${i}`, { data: boxes, dims: [1, cells, BOX_VALUES] });
        outputs.set(`Identity_${i + 3}`, { data: scores, dims: [1, cells, 80] });
      });
      return Promise.resolve(outputs);
    },
    close() {
      closed++;
      return Promise.resolve();
    },
  };
  return { runner, seen, closed: () => closed };
}

/** A person cell with a one-hot distribution per side: `bins` = left, top, right, bottom. */
function cell(
  cols: number,
  col: number,
  row: number,
  scores: Float32Array,
  boxes: Float32Array,
  score: number,
  bins: number[],
) {
  const i = row * cols + col;
  scores[i * 80] = score;
  bins.forEach((bin, side) => (boxes[i * BOX_VALUES + side * 11 + bin] = 40));
}

const frame: Frame = {
  cameraId: 'c',
  capturedAt: 0,
  width: 128,
  height: 64,
  data: new Uint8Array(128 * 64 * 3).fill(114),
};
const config = {
  inputWidth: W,
  inputHeight: H,
  scoreThreshold: 0.3,
  iouThreshold: 0.6,
  maxDetections: 10,
};

describe('NanoDet person detector', () => {
  it('feeds a letterboxed NCHW tensor and returns person boxes in frame pixels, duplicates suppressed', async () => {
    const { runner, seen } = fakeRunner((stride, cols, scores, boxes) => {
      if (stride === 8) {
        // Cell (3, 2): centre (28, 20), one bin (8 px) each side -> input (20, 12)-(36, 28).
        cell(cols, 3, 2, scores, boxes, 0.9, [1, 1, 1, 1]);
        // Cell (3, 1): centre (28, 12), the same box from the next row up: a weaker duplicate.
        cell(cols, 3, 1, scores, boxes, 0.5, [1, 0, 1, 2]);
      }
      // Stride 32, cell (1, 0): centre (48, 16), 32 px left and right -> (16, 16)-(80, 16).
      if (stride === 32) cell(cols, 1, 0, scores, boxes, 0.7, [1, 0, 1, 0]);
    });
    const detector = createNanoDetDetector('nanodet-test', runner, config);
    const d = await detector.detect(frame);

    const input = seen[0];
    assert.ok(input !== undefined);
    assert.deepEqual(input.dims, [1, 3, H, W]);
    // Grey 114 everywhere: BGR planes hold (114 - mean) / std.
    assert.ok(Math.abs((input.data[0] ?? NaN) - (114 - 103.53) / 57.375) < 1e-5);
    assert.equal(d.count, 2, 'three cells, one a duplicate');
    // Frame is 2x the input: (20, 12)-(36, 28) -> (40, 24)-(72, 56).
    assert.deepEqual(Array.from(d.boxes.subarray(0, 4)).map(Math.round), [40, 24, 72, 56]);
    assert.deepEqual(Array.from(d.boxes.subarray(4, 8)).map(Math.round), [32, 32, 128, 32]);
    assert.deepEqual(Array.from(d.classIds), [0, 0]);
    assert.equal(detector.lastInferenceMs, 3);
  });

  it('returns nothing on an empty scene and reuses its buffers across frames', async () => {
    const { runner, seen } = fakeRunner(() => undefined);
    const detector = createNanoDetDetector('nanodet-test', runner, config);
    assert.equal((await detector.detect(frame)).count, 0);
    assert.equal((await detector.detect(frame)).count, 0);
    assert.equal(seen.length, 2);
  });

  it('names the missing level when the model answers with other shapes', async () => {
    const runner: ModelRunner = {
      ...fakeRunner(() => undefined).runner,
      run: () => Promise.resolve(new Map()),
    };
    const detector = createNanoDetDetector('nanodet-test', runner, config);
    await assert.rejects(detector.detect(frame), /stride 8 at 64x32/);
  });

  it('closes its runner', async () => {
    const fake = fakeRunner(() => undefined);
    await createNanoDetDetector('nanodet-test', fake.runner, config).close();
    assert.equal(fake.closed(), 1);
  });
});

describe('NanoDet person detector under overlapping calls', () => {
  it('queues a second detect until the first has finished with the shared buffers', async () => {
    let running = 0;
    let overlapped = false;
    const base = fakeRunner(() => undefined).runner;
    const runner: ModelRunner = {
      ...base,
      async run(input) {
        running++;
        if (running > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return base.run(input);
      },
    };
    const detector = createNanoDetDetector('nanodet-test', runner, config);
    const results = await Promise.all([
      detector.detect(frame),
      detector.detect(frame),
      detector.detect(frame),
    ]);
    assert.equal(overlapped, false);
    assert.equal(results.length, 3);
  });
});
