/**
 * The sampler's pictures against bare ffmpeg's, byte for byte, with real footage and real ffmpeg:
 * pictures are read straight from a FIFO into pooled buffers that the consumer releases and the
 * sampler reuses, so a reuse too early or a torn read would show here as a different picture.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../common/log.js';
import { cameraClip } from '../../ingest/clips.js';
import { argv, samplingArgs, type SamplingSpec } from '../../ingest/ffmpeg-args.js';
import { CameraSampler } from '../../ingest/sampler.js';

const quiet = createLogger({ component: 'sampler-frames-int' }, 'error');
const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const fifoDirs = () =>
  readdirSync(os.tmpdir()).filter((name) => name.startsWith('salonwatch-frames-'));

/** The same command line writing to stdout, cut into pictures here. */
async function barePictures(spec: SamplingSpec, frameBytes: number): Promise<string[]> {
  const child = spawn('ffmpeg', argv(samplingArgs(spec), 'pipe:1'), {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  const all = Buffer.concat(chunks);
  assert.equal(all.length % frameBytes, 0);
  const out: string[] = [];
  for (let at = 0; at < all.length; at += frameBytes)
    out.push(sha(all.subarray(at, at + frameBytes)));
  return out;
}

void test(
  'every picture arrives whole and in order while buffers are released and reused',
  { timeout: 120_000 },
  async () => {
    const before = fifoDirs();
    const spec: SamplingSpec = {
      source: { kind: 'file', url: await cameraClip('live') },
      fps: 1,
      frameSize: { width: 768, height: 432 },
      mode: 'keyframe',
      realtime: false,
    };
    const frameBytes = 768 * 432 * 3;
    const expected = await barePictures(spec, frameBytes);
    assert.ok(expected.length >= 60, `the clip gives ${expected.length} pictures`);

    // A queue as deep as the clip, so that no picture is dropped whatever the machine's speed; the
    // consumer holds each picture across a turn of the event loop, as a detector would.
    const sampler = new CameraSampler({
      cameraId: 'frames',
      ...spec,
      logger: quiet,
      queueCapacity: expected.length,
    });
    const ended = new Promise<void>((resolve) => {
      sampler.onHealth((status) => {
        if (status.state === 'offline') void sampler.stop().then(resolve);
      });
    });
    const seen: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const frame of sampler.start().frames) {
      const digest = sha(frame.data);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(sha(frame.data), digest, 'a picture changed while its consumer held it');
      seen.push(digest);
      buffers.add(frame.data.buffer);
      frame.release?.();
    }
    await ended;
    assert.deepEqual(seen, expected);
    assert.equal(sampler.status().framesDropped, 0);
    assert.ok(
      buffers.size <= 4,
      `${buffers.size} picture buffers for ${seen.length} pictures: released ones are reused`,
    );
    assert.deepEqual(fifoDirs(), before, 'the FIFO directory is removed on stop');
  },
);

void test(
  'no room for the frame FIFO: the camera goes offline saying why, and recovers once there is',
  { timeout: 30_000 },
  async (t) => {
    const saved = process.env['TMPDIR'];
    const restore = () => {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    };
    t.after(restore);
    process.env['TMPDIR'] = '/nonexistent/salonwatch-tmp';
    const sampler = new CameraSampler({
      cameraId: 'no-fifo',
      source: { kind: 'file', url: await cameraClip('live') },
      fps: 1,
      frameSize: { width: 768, height: 432 },
      realtime: false,
      logger: quiet,
      backoff: { initialMs: 50, maxMs: 200, factor: 2 },
    });
    t.after(() => sampler.stop());
    sampler.start();
    // A camera starts offline ("no frame yet"), so the failure shows as its reason, not as an event.
    while (!sampler.status().health.reason.startsWith('failed')) await sleep(20);
    assert.equal(sampler.status().health.state, 'offline');
    assert.match(sampler.status().health.reason, /^failed: .*\/nonexistent\/salonwatch-tmp/);
    assert.equal(sampler.status().starts, 0, 'no ffmpeg is started without a FIFO');
    restore();
    const first = await sampler.frames.next();
    assert.equal(first.done, false, 'a retry with room for the FIFO delivers pictures');
    assert.ok(sampler.status().starts >= 1);
  },
);

void test(
  'a temporary directory named with characters special to filter graphs still carries timestamps',
  { timeout: 60_000 },
  async (t) => {
    const saved = process.env['TMPDIR'];
    const root = mkdtempSync(path.join(os.tmpdir(), 'salonwatch-odd-'));
    const odd = path.join(root, "a:b,c'd[e];f\\g");
    mkdirSync(odd);
    t.after(() => {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
      rmSync(root, { recursive: true, force: true });
    });
    process.env['TMPDIR'] = odd;
    const sampler = new CameraSampler({
      cameraId: 'odd-tmp',
      source: { kind: 'file', url: await cameraClip('live') },
      fps: 1,
      frameSize: { width: 768, height: 432 },
      mode: 'keyframe',
      realtime: false,
      logger: quiet,
      queueCapacity: 64,
    });
    t.after(() => sampler.stop());
    const startedAt = Date.now();
    const received: number[] = [];
    for await (const frame of sampler.start().frames) {
      received.push(frame.capturedAt);
      frame.release?.();
      if (received.length === 3) break;
    }
    assert.equal(received.length, 3, 'pictures are paired with their timestamps');
    assert.ok((received[0] ?? 0) >= startedAt - 1000, 'capture times are of this run');
    assert.equal(sampler.status().starts, 1, 'ffmpeg accepted the timestamp file on its first run');
  },
);

void test(
  'a stream whose picture size changes keeps its timestamps (ffmpeg rebuilds the filter graph)',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'salonwatch-resize-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    // 3 s at 320x240 then 3 s at 640x360, one MPEG-TS stream, as a camera reconfigured live.
    const parts = [
      ['320x240', '0'],
      ['640x360', '3'],
    ].map(([size = '', offset = ''], i) => {
      const part = path.join(dir, `part${i}.ts`);
      const made = spawnSync('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        `testsrc=size=${size}:rate=10:duration=3`,
        '-c:v',
        'libx264',
        '-g',
        '10',
        '-output_ts_offset',
        offset,
        '-f',
        'mpegts',
        part,
      ]);
      assert.equal(made.status, 0, made.stderr.toString());
      return readFileSync(part);
    });
    const stream = path.join(dir, 'resized.ts');
    writeFileSync(stream, Buffer.concat(parts));

    const sampler = new CameraSampler({
      cameraId: 'resized',
      source: { kind: 'file', url: stream },
      fps: 2,
      frameSize: { width: 64, height: 36 },
      mode: 'full',
      realtime: false,
      logger: quiet,
      queueCapacity: 64,
    });
    const ended = new Promise<void>((resolve) => {
      sampler.onHealth((status) => {
        if (status.state === 'offline') void sampler.stop().then(resolve);
      });
    });
    let frames = 0;
    for await (const frame of sampler.start().frames) {
      frames++;
      frame.release?.();
    }
    await ended;
    // 6 s at 2 fps; the first slot may fall before the first decodable picture.
    assert.ok(frames >= 11, `${frames} frames, both picture sizes delivered`);
    assert.equal(sampler.status().framesDropped, 0);
    assert.equal(sampler.status().starts, 1, 'no restart at the size change');
  },
);
