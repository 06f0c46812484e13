/**
 * `letterboxInto` (preprocess.ts) as a WebAssembly SIMD kernel (letterbox-kernel.wat): the same
 * plan, sampling tables and normalisation, with a pixel's three channels in one vector. It is
 * the largest part of a detector's own work per frame: for a 768x576 frame into 416x416, the
 * kernel with its frame copy takes 0.29-0.30 of the TypeScript loop's time (measured with
 * `salonwatch bench letterbox`). The arithmetic is in float32 where `letterboxInto` rounds once
 * from float64, so values agree within 1e-4 of a pixel level; `letterboxInto` stays the reference
 * (the tests hold the kernel to it) and serves the small face crops.
 *
 * A kernel owns a WebAssembly memory that holds the model input, the tables of the current plan
 * and a copy of the frame. `input` is a view of that memory, handed to ONNX Runtime without a
 * copy; it is replaced when a larger frame makes the memory grow, so read it after `run`.
 * The padding around the resized picture is written when the plan changes, not every frame.
 */
import { readFileSync } from 'node:fs';
import type { LetterboxPlan, PixelFormat } from './preprocess.js';

const kernelModule = new WebAssembly.Module(
  readFileSync(new URL('./letterbox-kernel.wasm', import.meta.url)),
);

type KernelExport = (
  src: number,
  cols: number,
  rows: number,
  out: number,
  rowStride: number,
  pixelStep: number,
  d0: number,
  d1: number,
  d2: number,
  resizedWidth: number,
  resizedHeight: number,
  k0: number,
  k1: number,
  k2: number,
  b0: number,
  b1: number,
  b2: number,
) => void;

const PAGE = 65_536;
/** Bytes per table entry: i32 left/top offset, i32 right/bottom offset, f32 weight. */
const ENTRY = 12;
/** The kernel reads each source pixel with an 8-byte load. */
const SOURCE_SLACK = 8;

/** Where source channel R, G or B goes (bytes from the pixel) and how it is normalised. */
interface Lane {
  readonly at: number;
  readonly k: number;
  readonly b: number;
}

/**
 * The kernel's lane l holds source channel l (R, G, B). Model channel m reads source channel m,
 * or 2 - m for BGR models; value = (pixel - mean[m]) / std[m].
 */
function lanes(format: PixelFormat, channelStep: number): readonly [Lane, Lane, Lane] {
  const lane = (source: 0 | 1 | 2): Lane => {
    const model = format.channelOrder === 'bgr' ? 2 - source : source;
    const std = format.std[model] ?? 1;
    return { at: model * channelStep, k: 1 / std, b: -(format.mean[model] ?? 0) / std };
  };
  return [lane(0), lane(1), lane(2)];
}

export class LetterboxKernel {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly format: PixelFormat;
  private readonly memory: WebAssembly.Memory;
  private readonly letterbox: KernelExport;
  private readonly colsAt: number;
  private readonly rowsAt: number;
  private readonly sourceAt: number;
  /** Bytes between neighbouring output pixels: one float (NCHW) or three (NHWC). */
  private readonly pixelStep: number;
  private readonly lanes: readonly [Lane, Lane, Lane];
  private plan: LetterboxPlan | undefined;
  private view: Float32Array;
  private bytes: Uint8Array;

