import type { Candidates } from './candidates.js';

export interface NmsOptions {
  /** A candidate is dropped when its IoU with a higher-scoring kept box exceeds this. */
  readonly iouThreshold: number;
  /** Only boxes of the same class suppress each other (COCO-style); false = class-agnostic. */
  readonly perClass: boolean;
  /** Upper bound on kept boxes. */
  readonly maxDetections: number;
}

export function iou(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const ax1 = a[ai] ?? 0;
  const ay1 = a[ai + 1] ?? 0;
  const ax2 = a[ai + 2] ?? 0;
  const ay2 = a[ai + 3] ?? 0;
  const bx1 = b[bi] ?? 0;
  const by1 = b[bi + 1] ?? 0;
  const bx2 = b[bi + 2] ?? 0;
  const by2 = b[bi + 3] ?? 0;
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

const INDEX_RANGE = 2 ** 20;
const SCORE_STEPS = 2 ** 31;

/**
 * Greedy non-maximum suppression over `c`'s candidates, highest score first (ties keep the
 * earlier candidate, so results do not depend on the sort's stability). Writes the indices of
 * kept candidates, best first, into `c.order[0..n)` and returns n. Allocates nothing.
 */
export function nms(c: Candidates, options: NmsOptions): number {
  const n = c.count;
  const { keys, order, suppressed, scores, boxes, classIds } = c;
  if (n > INDEX_RANGE) throw new RangeError(`nms: ${n} candidates, at most ${INDEX_RANGE}`);
  // Sort by one numeric key per candidate, (1 - score) quantised to 2^-31 in the high bits and
  // the index in the low 20: TypedArray.sort without a comparator is a native numeric sort
  // (no callbacks, no allocation), best score first, ties by index. Candidate lists after a
  // low threshold hold hundreds of boxes, where an insertion sort's n^2 started to show.
  for (let i = 0; i < n; i++) {
    const s = Math.min(1, Math.max(0, scores[i] ?? 0));
    keys[i] = Math.floor((1 - s) * SCORE_STEPS) * INDEX_RANGE + i;
    suppressed[i] = 0;
  }
  const sorted = keys.subarray(0, n).sort();
  for (let i = 0; i < n; i++) order[i] = (sorted[i] ?? 0) % INDEX_RANGE;
  let kept = 0;
  for (let a = 0; a < n && kept < options.maxDetections; a++) {
    const i = order[a] ?? 0;
    if (suppressed[i] === 1) continue;
    order[kept++] = i;
    for (let b = a + 1; b < n; b++) {
      const j = order[b] ?? 0;
      if (suppressed[j] === 1) continue;
      if (options.perClass && classIds[i] !== classIds[j]) continue;
      if (iou(boxes, i * 4, boxes, j * 4) > options.iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}
