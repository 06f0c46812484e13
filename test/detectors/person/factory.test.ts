import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSalonwatchError } from '../../../common/errors.js';
import { createPersonDetector, PERSON_DETECTOR_NAMES } from '../../../detectors/person/factory.js';

describe('createPersonDetector', () => {
  it('lists its detectors', () => {
    assert.ok(PERSON_DETECTOR_NAMES.includes('nanodet'));
    assert.ok(PERSON_DETECTOR_NAMES.includes('centernet'));
  });

  it('opens the committed NanoDet model and finds nobody in a grey frame', async (t) => {
    const detector = await createPersonDetector('nanodet-320', { threads: 1, scoreThreshold: 0.3 });
    t.after(() => detector.close());
    assert.equal(detector.name, 'nanodet-320');
    const frame = {
      cameraId: 'c',
      capturedAt: 0,
      width: 64,
      height: 48,
      data: new Uint8Array(64 * 48 * 3).fill(128),
    };
    const d = await detector.detect(frame);
    assert.equal(d.count, 0);
    assert.ok(detector.lastInferenceMs > 0);
  });

  it('rejects an unknown name, listing the known ones', async () => {
    await assert.rejects(
      createPersonDetector('yolo', { threads: 1 }),
      (e) => isSalonwatchError(e) && e.code === 'USAGE' && e.message.includes('nanodet'),
    );
    await assert.rejects(
      createPersonDetector('toString', { threads: 1 }),
      /unknown person detector/,
    );
  });

  it('rejects a score threshold outside [0, 1]', async () => {
    await assert.rejects(
      createPersonDetector('nanodet', { threads: 1, scoreThreshold: 1.5 }),
      (e) => isSalonwatchError(e) && e.code === 'CONFIG_INVALID',
    );
  });
});
