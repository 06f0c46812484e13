import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import wabt from 'wabt';
import { LetterboxKernel } from '../../detectors/letterbox-kernel.js';
import {
  CENTERNET_PIXELS,
  letterboxInto,
  NANODET_PIXELS,
  planLetterbox,
  type PixelFormat,
} from '../../detectors/preprocess.js';

const NCHW_RGB: PixelFormat = {
  layout: 'nchw',
  channelOrder: 'rgb',
  mean: [10, 200, 90],
  std: [3, 0.5, 70],
  pad: 0,
};
const NHWC_BGR: PixelFormat = {
  layout: 'nhwc',
  channelOrder: 'bgr',
  mean: [127.5, 127.5, 127.5],
  std: [127.5, 127.5, 127.5],
  pad: 255,
};
const FORMATS = { NANODET_PIXELS, CENTERNET_PIXELS, NCHW_RGB, NHWC_BGR };

/** Deterministic noise: every byte differs from its neighbours, so a wrong offset shows. */
function noise(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 255;
  }
  return data;
}

/**
 * Largest difference from the float64 reference, in pixel levels (0-255) before normalisation:
 * the kernel interpolates in float32, which stays within 5e-5 of a level on 0-255 values.
 */
function worstLevels(reference: Float32Array, actual: Float32Array, f: PixelFormat): number {
  assert.equal(actual.length, reference.length);
  const perLevel = Math.max(...f.std.map((s) => 1 / s));
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs((reference[i] ?? NaN) - (actual[i] ?? NaN)) / perLevel;
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

const TOLERANCE_LEVELS = 1e-4;

function reference(rgb: Uint8Array, w: number, h: number, iw: number, ih: number, f: PixelFormat) {
  const out = new Float32Array(iw * ih * 3);
  letterboxInto(rgb, planLetterbox(w, h, iw, ih), f, out);
  return out;
}

describe('LetterboxKernel', () => {
  const sizes: readonly [number, number, number, number][] = [
    [768, 576, 416, 416], // PETS09 into NanoDet: downscale, top and bottom padding
    [768, 432, 320, 256], // the sampler's frame into the default model
    [300, 600, 320, 320], // portrait: left and right padding
    [97, 61, 128, 128], // upscale, odd sizes
    [33, 17, 33, 17], // identity
    [5, 3, 2, 7], // tiny, extreme aspect
  ];
  for (const [name, format] of Object.entries(FORMATS)) {
    it(`matches letterboxInto for ${name} at every size`, () => {
      for (const [w, h, iw, ih] of sizes) {
        const rgb = noise(w, h, w * 31 + h);
        const kernel = new LetterboxKernel(iw, ih, format);
        kernel.run(rgb, planLetterbox(w, h, iw, ih));
        const worst = worstLevels(reference(rgb, w, h, iw, ih, format), kernel.input, format);
        assert.ok(worst < TOLERANCE_LEVELS, `${w}x${h} -> ${iw}x${ih}: off by ${worst} levels`);
      }
    });
  }

  it('follows the frame size as it changes, growing its memory for a larger frame', () => {
    const kernel = new LetterboxKernel(320, 256, NANODET_PIXELS);
    // Landscape, a much larger frame (the memory grows and the input view is replaced),
    // portrait (the padding moves to the sides), then the first size again.
    for (const [w, h] of [
      [640, 360],
      [1920, 1080],
      [200, 400],
      [640, 360],
    ] as const) {
      const rgb = noise(w, h, w + h);
      kernel.run(rgb, planLetterbox(w, h, 320, 256));
      const reference320 = reference(rgb, w, h, 320, 256, NANODET_PIXELS);
      const worst = worstLevels(reference320, kernel.input, NANODET_PIXELS);
      assert.ok(worst < TOLERANCE_LEVELS, `${w}x${h}: off by ${worst} levels`);
    }
  });

  it('reads only the frame of a larger buffer, and the next frame replaces the last', () => {
    const kernel = new LetterboxKernel(64, 64, CENTERNET_PIXELS);
    const plan = planLetterbox(50, 40, 64, 64);
    const first = noise(50, 40, 1);
    const second = noise(50, 40, 2);
    const padded = new Uint8Array(second.length + 100).fill(255);
    padded.set(second);
    kernel.run(first, plan);
    kernel.run(padded, plan);
    const expected = reference(second, 50, 40, 64, 64, CENTERNET_PIXELS);
    assert.ok(worstLevels(expected, kernel.input, CENTERNET_PIXELS) < TOLERANCE_LEVELS);
  });

  it('rejects a short frame and a plan for another input size', () => {
    const kernel = new LetterboxKernel(32, 32, NANODET_PIXELS);
    assert.throws(() => {
      kernel.run(new Uint8Array(10), planLetterbox(8, 8, 32, 32));
    }, /frame has 10 bytes, expected 192/);
    assert.throws(() => {
      kernel.run(new Uint8Array(192), planLetterbox(8, 8, 16, 16));
    }, /plan is for 16x16, the kernel for 32x32/);
    assert.throws(() => new LetterboxKernel(31.5, 32, NANODET_PIXELS), RangeError);
  });

  it('ships the .wasm that its .wat source compiles to', async () => {
    const url = (file: string) => new URL(`../../detectors/${file}`, import.meta.url);
    const tools = await wabt();
    const parsed = tools.parseWat(
      'letterbox-kernel.wat',
      readFileSync(url('letterbox-kernel.wat'), 'utf8'),
    );
    try {
      const { buffer } = parsed.toBinary({});
      assert.ok(
        Buffer.from(buffer).equals(readFileSync(url('letterbox-kernel.wasm'))),
        'detectors/letterbox-kernel.wasm is stale: run npm run build:wasm',
      );
    } finally {
      parsed.destroy();
    }
  });
});
