/**
 * Choosing between keyframe-only and full decoding. Keyframe-only decoding is ~6x cheaper but
 * can only deliver one frame per keyframe, so it is used when keyframes come at least as often
 * as frames are sampled. The keyframe interval comes from the config when known; otherwise it is
 * measured for free: a camera starts in keyframe mode, where every decoded frame is a keyframe,
 * so the gaps between the first few frames are the keyframe interval.
 */
import type { DecodeMode } from './ffmpeg-args.js';

/** Up to 25% slack: a 1 s GOP whose keyframes land at 1.04 s still serves 1 fps well enough. */
const SLACK = 1.25;

export function modeFor(samplingIntervalS: number, keyframeIntervalS: number): DecodeMode {
  return keyframeIntervalS <= samplingIntervalS * SLACK ? 'keyframe' : 'full';
}

/** Gaps (s) between consecutive keyframe-mode frames needed before deciding. */
export const PROBE_GAPS = 3;

/**
 * The keyframe interval from gaps between frames decoded in keyframe mode: their median, so one
 * lost keyframe does not double the estimate. Undefined until `PROBE_GAPS` gaps are known.
 */
export function keyframeIntervalFromGaps(gapsS: readonly number[]): number | undefined {
  const valid = gapsS.filter((gap) => Number.isFinite(gap) && gap > 0);
  if (valid.length < PROBE_GAPS) return undefined;
  const sorted = [...valid].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
