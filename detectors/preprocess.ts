/**
 * Frame -> model input tensor: letterbox (keep the aspect ratio, pad the rest) with bilinear
 * resampling, then per-channel normalisation, written into a caller-owned buffer that is reused
 * from frame to frame. Pure: no I/O, no clock.
 */

/** Where the resized frame sits inside the model input, and the tables that resample it. */
export interface LetterboxPlan {
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Model pixels per frame pixel (same on both axes). */
  readonly scale: number;
  /** Left and top padding in model pixels; the image is centred, as NanoDet's and YOLO's letterbox do. */
  readonly padX: number;
  readonly padY: number;
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  /** Per resized column: byte offset of the left/right source pixel and the right pixel's weight. */
  readonly x0: Int32Array;
  readonly x1: Int32Array;
  readonly wx: Float32Array;
  /** Per resized row: byte offset of the top/bottom source row and the bottom row's weight. */
  readonly y0: Int32Array;
  readonly y1: Int32Array;
  readonly wy: Float32Array;
}

/**
 * How a model wants its pixels. `mean` and `std` are in the model's channel order, so that
 * value = (pixel - mean[c]) / std[c]; `pad` is the raw 0-255 value of the letterbox border,
 * normalised like any pixel.
 */
export interface PixelFormat {
  readonly layout: 'nchw' | 'nhwc';
  readonly channelOrder: 'rgb' | 'bgr';
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly pad: number;
}

/**
 * Ultralytics and NanoDet pad letterboxes with grey 114; MODELS.md measured that letterbox with
 * this pad beats stretching for both person models.
 */
export const LETTERBOX_PAD = 114;

/** NanoDet's training normalisation (BGR, ImageNet mean and std in 0-255 units). */
export const NANODET_PIXELS: PixelFormat = {
  layout: 'nchw',
  channelOrder: 'bgr',
  mean: [103.53, 116.28, 123.675],
  std: [57.375, 57.12, 58.395],
  pad: LETTERBOX_PAD,
};

/** CenterNet (MobileNetV3) takes raw 0-255 RGB, NHWC; dividing by 255 makes it find nothing. */
export const CENTERNET_PIXELS: PixelFormat = {
  layout: 'nhwc',
  channelOrder: 'rgb',
  mean: [0, 0, 0],
  std: [1, 1, 1],
  pad: LETTERBOX_PAD,
};

export function planLetterbox(
  sourceWidth: number,
  sourceHeight: number,
  inputWidth: number,
  inputHeight: number,
): LetterboxPlan {
  if (!(sourceWidth > 0 && sourceHeight > 0 && inputWidth > 0 && inputHeight > 0)) {
    throw new RangeError(
      `letterbox needs positive sizes, got ${sourceWidth}x${sourceHeight} -> ${inputWidth}x${inputHeight}`,
    );
  }
  const scale = Math.min(inputWidth / sourceWidth, inputHeight / sourceHeight);
  const resizedWidth = Math.min(inputWidth, Math.max(1, Math.round(sourceWidth * scale)));
  const resizedHeight = Math.min(inputHeight, Math.max(1, Math.round(sourceHeight * scale)));
  const padX = Math.floor((inputWidth - resizedWidth) / 2);
  const padY = Math.floor((inputHeight - resizedHeight) / 2);
  const columns = axisTable(sourceWidth, resizedWidth, 3);
  const rows = axisTable(sourceHeight, resizedHeight, sourceWidth * 3);
  return {
    sourceWidth,
    sourceHeight,
    inputWidth,
    inputHeight,
    scale,
    padX,
    padY,
    resizedWidth,
    resizedHeight,
    x0: columns.lo,
    x1: columns.hi,
    wx: columns.weight,
    y0: rows.lo,
    y1: rows.hi,
    wy: rows.weight,
  };
}

/**
 * Bilinear sampling positions with half-pixel centres (the convention of OpenCV's resize and of
 * TF's resize with half_pixel_centers), clamped at the edges; offsets are pre-multiplied by
 * `stride` so the inner loop only adds.
 */
function axisTable(source: number, resized: number, stride: number) {
  const lo = new Int32Array(resized);
  const hi = new Int32Array(resized);
  const weight = new Float32Array(resized);
  const ratio = source / resized;
  for (let i = 0; i < resized; i++) {
    const s = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), source - 1);
    const a = Math.floor(s);
    const b = Math.min(a + 1, source - 1);
    lo[i] = a * stride;
    hi[i] = b * stride;
    weight[i] = s - a;
  }
  return { lo, hi, weight };
}

export function inputLength(plan: LetterboxPlan): number {
  return plan.inputWidth * plan.inputHeight * 3;
}

/**
 * Writes the letterboxed, normalised frame into `out` (length `inputLength(plan)`). `rgb` is
 * packed RGB24 of the plan's source size. Every element of `out` is written, so the buffer can
 * be reused without clearing.
 */
