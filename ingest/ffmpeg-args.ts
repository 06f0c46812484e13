/**
 * The ffmpeg command line for sampling one camera, as plain data (pure, so each flag's reason
 * sits next to it and tests can read the result). `sampler.ts` hands these to fluent-ffmpeg;
 * the benchmark runs the same decode bare to measure the sampler's own overhead.
 */
import type { FrameSize, StreamSource } from '../config/fleet.js';

export type DecodeMode = 'keyframe' | 'full';

export interface SamplingSpec {
  readonly source: StreamSource;
  readonly fps: number;
  readonly frameSize: FrameSize;
  readonly mode: DecodeMode;
  /** Read files at their native rate, like a camera (default true); false decodes as fast as possible. */
  readonly realtime?: boolean;
  /** Files: play this many extra times (-1: forever), for benchmarks and demos. */
  readonly loops?: number;
  /** Socket I/O timeout: how long a silent camera may hang ffmpeg before it exits on its own. */
  readonly ioTimeoutMs?: number;
  /**
   * RTSP: probe the stream for 1 s instead of ffmpeg's 5 s (default true). ffmpeg buffers what
   * it probes, so the long probe delays the first frame by ~4 s and then delivers that backlog
   * in a burst; camera SDPs carry the SPS, so 1 s is enough. A camera whose parameters only
   * come in-band with a rare keyframe needs the long probe: the sampler falls back to it.
   */
  readonly quickProbe?: boolean;
}

export interface FfmpegArgs {
  readonly input: string;
  /** Options before `-i` (global, demuxer and decoder options). */
  readonly inputOptions: readonly string[];
  /** Options after `-i`, for the one rawvideo output (the sampler's FIFO, or /dev/null for the baseline). */
  readonly outputOptions: readonly string[];
}

/**
 * Keeps the first decoded frame of each 1/fps slot of stream time. Unlike the `fps` filter it
 * never duplicates a frame to fill a gap: with keyframe-only decoding of a 2 s GOP at 1 fps,
 * `fps=1` would emit every keyframe twice, which the health check would read as a frozen
 * picture. Slots are counted from stream time 0, so the rate does not drift.
 */
export function selectExpression(fps: number): string {
  return `select='isnan(prev_selected_t)+gte(floor(t*${fps})-floor(prev_selected_t*${fps}),1)'`;
}

/** The frame metadata key that marks every picture for the timestamp side channel. */
export const TIMESTAMP_KEY = 'salonwatch.picture';

/**
 * A value for a filter option inside a `-vf` graph, escaped at both levels ffmpeg parses: the
 * option value (`:` separates options) and then the graph description (`,;[]` separate filters),
 * each with `\` and `'` as its escape characters. Any path survives, whatever the temporary
 * directory is called.
 */
