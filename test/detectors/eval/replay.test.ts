import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Detections } from '../../../detectors/detections.js';
import { parseGroundTruth } from '../../../detectors/eval/mot-ground-truth.js';
import { recordingDetector, replayDetector } from '../../../detectors/eval/replay.js';
import type { PersonDetector } from '../../../detectors/person-detector.js';
import type { Frame } from '../../../ingest/frame.js';

const frame: Frame = {
  cameraId: 'c',
  capturedAt: 0,
  width: 768,
  height: 576,
  data: new Uint8Array(0),
};

function fixed(detections: Detections): PersonDetector {
  return {
    name: 'fixed',
    lastInferenceMs: 0,
    detect: () => Promise.resolve(detections),
    close: () => Promise.resolve(),
  };
}

describe('recorded detections', () => {
  it('replay exactly what was recorded, scores included', async () => {
    // 0.49996 printed with four decimals would read back as 0.5 and cross the tracker's
    // first-pass threshold; fractional pixels would move IoU gates.
    const detections: Detections = {
      count: 2,
      boxes: Float32Array.from([
        642.0796, 240.7107, 682.9866, 321.7848, 10.123, 20.456, 40.789, 99.5,
      ]),
      scores: Float32Array.from([0.49996, 0.7797163]),
      classIds: Uint16Array.from([0, 0]),
    };
    const lines: string[] = [];
    await recordingDetector(fixed(detections), frame, lines).detect(frame);
    const recorded = parseGroundTruth(lines.join('\n'), 'det.txt');
    const replayed = await replayDetector(recorded, frame, 'det.txt').detect(frame);
    assert.deepEqual(replayed.scores, detections.scores);
    assert.deepEqual(replayed.boxes, detections.boxes);
    assert.ok((replayed.scores[0] ?? 1) < 0.5);
  });
});
