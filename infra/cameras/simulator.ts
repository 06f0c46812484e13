import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, renameSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SalonwatchError } from '../../common/errors.js';

const run = promisify(execFile);

export const RTSP_SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rtsp_server.py');
/** Debian's python3 has the GStreamer bindings (`gi`); other python3 builds on PATH may not. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface CameraMount {
  /** URL path without the leading slash, e.g. `salon-1/cam-1`. */
  readonly path: string;
  /** A file holding H.264 video in any container GStreamer parses. */
  readonly file: string;
}

/**
 * The interpreter's arguments for the RTSP server. `-X faulthandler` makes a crash inside
 * GStreamer's native code print a traceback to the log instead of leaving it empty.
 */
export function rtspServerArgs(port: number, cameras: readonly CameraMount[]): string[] {
  return ['-X', 'faulthandler', RTSP_SERVER_SCRIPT, '--port', String(port), ...cameras.map((c) => `${c.path}=${c.file}`)];
}

/**
 * Sends an RTSP DESCRIBE and resolves the status code of the answer (200 when the path is
 * served, 404 when not), or undefined when nothing answers within `timeoutMs`.
 */
export function rtspDescribe(port: number, urlPath: string, timeoutMs = 2000, host = '127.0.0.1'): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let answer = '';
    const done = (status: number | undefined) => {
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(timeoutMs, () => { done(undefined); });
    socket.once('error', () => { done(undefined); });
    socket.once('connect', () => {
      socket.write(`DESCRIBE rtsp://${host}:${port}/${urlPath} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const match = /^RTSP\/1\.0 (\d{3})/.exec(answer);
      if (match?.[1] !== undefined) done(Number(match[1]));
    });
  });
}

export interface CameraSimulator {
  readonly pid: number;
  url(cameraPath: string): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: the abrupt failure of a recorder or a network. */
  kill(): Promise<void>;
}

/**
 * Starts an RTSP server over looping footage as a child of this process (for tests and the
 * demo) and resolves once every camera path answers DESCRIBE with 200.
 */
export async function startCameraSimulator(options: {
  port: number;
  cameras: readonly CameraMount[];
  logFile: string;
  readyTimeoutMs?: number;
}): Promise<CameraSimulator> {
  const { port, cameras, logFile, readyTimeoutMs = 30_000 } = options;
  if (cameras.length === 0) throw new SalonwatchError('INPUT_INVALID', 'camera simulator: no cameras to serve');
  for (const camera of cameras) {
    if (!existsSync(camera.file)) throw new SalonwatchError('INPUT_INVALID', `camera simulator: ${camera.path}: no such file ${camera.file}`);
  }
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(SYSTEM_PYTHON, rtspServerArgs(port, cameras), { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const pid = child.pid;
  if (pid === undefined) throw new SalonwatchError('STACK_NOT_READY', `camera simulator did not start; see ${logFile}`);

  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (const camera of cameras) {
    while ((await rtspDescribe(port, camera.path, 1000)) !== 200) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await signalAndWait('SIGKILL');
        throw new SalonwatchError('STACK_NOT_READY', `camera simulator: rtsp://127.0.0.1:${port}/${camera.path} not served; see ${logFile}`);
      }
      await sleep(200);
    }
  }
  return {
    pid,
    url: (cameraPath) => `rtsp://127.0.0.1:${port}/${cameraPath}`,
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
  };
}

/**
 * Re-encodes a video to H.264 suited to camera simulation (the demo footage, vtest.avi, is
 * MPEG-4 part 2): no B-frames, a keyframe every `gopSeconds` like an IP camera's default, the
 * source frame rate kept. Cached: done once per output file.
 */
export async function transcodeToCameraH264(input: string, output: string, gopSeconds = 1, fps = 10): Promise<string> {
  if (existsSync(output) && statSync(output).size > 0) return output;
  if (!existsSync(input)) throw new SalonwatchError('INPUT_INVALID', `footage ${input} does not exist`);
  mkdirSync(path.dirname(output), { recursive: true });
  const partial = `${output}.partial.mp4`;
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', input,
    '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-r', String(fps), '-g', String(Math.round(gopSeconds * fps)), '-bf', '0', '-sc_threshold', '0',
    partial,
  ]);
  renameSync(partial, output);
  return output;
}