export function filterGraphValue(value: string): string {
  const option = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/**
 * `timestampsPath`: where ffmpeg writes each emitted frame's pts, one `frame:N pts:P pts_time:T`
 * line and one `key=value` line per picture, in output order (see `parseTimestampLine`). Without
 * it there is no side channel (the benchmark's bare baseline, tests that cut pictures themselves).
 */
export function videoFilter(
  spec: Pick<SamplingSpec, 'fps' | 'frameSize'>,
  timestampsPath?: string,
): string {
  const { width, height } = spec.frameSize;
  return [
    // Selecting before scaling means only the kept frames are scaled and converted.
    selectExpression(spec.fps),
    // `area` averages the pixels a downscale drops, so the detector does not see aliasing.
    `scale=${width}:${height}:flags=area`,
    'format=rgb24',
    // The capture-time side channel. `metadata=mode=print` reports only frames that carry its
    // key, so `add` tags each one first; `direct=1` writes every line as it is printed instead of
    // buffering 32 KiB of them. It replaces `showinfo` on stderr, whose 2-3 log lines per picture
    // cost a bare reader of ffmpeg's stderr about 0.2 ms of CPU per picture (1.5% of 720p
    // keyframe-only decoding); these two lines cost too little to measure, and a pts-less frame
    // no longer shifts the pairing of every later one (showinfo's line for it did not parse).
    ...(timestampsPath === undefined
      ? []
      : [
          `metadata=mode=add:key=${TIMESTAMP_KEY}:value=1`,
          `metadata=mode=print:key=${TIMESTAMP_KEY}:direct=1:file=${filterGraphValue(timestampsPath)}`,
        ]),
  ].join(',');
}

/**
 * Decoder shortcuts (H.264 and HEVC) for both modes; the benchmark's bare baseline shares them.
 *
 * `-skip_loop_filter all` skips the deblocking filter, which smooths the edges of the coding
 * blocks (4x4 to 16x16 pixels): 16-25% less CPU in 1080p full decoding, 8-14% keyframe-only
 * (with `-flags2 fast`). Without it block edges stay up to a few luma levels sharper, and since
 * later frames are predicted from undeblocked pictures the difference grows through a GOP
 * (keyframe-only decoding never predicts, so it has no drift). At the model frame size a 1080p
 * picture is scaled down 2.5x with area averaging, which averages block edges away. Measured on
 * PETS09 S2L1 encoded at 1440x1080 like a camera (x264, 2 s GOP, no B-frames, sensor noise,
 * 0.7 and 1.8 Mbit/s at 10 fps), every frame decoded to 768x576 (1.9x down, less averaging than
 * 2.5x) with and without the filter:
 * the two differ by 45 dB luma PSNR on average, 43 dB on the worst frame (each is 39-40 dB from
 * the noise-free source); the default person detector and tracker over all 795 frames scored,
 * with / without the filter, precision 0.938 / 0.940, recall 0.889 / 0.876, MOTA 0.822 / 0.813
 * at 0.7 Mbit/s and 0.940 / 0.935, 0.883 / 0.891, 0.820 / 0.822 at 1.8 Mbit/s. Identity
 * tracking (IDF1 0.65 / 0.71 and 0.76 / 0.73) moves with any change of pixels, in both
 * directions. The health checks are unaffected: a repeated picture decodes the same either way,
 * and black and moved are judged on a 48x27 thumbnail.
 *
 * `-flags2 fast` lets the decoder use NAL units that need no unescaping in place instead of
 * copying them into a padded buffer (its other H.264 shortcut, no deblocking across slices,
 * applies only to slice threads, which one decoding thread never uses). Output is bit-identical
 * (framemd5 on the streams above, the benchmark's 1080p stream and one with B-frames); 3-6% less
 * CPU in full decoding.
 *
 * `-skip_frame noref` (skip non-reference frames) is left out: it saves nothing on streams
 * without B-frames, as most IP cameras send, and with an encoder that makes every P-frame
 * non-reference it would leave only the keyframes, silently turning full decoding into
 * keyframe-only.
 */
const DECODER_SHORTCUTS = ['-skip_loop_filter', 'all', '-flags2', 'fast'] as const;

export function samplingArgs(spec: SamplingSpec, timestampsPath?: string): FfmpegArgs {
  const ioTimeoutUs = String((spec.ioTimeoutMs ?? 5_000) * 1000);
  const transport: string[] = [];
  switch (spec.source.kind) {
    case 'rtsp':
      // TCP interleaving: UDP loses packets (smeared frames) on busy salon networks and NATs.
      // `-timeout` (ffmpeg >= 5) bounds every socket read, so a silent camera ends the process.
      transport.push('-rtsp_transport', 'tcp', '-timeout', ioTimeoutUs);
      if (spec.quickProbe ?? true) transport.push('-analyzeduration', '1000000');
      break;
    case 'http':
      transport.push('-rw_timeout', ioTimeoutUs);
      break;
    case 'file':
      if (spec.realtime ?? true) transport.push('-re');
      if (spec.loops !== undefined && spec.loops !== 0)
        transport.push('-stream_loop', String(spec.loops));
      break;
  }
  return {
    input: spec.source.url,
    inputOptions: [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      // `info` gives the stream description ("Input #0", once per run), which tells a source
      // that never yields a playable stream from one that stalled; connection errors come at
      // `error`.
      '-loglevel',
      'info',
      // One decoding thread per camera: across many cameras this costs less CPU in total than
      // `-threads auto`, whose frame threads add latency and synchronisation for no gain at 1 fps.
      '-threads',
      '1',
      // Keep the camera's own timestamps instead of rebasing them to zero.
      '-copyts',
      ...transport,
      // The decoder never reconstructs P and B frames: a 2 s GOP costs 1/50 of full decoding.
      ...(spec.mode === 'keyframe' ? ['-skip_frame', 'nokey'] : []),
      ...DECODER_SHORTCUTS,
    ],
    outputOptions: [
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
      '-filter_threads',
      '1',
      '-vf',
      videoFilter(spec, timestampsPath),
      // rawvideo has no timestamps, so ffmpeg would default to constant frame rate and
      // duplicate frames to fill gaps; passthrough emits exactly the selected frames.
      '-fps_mode',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
    ],
  };
}

/** The same arguments as one argv, for the bare-ffmpeg baseline and for logs. */
export function argv(args: FfmpegArgs, output: string): string[] {
  return [...args.inputOptions, '-i', args.input, ...args.outputOptions, '-y', output];
}
