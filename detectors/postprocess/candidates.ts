import type { Detections } from '../detections.js';

/**
 * Scratch space for a decoder's raw boxes before NMS, owned by one detector and reused every
 * frame so decoding allocates nothing once it has grown to the busiest frame's size.
 */
export interface Candidates {
  count: number;
  /** `capacity * 4` values: x1, y1, x2, y2 in model-input pixels. */
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Uint16Array;
  /** NMS working memory: sort keys, candidate order and suppression flags. */
  keys: Float64Array;
  order: Uint32Array;
  suppressed: Uint8Array;
}

export function createCandidates(capacity = 256): Candidates {
  return {
    count: 0,
    boxes: new Float32Array(capacity * 4),
    scores: new Float32Array(capacity),
    classIds: new Uint16Array(capacity),
    keys: new Float64Array(capacity),
    order: new Uint32Array(capacity),
    suppressed: new Uint8Array(capacity),
  };
}

/** Appends one candidate, doubling the buffers when full. */
export function pushCandidate(
  c: Candidates,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  score: number,
  classId: number,
): void {
  if (c.count === c.scores.length) grow(c);
  const i = c.count;
  const o = i * 4;
  c.boxes[o] = x1;
  c.boxes[o + 1] = y1;
  c.boxes[o + 2] = x2;
  c.boxes[o + 3] = y2;
  c.scores[i] = score;
  c.classIds[i] = classId;
  c.count = i + 1;
}

function grow(c: Candidates): void {
  const capacity = Math.max(16, c.scores.length * 2);
  const boxes = new Float32Array(capacity * 4);
  boxes.set(c.boxes);
  const scores = new Float32Array(capacity);
  scores.set(c.scores);
  const classIds = new Uint16Array(capacity);
  classIds.set(c.classIds);
  c.boxes = boxes;
  c.scores = scores;
  c.classIds = classIds;
  c.keys = new Float64Array(capacity);
  c.order = new Uint32Array(capacity);
  c.suppressed = new Uint8Array(capacity);
}

/**
 * Copies the kept candidates (indices `keep[0..kept)`) into a fresh `Detections`: the record
 * leaves the detector and may be held by the tracker, so it cannot alias the scratch buffers.
 */
export function toDetections(c: Candidates, keep: Uint32Array, kept: number): Detections {
  const boxes = new Float32Array(kept * 4);
  const scores = new Float32Array(kept);
  const classIds = new Uint16Array(kept);
  for (let k = 0; k < kept; k++) {
    const i = keep[k] ?? 0;
    boxes.set(c.boxes.subarray(i * 4, i * 4 + 4), k * 4);
    scores[k] = c.scores[i] ?? 0;
    classIds[k] = c.classIds[i] ?? 0;
  }
  return { count: kept, boxes, scores, classIds };
}