  constructor(inputWidth: number, inputHeight: number, format: PixelFormat) {
    if (!(Number.isInteger(inputWidth) && Number.isInteger(inputHeight)))
      throw new RangeError(`input size must be whole pixels, got ${inputWidth}x${inputHeight}`);
    this.inputWidth = inputWidth;
    this.inputHeight = inputHeight;
    this.format = format;
    const nchw = format.layout === 'nchw';
    this.pixelStep = nchw ? 4 : 12;
    this.lanes = lanes(format, nchw ? inputWidth * inputHeight * 4 : 4);
    const inputBytes = inputWidth * inputHeight * 3 * 4;
    this.colsAt = inputBytes;
    this.rowsAt = this.colsAt + inputWidth * ENTRY;
    this.sourceAt = Math.ceil((this.rowsAt + inputHeight * ENTRY) / 16) * 16;
    const instance = new WebAssembly.Instance(kernelModule, {});
    const { memory, letterbox } = instance.exports;
    if (!(memory instanceof WebAssembly.Memory) || typeof letterbox !== 'function')
      throw new Error('letterbox-kernel.wasm does not export memory and letterbox');
    this.memory = memory;
    this.letterbox = letterbox as KernelExport;
    this.ensureCapacity(this.sourceAt + SOURCE_SLACK);
    this.view = this.inputView();
    this.bytes = new Uint8Array(this.memory.buffer);
  }

  /** The model input (length inputWidth * inputHeight * 3), valid until the next `run`. */
  get input(): Float32Array {
    return this.view;
  }

  /** Letterboxes packed RGB24 `rgb` of the plan's source size into `input`. */
  run(rgb: Uint8Array, plan: LetterboxPlan): void {
    if (plan.inputWidth !== this.inputWidth || plan.inputHeight !== this.inputHeight) {
      throw new RangeError(
        `plan is for ${plan.inputWidth}x${plan.inputHeight}, the kernel for ${this.inputWidth}x${this.inputHeight}`,
      );
    }
    const frameBytes = plan.sourceWidth * plan.sourceHeight * 3;
    if (rgb.length < frameBytes)
      throw new RangeError(`frame has ${rgb.length} bytes, expected ${frameBytes}`);
    if (this.ensureCapacity(this.sourceAt + frameBytes + SOURCE_SLACK)) {
      this.view = this.inputView();
      this.bytes = new Uint8Array(this.memory.buffer);
    }
    if (plan !== this.plan) this.usePlan(plan);
    this.bytes.set(rgb.subarray(0, frameBytes), this.sourceAt);
    const [r, g, b] = this.lanes;
    this.letterbox(
      this.sourceAt,
      this.colsAt,
      this.rowsAt,
      (plan.padY * this.inputWidth + plan.padX) * this.pixelStep,
      this.inputWidth * this.pixelStep,
      this.pixelStep,
      r.at,
      g.at,
      b.at,
      plan.resizedWidth,
      plan.resizedHeight,
      r.k,
      g.k,
      b.k,
      r.b,
      g.b,
      b.b,
    );
  }

  /** Writes the plan's tables and the padding (constant for a plan and pixel format). */
  private usePlan(plan: LetterboxPlan): void {
    const tables = new DataView(this.memory.buffer);
    for (let i = 0; i < plan.resizedWidth; i++) {
      const at = this.colsAt + i * ENTRY;
      tables.setInt32(at, plan.x0[i] ?? 0, true);
      tables.setInt32(at + 4, plan.x1[i] ?? 0, true);
      tables.setFloat32(at + 8, plan.wx[i] ?? 0, true);
    }
    for (let i = 0; i < plan.resizedHeight; i++) {
      const at = this.rowsAt + i * ENTRY;
      tables.setInt32(at, plan.y0[i] ?? 0, true);
      tables.setInt32(at + 4, plan.y1[i] ?? 0, true);
      tables.setFloat32(at + 8, plan.wy[i] ?? 0, true);
    }
    // The border is the raw pad value, normalised per model channel.
    const out = this.view;
    const step = this.pixelStep / 4;
    const end = this.inputWidth * this.inputHeight * step;
    for (const lane of this.lanes) {
      const value = this.format.pad * lane.k + lane.b;
      const first = lane.at / 4;
      for (let i = first; i < first + end; i += step) out[i] = value;
    }
    this.plan = plan;
  }
  /** Grows the memory to hold `bytes`; true when it grew (which detaches the old views). */
  private ensureCapacity(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return false;
    this.memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  }

  private inputView(): Float32Array {
    return new Float32Array(this.memory.buffer, 0, this.inputWidth * this.inputHeight * 3);
  }
}
