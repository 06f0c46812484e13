/**
 * Reading ffmpeg's output: the per-picture timestamps of the sampler's side channel, and the
 * reason a stream failed. Pure: lines in, data out. Patterns are the messages of ffmpeg 5.x
 * (libavformat tcp/rtsp/http protocols and the demuxers).
 */

export interface PictureTimestamp {
  /** Output frame number, from 0 per process. */
  readonly frame: number;
  /** Presentation time in seconds, in the stream's own clock; undefined when the frame has none. */
  readonly ptsTime: number | undefined;
}

// `frame:12   pts:24576   pts_time:2.4`, as `metadata=mode=print` writes it (ffmpeg's
// `av_ts2timestr`: `%.6g` seconds, or NOPTS).
const TIMESTAMP = /^frame:(\d+)\s+pts:\s*(?:-?\d+|NOPTS)\s+pts_time:(\S+)\s*$/;

/** A frame line of the timestamp side channel; `undefined` for its other lines (the key's). */
export function parseTimestampLine(line: string): PictureTimestamp | undefined {
  const match = TIMESTAMP.exec(line);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const ptsTime = Number(match[2]);
  return { frame: Number(match[1]), ptsTime: Number.isFinite(ptsTime) ? ptsTime : undefined };
}

/** Why a camera is offline; the health state's `reason` starts with one of these. */
export type OfflineCause =
  | 'refused'
  | 'not-found'
  | 'unauthorized'
  | 'unreachable'
  | 'timeout'
  | 'invalid-stream'
  | 'ended'
  | 'stalled'
  | 'failed';

export interface Failure {
  readonly cause: OfflineCause;
  /** The ffmpeg line that decided it, for operators. */
  readonly detail: string;
}

/** Most specific first: a refused connection also logs a generic "Invalid data" on some paths. */
const PATTERNS: readonly (readonly [OfflineCause, RegExp])[] = [
  ['refused', /Connection refused/i],
  ['not-found', /\b404\b|No such file or directory|Not Found/i],
  ['unauthorized', /\b401\b|\b403\b|Unauthorized|Forbidden/i],
  [
    'unreachable',
    /No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|Failed to resolve hostname|Host is unreachable/i,
  ],
  ['timeout', /timed out|Connection timeout/i],
  [
    'invalid-stream',
    /CSeq \d+ expected|Invalid data found when processing input|could not find codec parameters|does not contain any stream|Output file .* does not contain|moov atom not found|no frame!|non-existing PPS|Invalid NAL unit|missing picture in access unit|error while decoding|decode_slice_header error|Could not find codec|Unsupported|unable to decode APP fields|Header missing/i,
  ],
];

/** Classifies the stderr lines of a failed or stalled process; `undefined` when nothing matches. */
export function classifyFailure(lines: readonly string[]): Failure | undefined {
  for (const [cause, pattern] of PATTERNS) {
    // The last matching line is the closest to the failure.
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i];
      if (line !== undefined && pattern.test(line)) {
        return {
          cause,
          detail: line
            .replace(/^\[[^\]]*\]\s*/, '')
            .trim()
            .slice(0, 300),
        };
      }
    }
  }
  return undefined;
}

/** Lines worth keeping for classification: anything but blank ones. */
export function isDiagnostic(line: string): boolean {
  return line.trim() !== '';
}
