import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { LOCAL_PORTS } from '../../common/env.js';
import { SalonwatchError } from '../../common/errors.js';
import { demoCameraFootage } from '../cameras/footage.js';
import { rtspDescribe, rtspServerArgs, SYSTEM_PYTHON } from '../cameras/simulator.js';
import { startDetached } from './process.js';
import type { StackPart } from './part.js';

const run = promisify(execFile);

/** Camera paths the stack serves: `cam1` .. `camN`, all looping the demo footage. */
export function stackCameraPaths(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `cam${i + 1}`);
}

/** The camera simulator as a stack part: N looping RTSP cameras of the demo footage. */
export function camerasPart(state: string, count: number): StackPart {
  const home = path.join(state, 'cameras');
  let footage: string | undefined;
  return {
    name: 'cameras',
    ports: [LOCAL_PORTS.rtsp],
    // The footage path lies inside this state directory, so it marks the process as ours.
    process: { name: 'cameras', pidFile: path.join(home, 'cameras.pid'), logFile: path.join(home, 'cameras.log'), marker: path.join(state, 'footage') },
    readyTimeoutMs: 30_000,

    async prepare() {
      mkdirSync(home, { recursive: true });
      footage = await demoCameraFootage(state);
    },

    start() {
      if (footage === undefined) throw new SalonwatchError('INTERNAL', 'cameras: prepare() was not run');
      const file = footage;
      const mounts = stackCameraPaths(count).map((p) => ({ path: p, file }));
      return startDetached(this.process, SYSTEM_PYTHON, rtspServerArgs(LOCAL_PORTS.rtsp, mounts));
    },

    async ready() {
      return (await rtspDescribe(LOCAL_PORTS.rtsp, 'cam1', 1000)) === 200;
    },

    async version() {
      const { stdout } = await run('gst-inspect-1.0', ['--version']);
      return `GStreamer ${/GStreamer ([\d.]+)/.exec(stdout)?.[1] ?? 'unknown'}`;
    },
  };
}
