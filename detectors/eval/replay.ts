import type { Frame } from '../../ingest/frame.js';
import { PERSON_CLASS, type Detections } from '../detections.js';
import type { PersonDetector } from '../person-detector.js';
import type { GroundTruth } from './mot-ground-truth.js';

/**
 * Detections recorded once and replayed, in MOTChallenge `det.txt` form
 * (`frame,-1,left,top,width,height,score,-1,-1,-1`, sequence pixels). Running a model over a
 * whole video takes minutes on this machine; tuning the tracker against its recorded output
 * takes seconds, and sees exactly what the model saw. Timings come from the recording run.
 */
export function recordingDetector(
  inner: PersonDetector,
  sequence: { readonly width: number; readonly height: number },
  lines: string[],
): PersonDetector {
  let frameNumber = 0;
  return {
    name: inner.name,
    get lastInferenceMs() {
      return inner.lastInferenceMs;
    },
    async detect(frame: Frame): Promise<Detections> {
      const detections = await inner.detect(frame);
      frameNumber += 1;
      const sx = sequence.width / frame.width;
      const sy = sequence.height / frame.height;
      for (let i = 0; i < detections.count; i++) {
        if (detections.classIds[i] !== PERSON_CLASS) continue;
        const o = i * 4;
        const x1 = (detections.boxes[o] ?? 0) * sx;
        const y1 = (detections.boxes[o + 1] ?? 0) * sy;
        const x2 = (detections.boxes[o + 2] ?? 0) * sx;
        const y2 = (detections.boxes[o + 3] ?? 0) * sy;
        if (x2 <= x1 || y2 <= y1) continue;
        const score = detections.scores[i] ?? 0;
        // Shortest round-trip decimals, not fixed digits: a score of 0.49996 written as
        // 0.5000 crosses the tracker's 0.5 threshold, and such flips alone moved a replay's
        // PETS09 IDF1 by 0.02 away from the run it recorded.
        lines.push(`${frameNumber},-1,${x1},${y1},${x2 - x1},${y2 - y1},${score},-1,-1,-1`);
      }
      return detections;
    },
    close: () => inner.close(),
  };
}

/** Replays a parsed det.txt (frames counted from 1 in call order). */
export function replayDetector(
  recorded: GroundTruth,
  sequence: { readonly width: number; readonly height: number },
  file: string,
): PersonDetector {
  let frameNumber = 0;
  return {
    name: `replay of ${file}`,
    lastInferenceMs: 0,
    detect(frame: Frame): Promise<Detections> {
      frameNumber += 1;
      const sx = frame.width / sequence.width;
      const sy = frame.height / sequence.height;
      const rows = recorded.frames.get(frameNumber) ?? [];
      const boxes = new Float32Array(rows.length * 4);
      rows.forEach((r, i) => {
        boxes.set([r.box.x1 * sx, r.box.y1 * sy, r.box.x2 * sx, r.box.y2 * sy], i * 4);
      });
      return Promise.resolve({
        count: rows.length,
        boxes,
        scores: Float32Array.from(rows.map((r) => r.conf)),
        classIds: new Uint16Array(rows.length).fill(PERSON_CLASS),
      });
    },
    close: () => Promise.resolve(),
  };
}
