import { existsSync } from 'node:fs';
import path from 'node:path';
import { SalonwatchError } from '../../common/errors.js';
import { transcodeToCameraH264 } from './simulator.js';

/**
 * The demo footage: `vtest.avi` from Debian's `opencv-doc` (PETS 2009 S2.L1, 768x576, 10 fps).
 * `infra/bootstrap.sh` extracts just that file into the state directory when the package is
 * not installed.
 */
export function demoFootageSource(state: string): string {
  const candidates = [
    '/usr/share/doc/opencv-doc/examples/data/vtest.avi',
    path.join(state, 'footage', 'usr/share/doc/opencv-doc/examples/data/vtest.avi'),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) {
    throw new SalonwatchError(
      'STACK_MISSING_DEPENDENCY',
      `demo footage vtest.avi not found (looked in ${candidates.join(', ')}); run "bash infra/bootstrap.sh"`,
    );
  }
  return found;
}

/** The demo footage as H.264 with a 1 s keyframe interval, as the camera simulator serves it. */
export function demoCameraFootage(state: string): Promise<string> {
  return transcodeToCameraH264(demoFootageSource(state), path.join(state, 'footage', 'vtest-h264-gop10.mp4'));
}
