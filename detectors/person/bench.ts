import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { numberOption, parseCommandArgs, type Command } from '../../cli/command.js';
import { SalonwatchError } from '../../common/errors.js';
import type { Frame } from '../../ingest/frame.js';
import type { PersonDetector } from '../person-detector.js';
import { createPersonDetector, PERSON_DETECTOR_NAMES } from './factory.js';

/**
 * `salonwatch bench detectors`: milliseconds per frame of each person detector on real footage,
 * split into time inside `session.run` and the pipeline's own overhead (letterbox, decode, NMS,
 * copies). Frames are decoded before timing starts so ffmpeg's cost is not counted.
 */
export const DEFAULT_VIDEO = fileURLToPath(
  new URL('../../../shared/data/PETS09-S2L1/pets09_s2l1_480x360_10fps_gop20.mp4', import.meta.url),
);

const help = `usage: salonwatch bench detectors [--video V] [--width W --height H] [--frames N]
                                 [--models a,b] [--threads T] [--json]

Runs the person detectors, interleaved frame by frame, on the first N frames of V (scaled to W x H; default 768x576, the
PETS09/vtest.avi camera size) and prints ms/frame: total, inside session.run, and overhead.

  --video V    default ../shared/data/PETS09-S2L1/pets09_s2l1_480x360_10fps_gop20.mp4
  --frames N   frames timed per model (default 60), after 3 warm-up frames
  --models     comma-separated, default all: ${PERSON_DETECTOR_NAMES.join(', ')}
  --threads T  onnxruntime intra-op threads (default 1 = one core)
  --json       one JSON object instead of a table`;

export interface DetectorTiming {
  readonly model: string;
  readonly frames: number;
  readonly msPerFrame: number;
  readonly p90Ms: number;
  readonly inferenceMs: number;
  readonly overheadMs: number;
  /** overheadMs / msPerFrame. */
  readonly overheadShare: number;
  readonly detectionsPerFrame: number;
  /** msPerFrame relative to the first model, measured interleaved with it in the same run. */
  readonly relative: number;
}

export const command: Command = {
  name: 'detectors',
  summary: 'ms/frame of each person detector, inference vs overhead',
  help,
  async run(argv) {
    const args = parseCommandArgs(command, argv, {
      video: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      frames: { type: 'string' },
      models: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (args === undefined) return 0;
    const v = args.values;
    const width = numberOption('width', v.width, 768, { min: 32, max: 4096, integer: true });
    const height = numberOption('height', v.height, 576, { min: 32, max: 4096, integer: true });
    const count = numberOption('frames', v.frames, 60, { min: 1, max: 2000, integer: true });
    const threads = numberOption('threads', v.threads, 1, { min: 1, max: 64, integer: true });
    const models = v.models === undefined ? PERSON_DETECTOR_NAMES : v.models.split(',');
    const video = v.video ?? DEFAULT_VIDEO;
    const frames = await decodeFrames(video, width, height, count + WARM_UP);
    const results = await timeDetectors(models, frames, threads);
    if (v.json === true) {
      process.stdout.write(
        JSON.stringify({ video, width, height, threads, frames: count, results }) + '\n',
      );
    } else {
      process.stdout.write(table(results, { video, width, height, threads }) + '\n');
    }
    return 0;
  },
};

const WARM_UP = 3;

/**
 * Times every detector on every frame, interleaved (frame by frame, each detector in turn, the
 * order rotating) so that load from other processes on a shared machine falls on all of them
 * alike and their ratios stay meaningful even when absolute figures drift.
 */
async function timeDetectors(
  models: readonly string[],
  frames: readonly Frame[],
  threads: number,
): Promise<DetectorTiming[]> {
  const detectors: PersonDetector[] = [];
  try {
    for (const model of models) detectors.push(await createPersonDetector(model, { threads }));
    for (const frame of frames.slice(0, WARM_UP)) for (const d of detectors) await d.detect(frame);
    const totals = detectors.map(() => [] as number[]);
    const inference = detectors.map(() => 0);
    const detections = detectors.map(() => 0);
    const timed = frames.slice(WARM_UP);
    for (const [f, frame] of timed.entries()) {
      for (let k = 0; k < detectors.length; k++) {
        const i = (k + f) % detectors.length;
        const d = detectors[i];
        if (d === undefined) continue;
        const start = performance.now();
        const result = await d.detect(frame);
        totals[i]?.push(performance.now() - start);
        inference[i] = (inference[i] ?? 0) + d.lastInferenceMs;
        detections[i] = (detections[i] ?? 0) + result.count;
      }
    }
    const perFrame = totals.map((t) => t.reduce((a, b) => a + b, 0) / t.length);
    const baseline = perFrame[0] ?? 1;
    return models.map((model, i) => {
      const t = totals[i] ?? [];
      const n = t.length;
      const msPerFrame = perFrame[i] ?? 0;
      const inferenceMs = (inference[i] ?? 0) / n;
      const sorted = [...t].sort((a, b) => a - b);
      return {
        model,
        frames: n,
        msPerFrame,
        p90Ms: sorted[Math.min(n - 1, Math.floor(n * 0.9))] ?? msPerFrame,
        inferenceMs,
        overheadMs: msPerFrame - inferenceMs,
        overheadShare: (msPerFrame - inferenceMs) / msPerFrame,
        detectionsPerFrame: (detections[i] ?? 0) / n,
        relative: msPerFrame / baseline,
      };
    });
  } finally {
    for (const d of detectors) await d.close();
  }
}

function table(
  results: readonly DetectorTiming[],
  run: { video: string; width: number; height: number; threads: number },
) {
  const header = `${run.width}x${run.height} frames of ${run.video}, ${run.threads} thread(s)`;
  const cols = [
    'model',
    'ms/frame',
    'p90',
    'session.run',
    'overhead',
    'overhead %',
    'dets/frame',
    'x first',
  ];
  const rows = results.map((r) => [
    r.model,
    r.msPerFrame.toFixed(1),
    r.p90Ms.toFixed(1),
    r.inferenceMs.toFixed(1),
    r.overheadMs.toFixed(2),
    (r.overheadShare * 100).toFixed(1),
    r.detectionsPerFrame.toFixed(1),
    r.relative.toFixed(2),
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [header, line(cols), ...rows.map(line)].join('\n');
}

/** Decodes the first `count` frames of `video`, scaled to width x height, as packed RGB24. */
export function decodeFrames(
  video: string,
  width: number,
  height: number,
  count: number,
): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const ffmpeg = spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        video,
        '-frames:v',
        String(count),
        '-vf',
        `scale=${width}:${height}`,
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    let stderr = '';
    ffmpeg.stdout.on('data', (c: Buffer) => chunks.push(c));
    ffmpeg.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    ffmpeg.on('error', (cause) => {
      reject(new SalonwatchError('VIDEO_UNREADABLE', `cannot run ffmpeg for ${video}`, { cause }));
    });
    ffmpeg.on('close', (code) => {
      const all = Buffer.concat(chunks);
      const size = width * height * 3;
      const n = Math.floor(all.length / size);
      if (code !== 0 || n === 0) {
        reject(
          new SalonwatchError(
            'VIDEO_UNREADABLE',
            `ffmpeg could not decode ${video}: ${stderr.trim() || `exit ${code}`}`,
          ),
        );
        return;
      }
      const frames: Frame[] = [];
      for (let i = 0; i < n; i++) {
        frames.push({
          cameraId: 'bench',
          capturedAt: i * 100,
          width,
          height,
          data: new Uint8Array(all.buffer, all.byteOffset + i * size, size),
        });
      }
      resolve(frames);
    });
  });
}
