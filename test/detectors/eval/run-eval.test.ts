import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyColours } from '../../../detectors/appearance.js';
import { emptyDetections } from '../../../detectors/detections.js';
import { runEval } from '../../../detectors/eval/run-eval.js';
import type { DescribeDetection, Tracker } from '../../../detectors/tracker/byte-tracker.js';
import type { Frame } from '../../../ingest/frame.js';

async function* frames(count: number): AsyncGenerator<Frame> {
  for (let i = 0; i < count; i++) {
    yield { cameraId: 'c', capturedAt: i * 100, width: 4, height: 4, data: new Uint8Array(48) };
    await Promise.resolve();
  }
}

describe('runEval', () => {
  it("hands the tracker each frame's describe, and tracks by motion alone without one", async () => {
    const given: (DescribeDetection | undefined)[] = [];
    const tracker: Tracker = {
      update(_detections, _timeMs, describe) {
        given.push(describe);
        return [];
      },
    };
    const colours: BodyColours = { upper: new Float32Array(512), lower: undefined };
    const seen: number[] = [];
    const base = {
      detector: {
        name: 'none',
        lastInferenceMs: 0,
        detect: () => Promise.resolve(emptyDetections()),
        close: () => Promise.resolve(),
      },
      tracker,
      groundTruth: { frames: new Map(), lastFrame: 2 },
      sequence: { width: 4, height: 4 },
      rawScoreThreshold: 0.5,
      now: () => 0,
    };
    await runEval({
      ...base,
      frames: frames(2),
      describe: (frame) => (index) => {
        seen.push(frame.capturedAt + index);
        return colours;
      },
    });
    assert.equal(given.length, 2);
    assert.equal(given[1]?.(3), colours);
    assert.deepEqual(seen, [103], 'the second frame, box 3');
    given.length = 0;
    await runEval({ ...base, frames: frames(2) });
    assert.deepEqual(given, [undefined, undefined]);
  });
});
