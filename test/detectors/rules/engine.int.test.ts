/**
 * Real footage: visits counted by the rules on `../shared/data/indoor-one-by-one` through the
 * real detector (NanoDet int8) and tracker (ByteTrack-style), sampled at 2 fps as an edge node
 * would. Ground truth, counted by watching the video (contact sheets at one picture per 2 s):
 * six people walk in one at a time from below the camera (at about 7, 24, 52, 76, 94 and 125 s),
 * stand at the table, and leave to the right. The entrance is drawn as the bottom band of the
 * picture, where everyone first appears, with the inside upwards.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { sharedDataDir } from '../../../common/paths.js';
import { resolveStandards } from '../../../config/standards.js';
import { torsoHistogram } from '../../../detectors/appearance.js';
import { createPersonDetector } from '../../../detectors/person/factory.js';
import { CameraRules } from '../../../detectors/rules/engine.js';
import type { ObservedPerson, RuleEvent } from '../../../detectors/rules/types.js';
import { createByteTracker } from '../../../detectors/tracker/byte-tracker.js';
import { readVideoFrames } from '../../../ingest/video-file.js';

const video = path.join(sharedDataDir(), 'indoor-one-by-one', 'one-by-one-person-detection.mp4');
const PEOPLE_WHO_WALK_IN = 6;
const SOURCE_FPS = 10;
const SAMPLE_FPS = 2;

test('indoor-one-by-one: one visit per person who walks in, through the real detector and tracker', async (t) => {
  const detector = await createPersonDetector('nanodet-int8', { threads: 1 });
  t.after(() => detector.close());
  const tracker = createByteTracker();
  const start = Date.parse('2026-11-25T10:00:00.000Z');
  const rules = new CameraRules({
    camera: {
      id: 'indoor',
      zones: {
        entrance: {
          polygon: [
            [0, 0.92],
            [1, 0.92],
            [1, 1],
            [0, 1],
          ],
          inward: [0, -1],
        },
      },
    },
    salon: { timeZone: 'Europe/Moscow', openingHours: {} },
    standards: resolveStandards([]),
  });
  const events: RuleEvent[] = [];
  let index = 0;
  let last = start;
  for await (const frame of readVideoFrames(video, { cameraId: 'indoor', startAt: start })) {
    if (index++ % (SOURCE_FPS / SAMPLE_FPS) !== 0) continue;
    const tracked = tracker.update(await detector.detect(frame), frame.capturedAt);
    const tracks: ObservedPerson[] = tracked.map((p) => {
      const appearance = torsoHistogram(frame, p.box);
      return appearance === undefined ? p : { ...p, appearance };
    });
    events.push(
      ...rules.step({
        cameraId: 'indoor',
        capturedAt: frame.capturedAt,
        width: frame.width,
        height: frame.height,
        tracks,
      }).events,
    );
    last = frame.capturedAt;
  }
  // The video ends; time goes on with an empty picture so the last visitor is known to be gone.
  for (let s = 1; s <= 30; s++) {
    events.push(
      ...rules.step({
        cameraId: 'indoor',
        capturedAt: last + s * 1000,
        width: 768,
        height: 432,
        tracks: [],
      }).events,
    );
  }
  const visits = events.flatMap((e) => (e.type === 'visit' ? [e.payload] : []));
  const starts = visits.map((v) => ((Date.parse(v.startedAt) - start) / 1000).toFixed(1));
  console.log(
    `indoor-one-by-one: ${visits.length} visits (truth ${PEOPLE_WHO_WALK_IN}), starting at ${starts.join(', ')} s`,
  );
  assert.equal(visits.length, PEOPLE_WHO_WALK_IN);
  assert.ok(
    visits.every((v) => v.groupSize === 1 && v.durationS >= 5),
    'one person per visit, each at least 5 s',
  );
});
