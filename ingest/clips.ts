/**
 * Short H.264 clips for the camera simulator in fault tests and the soak run, made with ffmpeg
 * into the state directory (gitignored) and reused: live footage with a 1 s keyframe interval,
 * a black picture, and a frozen picture (one real frame repeated, as a hung encoder sends).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sharedDataDir, stateDir } from '../common/paths.js';

const run = promisify(execFile);

export type ClipKind = 'live' | 'black' | 'frozen';

const PETS = 'PETS09-S2L1/pets09_s2l1_480x360_10fps_gop20.mp4';

/** 10 fps, keyframe every 10 frames (1 s), no B-frames: keyframe-only sampling at 1 fps. */
const ENCODE = [
  '-an',
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-pix_fmt',
  'yuv420p',
  '-r',
  '10',
  '-g',
  '10',
  '-keyint_min',
  '10',
  '-sc_threshold',
  '0',
  '-bf',
  '0',
];

function recipe(kind: ClipKind, data: string): string[] {
  const pets = path.join(data, PETS);
  switch (kind) {
    case 'live':
      return ['-i', pets, ...ENCODE];
    case 'black':
      return ['-f', 'lavfi', '-i', 'color=c=black:s=480x360:r=10:d=20', ...ENCODE];
    case 'frozen':
      // Frame 5 s into the footage, repeated for 20 s.
      return [
        '-ss',
        '5',
        '-i',
        pets,
        '-vf',
        'trim=end_frame=1,loop=loop=199:size=1:start=0,setpts=N/10/TB',
        ...ENCODE,
      ];
  }
}

export async function cameraClip(
  kind: ClipKind,
  state = stateDir(),
  data = sharedDataDir(),
): Promise<string> {
  const dir = path.join(state, 'ingest', 'clips');
  const file = path.join(dir, `${kind}-480x360-10fps-gop1s.mp4`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.partial.mp4`;
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...recipe(kind, data), partial]);
  renameSync(partial, file);
  return file;
}
