import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { SalonwatchError } from '../common/errors.js';
import type { Frame } from './frame.js';

/**
 * Every frame of a video file, decoded by ffmpeg to packed RGB24 and read from its stdout.
 * Used by evaluation and benchmarks, where frame n of the file must be frame n of the ground
 * truth: no frame may be dropped or duplicated, hence `-fps_mode passthrough`.
 */
export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** Frames per second from the container (`r_frame_rate`); 0 when it does not say. */
  readonly fps: number;
}

export interface ReadVideoOptions {
  /** Output size; defaults to the video's own. */
  readonly width?: number;
  readonly height?: number;
  readonly cameraId?: string;
  /** `capturedAt` of the first frame (ms since the epoch); later frames add n / fps seconds. */
  readonly startAt?: number;
  /** Used for `capturedAt` when the container has no frame rate. */
  readonly fallbackFps?: number;
}

export async function probeVideo(file: string): Promise<VideoInfo> {
  await assertReadable(file);
  const { code, stdout, stderr } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,r_frame_rate',
    '-of',
    'json',
    file,
  ]);
  const unreadable = (why: string): SalonwatchError =>
    new SalonwatchError('VIDEO_UNREADABLE', `${file}: cannot be decoded as video (${why})`);
  if (code !== 0) throw unreadable(lastLine(stderr) || `ffprobe exited with ${code}`);
  let stream: unknown;
  try {
    stream = (JSON.parse(stdout) as { streams?: unknown[] }).streams?.[0];
  } catch (error) {
    throw new SalonwatchError('VIDEO_UNREADABLE', `${file}: ffprobe output is not JSON`, {
      cause: error,
    });
  }
  if (typeof stream !== 'object' || stream === null) throw unreadable('no video stream');
  const s = stream as { width?: unknown; height?: unknown; r_frame_rate?: unknown };
  if (
    typeof s.width !== 'number' ||
    typeof s.height !== 'number' ||
    s.width <= 0 ||
    s.height <= 0
  ) {
    throw unreadable('no picture size');
  }
  let fps = 0;
  if (typeof s.r_frame_rate === 'string') {
    const [num = NaN, den = NaN] = s.r_frame_rate.split('/').map(Number);
    if (Number.isFinite(num) && Number.isFinite(den) && den > 0) fps = num / den;
  }
  return { width: s.width, height: s.height, fps };
}

/**
 * Decodes `file` frame by frame. Breaking out of the loop kills ffmpeg. Throws
 * `VIDEO_UNREADABLE` naming the file when it is missing, not a video, or yields no frame.
 */
export async function* readVideoFrames(
  file: string,
  options: ReadVideoOptions = {},
): AsyncGenerator<Frame> {
  const info = await probeVideo(file);
  const width = options.width ?? info.width;
  const height = options.height ?? info.height;
  const fps = info.fps > 0 ? info.fps : (options.fallbackFps ?? 10);
  const cameraId = options.cameraId ?? file;
  const startAt = options.startAt ?? 0;
  const frameBytes = width * height * 3;

  const child = spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-fps_mode',
      'passthrough',
      // Bilinear scaling only when the size changes; area-averaging is not worth its cost here.
      '-vf',
      `scale=${width}:${height}:flags=bilinear`,
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve(code ?? (signal === null ? 1 : 128));
    });
  });

  let index = 0;
  let buffer = new Uint8Array(frameBytes);
  let filled = 0;
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        buffer.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          const frame: Frame = {
            cameraId,
            capturedAt: startAt + Math.round((index * 1000) / fps),
            width,
            height,
            data: buffer,
          };
          index += 1;
          buffer = new Uint8Array(frameBytes);
          filled = 0;
          yield frame;
        }
      }
    }
    const code = await exited;
    finished = true;
    if (code !== 0) {
      throw new SalonwatchError(
        'VIDEO_UNREADABLE',
        `${file}: ffmpeg failed after ${index} frames: ${lastLine(stderr) || `exit code ${code}`}`,
      );
    }
    if (index === 0)
      throw new SalonwatchError('VIDEO_UNREADABLE', `${file}: ffmpeg decoded no frame`);
  } catch (error) {
    if (error instanceof SalonwatchError) throw error;
    throw new SalonwatchError('VIDEO_UNREADABLE', `${file}: cannot decode: ${String(error)}`, {
      cause: error,
    });
  } finally {
    if (!finished) {
      child.kill('SIGKILL');
      await exited.catch(() => 0);
    }
  }
}

async function assertReadable(file: string): Promise<void> {
  try {
    await access(file);
  } catch (error) {
    throw new SalonwatchError('VIDEO_UNREADABLE', `${file}: no such readable file`, {
      cause: error,
    });
  }
}

function run(
  cmd: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (error) => {
      reject(
        new SalonwatchError('VIDEO_UNREADABLE', `cannot run ${cmd}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.on('close', (code) => {
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