export function letterboxInto(
  rgb: Uint8Array,
  plan: LetterboxPlan,
  format: PixelFormat,
  out: Float32Array,
): void {
  const { inputWidth: w, inputHeight: h, padX, padY, resizedWidth, resizedHeight } = plan;
  if (rgb.length < plan.sourceWidth * plan.sourceHeight * 3) {
    throw new RangeError(
      `frame has ${rgb.length} bytes, expected ${plan.sourceWidth * plan.sourceHeight * 3}`,
    );
  }
  if (out.length !== w * h * 3)
    throw new RangeError(`input buffer has ${out.length} values, expected ${w * h * 3}`);

  // Channel c of the model reads source channel src[c] (0 = R), scaled as v * k[c] + b[c].
  const bgr = format.channelOrder === 'bgr';
  const s0 = bgr ? 2 : 0;
  const s2 = bgr ? 0 : 2;
  const k0 = 1 / format.std[0];
  const k1 = 1 / format.std[1];
  const k2 = 1 / format.std[2];
  const b0 = -format.mean[0] * k0;
  const b1 = -format.mean[1] * k1;
  const b2 = -format.mean[2] * k2;
  const pad0 = format.pad * k0 + b0;
  const pad1 = format.pad * k1 + b1;
  const pad2 = format.pad * k2 + b2;

  const plane = w * h;
  const nchw = format.layout === 'nchw';
  // Offsets of channel 0, 1, 2 relative to a pixel's base index, and the step between pixels.
  const c1 = nchw ? plane : 1;
  const c2 = nchw ? 2 * plane : 2;
  const step = nchw ? 1 : 3;

  const { x0, x1, wx, y0, y1, wy } = plan;
  for (let y = 0; y < h; y++) {
    const ry = y - padY;
    let o = y * w * step;
    if (ry < 0 || ry >= resizedHeight) {
      for (let x = 0; x < w; x++, o += step) {
        out[o] = pad0;
        out[o + c1] = pad1;
        out[o + c2] = pad2;
      }
      continue;
    }
    const top = y0[ry] ?? 0;
    const bottom = y1[ry] ?? 0;
    const fy = wy[ry] ?? 0;
    for (let x = 0; x < padX; x++, o += step) {
      out[o] = pad0;
      out[o + c1] = pad1;
      out[o + c2] = pad2;
    }
    for (let rx = 0; rx < resizedWidth; rx++, o += step) {
      const left = x0[rx] ?? 0;
      const right = x1[rx] ?? 0;
      const fx = wx[rx] ?? 0;
      const tl = top + left;
      const tr = top + right;
      const bl = bottom + left;
      const br = bottom + right;
      const gx = 1 - fx;
      const gy = 1 - fy;
      // Indexed reads of a Uint8Array are in range by construction of the tables; `?? 0` only
      // satisfies noUncheckedIndexedAccess and costs nothing measurable.
      const r =
        ((rgb[tl] ?? 0) * gx + (rgb[tr] ?? 0) * fx) * gy +
        ((rgb[bl] ?? 0) * gx + (rgb[br] ?? 0) * fx) * fy;
      const g =
        ((rgb[tl + 1] ?? 0) * gx + (rgb[tr + 1] ?? 0) * fx) * gy +
        ((rgb[bl + 1] ?? 0) * gx + (rgb[br + 1] ?? 0) * fx) * fy;
      const b =
        ((rgb[tl + 2] ?? 0) * gx + (rgb[tr + 2] ?? 0) * fx) * gy +
        ((rgb[bl + 2] ?? 0) * gx + (rgb[br + 2] ?? 0) * fx) * fy;
      const v0 = s0 === 0 ? r : b;
      const v2 = s2 === 0 ? r : b;
      out[o] = v0 * k0 + b0;
      out[o + c1] = g * k1 + b1;
      out[o + c2] = v2 * k2 + b2;
    }
    for (let x = padX + resizedWidth; x < w; x++, o += step) {
      out[o] = pad0;
      out[o + c1] = pad1;
      out[o + c2] = pad2;
    }
  }
}

/**
 * Maps boxes (x1, y1, x2, y2 quadruples) from model-input pixels back to frame pixels, in
 * place, clamped to the frame.
 */
export function unletterboxBoxes(boxes: Float32Array, count: number, plan: LetterboxPlan): void {
  // Per-axis ratios of the rounded resized size, the same ones the resampling tables used.
  const sx = plan.sourceWidth / plan.resizedWidth;
  const sy = plan.sourceHeight / plan.resizedHeight;
  const maxX = plan.sourceWidth;
  const maxY = plan.sourceHeight;
  for (let i = 0; i < count * 4; i += 4) {
    boxes[i] = clamp(((boxes[i] ?? 0) - plan.padX) * sx, 0, maxX);
    boxes[i + 1] = clamp(((boxes[i + 1] ?? 0) - plan.padY) * sy, 0, maxY);
    boxes[i + 2] = clamp(((boxes[i + 2] ?? 0) - plan.padX) * sx, 0, maxX);
    boxes[i + 3] = clamp(((boxes[i + 3] ?? 0) - plan.padY) * sy, 0, maxY);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
