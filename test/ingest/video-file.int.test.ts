import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isSalonwatchError } from '../../common/errors.js';
import { sharedDataDir } from '../../common/paths.js';
import { probeVideo, readVideoFrames } from '../../ingest/video-file.js';

const TUD = path.join(sharedDataDir(), 'TUD-Campus', 'TUD-Campus_h264_gop25.mp4');

async function expectUnreadable(promise: Promise<unknown>, file: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isSalonwatchError(error), String(error));
    assert.equal(error.code, 'VIDEO_UNREADABLE');
    assert.ok(error.message.includes(file), error.message);
    return true;
  });
}

async function drain(file: string): Promise<number> {
  let n = 0;
  for await (const frame of readVideoFrames(file)) n += frame.width > 0 ? 1 : 0;
  return n;
}

describe('readVideoFrames (real ffmpeg, real footage)', () => {
  it('decodes every frame of TUD-Campus as RGB at its own size, timestamps from its frame rate', async () => {
    const info = await probeVideo(TUD);
    assert.deepEqual(info, { width: 640, height: 480, fps: 25 });
    let n = 0;
    let last = -1;
    let sum = 0;
    for await (const frame of readVideoFrames(TUD, { cameraId: 'tud', startAt: 1_000_000 })) {
      assert.equal(frame.data.length, 640 * 480 * 3);
      assert.equal(frame.cameraId, 'tud');
      assert.ok(frame.capturedAt > last);
      last = frame.capturedAt;
      if (n === 0) for (let i = 0; i < frame.data.length; i += 997) sum += frame.data[i] ?? 0;
      n += 1;
    }
    assert.equal(n, 71, 'no frame dropped or duplicated');
    assert.equal(last, 1_000_000 + 70 * 40);
    assert.ok(sum > 0, 'the picture is not black');
  });

  it('scales to a requested size', async () => {
    for await (const frame of readVideoFrames(TUD, { width: 320, height: 240 })) {
      assert.equal(frame.width, 320);
      assert.equal(frame.data.length, 320 * 240 * 3);
      break; // also checks that breaking out kills ffmpeg without hanging
    }
  });

  it('names the file when it is missing or not a video', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'salonwatch-video-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const missing = path.join(dir, 'missing.mp4');
    await expectUnreadable(drain(missing), missing);
    const text = path.join(dir, 'notes.mp4');
    await writeFile(text, 'this is not a video\n'.repeat(50));
    await expectUnreadable(drain(text), text);
  });

  it('names the file when the container is intact but holds no decodable picture', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'salonwatch-video-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const bytes = await readFile(TUD);
    // This file's moov atom comes first: cut before mdat, ffprobe still sees a 640x480 stream,
    // but there is no frame to decode.
    const mdat = bytes.indexOf('mdat');
    assert.ok(mdat > 0);
    const cut = path.join(dir, 'cut.mp4');
    await writeFile(cut, bytes.subarray(0, mdat - 4));
    assert.equal((await probeVideo(cut)).width, 640);
    await expectUnreadable(drain(cut), cut);
  });
});
