/**
 * Test streams for the sampling benchmark, made from real footage: PETS09 upscaled to 1080p
 * and 720p at 25 fps with a 2 s keyframe interval, like an IP camera's main stream. Upscaled
 * footage is unnaturally smooth and compresses to almost nothing, which would make decoding
 * look cheaper than it is; temporal luma noise like a sensor's makes every frame cost real
 * bits: with this noise the 1080p stream runs at about 3.5 Mbit/s, 720p at about 2, in the
 * range of IP cameras' main streams. Made once into the state directory (gitignored), reused.
 * The file name carries the recipe version, so a changed recipe does not reuse an old file.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sharedDataDir, stateDir } from '../common/paths.js';
import { SalonwatchError } from '../common/errors.js';

const run = promisify(execFile);

export interface BenchStream {
  readonly label: '1080p' | '720p';
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly gopS: number;
  readonly durationS: number;
}

const SOURCE = 'PETS09-S2L1/pets09_s2l1_480x360_10fps_gop20.mp4';
const SECONDS = 30;
const FPS = 25;
const GOP_S = 2;

export const STREAM_SHAPES = [
  { label: '1080p', width: 1920, height: 1080 },
  { label: '720p', width: 1280, height: 720 },
] as const;

/** The ffmpeg arguments that make one test stream (also printed by the benchmark). */
export function benchStreamArgs(
  source: string,
  width: number,
  height: number,
  output: string,
): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-i',
    source,
    '-t',
    String(SECONDS),
    // Upscale, then 25 fps by repeating frames: the noise below makes each repeat distinct.
    '-vf',
    `scale=${width}:${height}:flags=bicubic,fps=${FPS},noise=c0s=14:c0f=t+u,format=yuv420p`,
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'main',
    '-crf',
    '23',
    // A camera's GOP: fixed 2 s, no scene-cut keyframes, no B-frames (most IP cameras).
    '-g',
    String(FPS * GOP_S),
    '-keyint_min',
    String(FPS * GOP_S),
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    output,
  ];
}

export async function benchStreams(
  state = stateDir(),
  data = sharedDataDir(),
): Promise<BenchStream[]> {
  const source = path.join(data, SOURCE);
  if (!existsSync(source))
    throw new SalonwatchError('INPUT_INVALID', `benchmark footage ${source} not found`);
  const dir = path.join(state, 'bench', 'sampling');
  mkdirSync(dir, { recursive: true });
  const streams: BenchStream[] = [];
  for (const shape of STREAM_SHAPES) {
    const file = path.join(dir, `pets09-${shape.label}-${FPS}fps-gop${GOP_S}s-noise14.mp4`);
    if (!existsSync(file) || statSync(file).size === 0) {
      const partial = `${file}.partial.mp4`;
      await run('ffmpeg', benchStreamArgs(source, shape.width, shape.height, partial));
      renameSync(partial, file);
    }
    streams.push({ ...shape, file, fps: FPS, gopS: GOP_S, durationS: SECONDS });
  }
  return streams;
}
