import { pushCandidate, type Candidates } from './candidates.js';

export interface CenterNetDecodeOptions {
  readonly scoreThreshold: number;
  /** Class to keep; `undefined` keeps all. */
  readonly classId?: number;
}

/** Values per detection row of `tower_0/detections`. */
export const CENTERNET_ROW = 6;

/**
 * Decodes the MobileNetV3 CenterNet's own top-K output, `tower_0/detections` [1, 100, 6]: rows of
 * x1, y1, x2, y2 (model-input pixels), score, class (COCO, 0 = person), best first. The graph has
 * already done the heat-map peak picking, so decoding is a filter; NMS afterwards still helps
 * because CenterNet's peaks can double up on one large person.
 */
export function decodeCenterNet(
  detections: Float32Array,
  options: CenterNetDecodeOptions,
  out: Candidates,
): void {
  if (detections.length % CENTERNET_ROW !== 0) {
    throw new RangeError(
      `centernet detections: ${detections.length} values is not a multiple of ${CENTERNET_ROW}`,
    );
  }
  for (let o = 0; o < detections.length; o += CENTERNET_ROW) {
    const score = detections[o + 4] ?? 0;
    if (score < options.scoreThreshold) continue;
    const cls = Math.round(detections[o + 5] ?? 0);
    if (options.classId !== undefined && cls !== options.classId) continue;
    const x1 = detections[o] ?? 0;
    const y1 = detections[o + 1] ?? 0;
    const x2 = detections[o + 2] ?? 0;
    const y2 = detections[o + 3] ?? 0;
    if (x2 <= x1 || y2 <= y1) continue;
    pushCandidate(out, x1, y1, x2, y2, score, cls);
  }
}
