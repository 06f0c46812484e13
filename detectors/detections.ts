/**
 * The one detections record shared by detectors, the tracker and zones (after supervision's
 * `Detections`): parallel arrays, one entry per detected object. Boxes are `x1, y1, x2, y2`
 * in pixels of the frame the detector was given (not the model's letterboxed input).
 */
export interface Detections {
  readonly count: number;
  /** `count * 4` values: x1, y1, x2, y2 of each box. */
  readonly boxes: Float32Array;
  /** `count` confidence scores in [0, 1]. */
  readonly scores: Float32Array;
  /** `count` COCO class ids (0 = person). */
  readonly classIds: Uint16Array;
}

export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export const PERSON_CLASS = 0;

export function emptyDetections(): Detections {
  return { count: 0, boxes: new Float32Array(0), scores: new Float32Array(0), classIds: new Uint16Array(0) };
}

export function boxAt(detections: Detections, index: number): Box {
  const b = detections.boxes;
  const o = index * 4;
  return { x1: b[o] ?? 0, y1: b[o + 1] ?? 0, x2: b[o + 2] ?? 0, y2: b[o + 3] ?? 0 };
}
