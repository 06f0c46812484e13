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

/**
 * Greedy non-maximum suppression over `c`'s candidates, highest score first (ties keep the
 * earlier candidate, so results do not depend on the sort's stability). Writes the indices of
 * kept candidates, best first, into `c.order[0..n)` and returns n. Allocates nothing.
 */
export function nms(c: Candidates, options: NmsOptions): number {
  const n = c.count;
  const { order, suppressed, scores, boxes, classIds } = c;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    suppressed[i] = 0;
  }
  // Insertion sort: candidate lists after a score threshold hold tens of boxes, where it beats
  // TypedArray.sort with a comparator (which allocates and calls back per comparison).
  for (let i = 1; i < n; i++) {
    const v = order[i] ?? 0;
    const s = scores[v] ?? 0;
    let j = i - 1;
    while (j >= 0) {
      const u = order[j] ?? 0;
      const su = scores[u] ?? 0;
      if (su > s || (su === s && u < v)) break;
      order[j + 1] = u;
      j--;
    }
    order[j + 1] = v;
  }
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
