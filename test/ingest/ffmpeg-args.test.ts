import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  argv,
  filterGraphValue,
  samplingArgs,
  selectExpression,
  videoFilter,
} from '../../ingest/ffmpeg-args.js';
import { parseTimestampLine } from '../../ingest/ffmpeg-log.js';

const frameSize = { width: 768, height: 432 };

/** ffmpeg on a 64x36, 10 fps test pattern lasting `seconds`, with these output arguments. */
function onTestPattern(seconds: number, output: readonly string[], loglevel = 'error') {
  return spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      loglevel,
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=64x36:rate=10:duration=${seconds}`,
      ...output,
    ],
    { maxBuffer: 1 << 24 },
  );
}

void test('RTSP runs over TCP with a socket timeout, one thread, keyframes only', () => {
  const args = samplingArgs({
    source: { kind: 'rtsp', url: 'rtsp://cam/1' },
    fps: 1,
    frameSize,
    mode: 'keyframe',
  });
  const input = args.inputOptions.join(' ');
  assert.match(input, /-rtsp_transport tcp -timeout 5000000 -analyzeduration 1000000/);
  assert.match(input, /-threads 1/);
  assert.match(input, /-skip_frame nokey/);
  assert.match(input, /-copyts/);
  assert.equal(args.input, 'rtsp://cam/1');
  const output = args.outputOptions.join(' ');
  assert.match(output, /-fps_mode passthrough -f rawvideo -pix_fmt rgb24/);
  assert.match(output, /scale=768:432:flags=area,format=rgb24 /);
  assert.ok(!output.includes('metadata'), 'no timestamp side channel unless asked for');
  assert.match(
    samplingArgs(
      { source: { kind: 'rtsp', url: 'rtsp://cam/1' }, fps: 1, frameSize, mode: 'keyframe' },
      '/tmp/x/timestamps.txt',
    ).outputOptions.join(' '),
    /format=rgb24,metadata=mode=add:key=salonwatch.picture:value=1,metadata=mode=print:key=salonwatch.picture:direct=1:file=\/tmp\/x\/timestamps.txt /,
  );
});

void test('filter graph values escape both levels of ffmpeg parsing', () => {
  assert.equal(filterGraphValue('/tmp/plain/t.txt'), '/tmp/plain/t.txt');
  assert.equal(filterGraphValue('a:b'), 'a\\\\:b');
  assert.equal(filterGraphValue('a,b;c[d]'), 'a\\,b\\;c\\[d\\]');
  assert.equal(filterGraphValue("a'b"), "a\\\\\\'b");
  assert.equal(filterGraphValue('a\\b'), 'a\\\\\\\\b');
});

void test('timestamps reach a file of any name, one frame line per selected frame (checked with ffmpeg)', (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'salonwatch-args-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const dir = path.join(root, "we:ird,d'ir[x];y\\z");
  mkdirSync(dir);
  const file = path.join(dir, 'timestamps.txt');
  const run = onTestPattern(3, [
    '-vf',
    videoFilter({ fps: 2, frameSize: { width: 32, height: 18 } }, file),
    '-fps_mode',
    'passthrough',
    '-f',
    'null',
    '-',
  ]);
  assert.equal(run.status, 0, run.stderr.toString());
  const stamps = readFileSync(file, 'utf8')
    .split('\n')
    .map(parseTimestampLine)
    .filter((stamp) => stamp !== undefined);
  assert.deepEqual(
    stamps.map((stamp) => stamp.ptsTime),
    [0, 0.5, 1, 1.5, 2, 2.5],
  );
  assert.deepEqual(
    stamps.map((stamp) => stamp.frame),
    [0, 1, 2, 3, 4, 5],
  );
});

void test('full decoding omits -skip_frame; files are read at native rate', () => {
  const args = samplingArgs({
    source: { kind: 'file', url: 'a.mp4' },
    fps: 2,
    frameSize,
    mode: 'full',
    loops: -1,
  });
  assert.ok(!args.inputOptions.includes('-skip_frame'));
  assert.match(args.inputOptions.join(' '), /-re -stream_loop -1/);
  assert.ok(
    !samplingArgs({
      source: { kind: 'file', url: 'a.mp4' },
      fps: 2,
      frameSize,
      mode: 'full',
      realtime: false,
    }).inputOptions.includes('-re'),
  );
  assert.match(
    samplingArgs({
      source: { kind: 'http', url: 'http://nvr/x.m3u8' },
      fps: 1,
      frameSize,
      mode: 'full',
    }).inputOptions.join(' '),
    /-rw_timeout 5000000/,
  );
});

void test('both modes share the decoder shortcuts, as decoder (input) options', () => {
  for (const mode of ['keyframe', 'full'] as const) {
    const args = samplingArgs({
      source: { kind: 'rtsp', url: 'rtsp://cam/1' },
      fps: 1,
      frameSize,
      mode,
    });
    assert.match(args.inputOptions.join(' '), /-skip_loop_filter all -flags2 fast/);
    assert.ok(!args.outputOptions.includes('-skip_loop_filter'));
  }
});

void test('the decoder shortcuts are accepted by a decoder that does not use them (checked with ffmpeg)', () => {
  const run = onTestPattern(1, ['-c:v', 'mjpeg', '-f', 'matroska', '-']);
  assert.equal(run.status, 0, run.stderr.toString());
  const { inputOptions } = samplingArgs({
    source: { kind: 'file', url: 'pipe:0' },
    fps: 1,
    frameSize,
    mode: 'full',
    realtime: false,
  });
  const decode = spawnSync('ffmpeg', [...inputOptions, '-i', 'pipe:0', '-f', 'null', '-'], {
    input: run.stdout,
    encoding: 'utf8',
  });
  assert.equal(decode.status, 0, decode.stderr);
});

void test('the select filter keeps one frame per slot and never duplicates (checked with ffmpeg)', () => {
  // 10 fps test pattern for 5 s, sampled at 2 fps: frames 0, 5, 10, ... i.e. 10 frames.
  const run = onTestPattern(
    5,
    [
      '-vf',
      `${selectExpression(2)},showinfo=checksum=0`,
      '-fps_mode',
      'passthrough',
      '-f',
      'null',
      '-',
    ],
    'info',
  );
  const stderr = run.stderr.toString();
  assert.equal(run.status, 0, stderr);
  const times = [...stderr.matchAll(/pts_time:([0-9.]+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(times, [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
});

void test('argv puts input options before -i and the output last', () => {
  const args = samplingArgs({
    source: { kind: 'file', url: 'a.mp4' },
    fps: 1,
    frameSize,
    mode: 'full',
  });
  const line = argv(args, '/dev/null');
  assert.equal(line[line.indexOf('-i') + 1], 'a.mp4');
  assert.deepEqual(line.slice(-2), ['-y', '/dev/null']);
});
