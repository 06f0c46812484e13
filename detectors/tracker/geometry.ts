import type { Box } from '../detections.js';

/** Intersection over union of two boxes; 0 when either is empty. */
export function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Row-major `rows.length x cols.length` IoU matrix. */
export function iouMatrix(rows: readonly Box[], cols: readonly Box[]): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  for (let r = 0; r < rows.length; r++) {
    const a = rows[r];
    if (a === undefined) continue;
    for (let c = 0; c < cols.length; c++) {
      const b = cols[c];
      if (b !== undefined) out[r * cols.length + c] = iou(a, b);
    }
  }
  return out;
}

/** Scales a box from one picture size to another (e.g. decoded frame pixels to the sequence's own). */
export function scaleBox(box: Box, sx: number, sy: number): Box {
  return { x1: box.x1 * sx, y1: box.y1 * sy, x2: box.x2 * sx, y2: box.y2 * sy };
}
