import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CENTERNET_PIXELS,
  letterboxInto,
  NANODET_PIXELS,
  planLetterbox,
  unletterboxBoxes,
  type PixelFormat,
} from '../../detectors/preprocess.js';

const RAW_RGB: PixelFormat = {
  layout: 'nhwc',
  channelOrder: 'rgb',
  mean: [0, 0, 0],
  std: [1, 1, 1],
  pad: 114,
};

function solid(width: number, height: number, rgb: readonly [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return data;
}

describe('planLetterbox', () => {
  it('fits a 4:3 camera frame into 416x416 with centred vertical padding', () => {
    const plan = planLetterbox(768, 576, 416, 416);
    assert.equal(plan.resizedWidth, 416);
    assert.equal(plan.resizedHeight, 312);
    assert.equal(plan.padX, 0);
    assert.equal(plan.padY, 52);
    assert.ok(Math.abs(plan.scale - 416 / 768) < 1e-12);
  });

  it('pads left and right for a portrait frame', () => {
    const plan = planLetterbox(300, 600, 320, 320);
    assert.equal(plan.resizedWidth, 160);
    assert.equal(plan.resizedHeight, 320);
    assert.equal(plan.padX, 80);
    assert.equal(plan.padY, 0);
  });

  it('rejects empty sizes', () => {
    assert.throws(() => planLetterbox(0, 10, 32, 32), RangeError);
  });
});

describe('letterboxInto', () => {
  it('copies pixels exactly when no resizing is needed (NHWC, raw values)', () => {
    const data = new Uint8Array(4 * 2 * 3).map((_, i) => i * 5);
    const plan = planLetterbox(4, 2, 4, 2);
    const out = new Float32Array(4 * 2 * 3);
    letterboxInto(data, plan, RAW_RGB, out);
    assert.deepEqual(Array.from(out), Array.from(data));
  });

  it('fills the border with the pad value and the picture with the frame (NHWC)', () => {
    // 4x2 frame into 4x4: rows 0 and 3 are padding, rows 1-2 are the frame.
    const plan = planLetterbox(4, 2, 4, 4);
    assert.equal(plan.padY, 1);
    const out = new Float32Array(4 * 4 * 3).fill(-1);
    letterboxInto(solid(4, 2, [10, 20, 30]), plan, RAW_RGB, out);
    const pixel = (x: number, y: number) =>
      Array.from(out.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    assert.deepEqual(pixel(0, 0), [114, 114, 114]);
    assert.deepEqual(pixel(3, 3), [114, 114, 114]);
    assert.deepEqual(pixel(2, 1), [10, 20, 30]);
    assert.deepEqual(pixel(0, 2), [10, 20, 30]);
  });

  it('writes NCHW planes in BGR order, normalised by mean and std (NanoDet)', () => {
    const plan = planLetterbox(2, 2, 2, 2);
    const out = new Float32Array(2 * 2 * 3);
    letterboxInto(solid(2, 2, [200, 100, 50]), plan, NANODET_PIXELS, out);
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-4;
    // Plane 0 is blue, plane 1 green, plane 2 red.
    assert.ok(close(out[0] ?? NaN, (50 - 103.53) / 57.375));
    assert.ok(close(out[4] ?? NaN, (100 - 116.28) / 57.12));
    assert.ok(close(out[8] ?? NaN, (200 - 123.675) / 58.395));
    assert.ok(close(out[11] ?? NaN, (200 - 123.675) / 58.395));
  });

  it('normalises the padding like a pixel of value 114', () => {
    const plan = planLetterbox(2, 1, 2, 2);
    const out = new Float32Array(2 * 2 * 3);
    letterboxInto(solid(2, 1, [0, 0, 0]), plan, NANODET_PIXELS, out);
    // padY = 0 (floor of 1/2): row 1 is padding; blue plane pixel (0, 1) is index 2.
    assert.ok(Math.abs((out[2] ?? NaN) - (114 - 103.53) / 57.375) < 1e-5);
  });

  it('interpolates bilinearly with half-pixel centres when downscaling by 2', () => {
    // A 4x1 ramp 0, 100, 200, 300-clipped: output pixel 0 samples source x = 0.5.
    const data = new Uint8Array([0, 0, 0, 100, 100, 100, 200, 200, 200, 250, 250, 250]);
    const plan = planLetterbox(4, 1, 2, 1);
    const out = new Float32Array(2 * 1 * 3);
    letterboxInto(data, plan, CENTERNET_PIXELS, out);
    assert.ok(Math.abs((out[0] ?? NaN) - 50) < 1e-4);
    assert.ok(Math.abs((out[3] ?? NaN) - 225) < 1e-4);
  });

  it('rejects a buffer of the wrong size and a short frame', () => {
    const plan = planLetterbox(4, 4, 8, 8);
    assert.throws(() => {
      letterboxInto(new Uint8Array(48), plan, RAW_RGB, new Float32Array(10));
    }, RangeError);
    assert.throws(() => {
      letterboxInto(new Uint8Array(10), plan, RAW_RGB, new Float32Array(192));
    }, RangeError);
  });
});

describe('unletterboxBoxes', () => {
  it('maps model-input boxes back to frame pixels and clamps them', () => {
    const plan = planLetterbox(768, 576, 416, 416);
    // A frame box (100, 200)-(300, 500) lands at x * 416/768, y * 312/576 + 52 in the input.
    const s = 416 / 768;
    const boxes = new Float32Array([
      100 * s,
      200 * s + 52,
      300 * s,
      500 * s + 52,
      -20,
      0,
      500,
      420,
    ]);
    unletterboxBoxes(boxes, 2, plan);
    const got = Array.from(boxes).map((v) => Math.round(v * 100) / 100);
    assert.deepEqual(got.slice(0, 4), [100, 200, 300, 500]);
    assert.deepEqual(got.slice(4), [0, 0, 768, 576]);
  });
});
