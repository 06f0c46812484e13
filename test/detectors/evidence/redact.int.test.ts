import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedDataDir } from '../../../common/paths.js';
import { createFaceDetector } from '../../../detectors/faces.js';
import { decodeJpeg, encodeJpeg } from '../../../detectors/evidence/jpeg.js';
import { redactFaces } from '../../../detectors/evidence/redact.js';
import { readVideoFrames } from '../../../ingest/video-file.js';
import { REDACTION_FACE_THRESHOLD } from '../../../edge/evidence.js';
import type { Frame } from '../../../ingest/frame.js';

// TUD-Campus is filmed at head height, close enough for BlazeFace to find faces on the full frame.
const video = path.join(sharedDataDir(), 'TUD-Campus', 'TUD-Campus_h264_gop25.mp4');

test('faces BlazeFace finds on real frames are gone from the stored (redacted, JPEG) snapshots', async (t) => {
  // The viewer: BlazeFace at its default threshold. The redactor: the same model, more eager.
  const faces = await createFaceDetector({ model: 'back', threads: 1 });
  const redactor = await createFaceDetector({ model: 'back', threads: 1, scoreThreshold: REDACTION_FACE_THRESHOLD });
  t.after(() => Promise.all([faces.close(), redactor.close()]));
  const withFaces: { frame: Frame; found: number }[] = [];
  let frames = 0;
  for await (const frame of readVideoFrames(video)) {
    frames++;
    if (frames % 5 !== 1) continue;
    const found = await faces.detect(frame);
    if (found.length > 0) withFaces.push({ frame, found: found.length });
    if (withFaces.length >= 6) break;
  }
  assert.ok(withFaces.length >= 3, `BlazeFace found faces on only ${withFaces.length} sampled frames; the test needs real faces`);

  let before = 0;
  let after = 0;
  for (const { frame, found } of withFaces) {
    before += found;
    // No tracked people here (the node also redacts every tracked head): this shows the face
    // path alone leaves nothing BlazeFace can find.
    const image = { width: frame.width, height: frame.height, data: new Uint8Array(frame.data) };
    await redactFaces(image, [], async (img) => (await redactor.detect({ ...frame, ...img })).map((f) => f.box));
    const stored = decodeJpeg(encodeJpeg(image));
    after += (await faces.detect({ ...frame, ...stored })).length;
  }
  console.log(`redaction: ${before} faces on ${withFaces.length} real frames before, ${after} after`);
  assert.equal(after, 0);
});
