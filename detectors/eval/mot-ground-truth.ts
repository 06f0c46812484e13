import { SalonwatchError } from '../../common/errors.js';
import type { Box } from '../detections.js';

/**
 * MOTChallenge 2D MOT 2015 ground truth: one box per line,
 * `frame,id,left,top,width,height,conf,x,y,z` with 1-based frames and pixel coordinates of the
 * sequence's own size. `conf` 0 marks an "ignore" box: a person the annotators chose not to
 * score (too occluded, too far); such boxes count neither as misses nor, when a prediction
 * lands on them, as false positives.
 */
export interface GroundTruthBox {
  readonly id: number;
  readonly box: Box;
  readonly ignore: boolean;
  /** The raw `conf` column: 0/1 in ground truth, the detector's score in a det.txt file. */
  readonly conf: number;
}

export interface GroundTruth {
  /** Boxes by 1-based frame number; frames without boxes are absent. */
  readonly frames: ReadonlyMap<number, readonly GroundTruthBox[]>;
  readonly lastFrame: number;
}

export interface SequenceInfo {
  readonly width: number;
  readonly height: number;
  readonly frameRate?: number;
  readonly length?: number;
}

/** Parses gt text; `file` is only used to name the file in errors (`gt.txt:12: ...`). */
export function parseGroundTruth(text: string, file: string): GroundTruth {
  const frames = new Map<number, GroundTruthBox[]>();
  let lastFrame = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const fail = (why: string): never => {
      throw new SalonwatchError('INPUT_INVALID', `${file}:${i + 1}: ${why} in "${truncate(line)}"`);
    };
    const fields = line.split(',').map((f) => f.trim());
    // MOT15 has 10 columns; MOT16+ files have 9 (no z). Both carry the same first seven.
    if (fields.length < 7)
      fail(`expected frame,id,left,top,width,height,conf[,x,y,z], got ${fields.length} fields`);
    const numbers = fields.slice(0, 7).map((f) => (f === '' ? NaN : Number(f)));
    const names = ['frame', 'id', 'left', 'top', 'width', 'height', 'conf'];
    numbers.forEach((n, k) => {
      if (!Number.isFinite(n)) fail(`${names[k] ?? 'field'} is not a number`);
    });
    const [frame = 0, id = 0, left = 0, top = 0, width = 0, height = 0, conf = 0] = numbers;
    if (!Number.isInteger(frame) || frame < 1) fail(`frame must be an integer >= 1, got ${frame}`);
    if (!Number.isInteger(id)) fail(`id must be an integer, got ${id}`);
    if (width <= 0 || height <= 0)
      fail(`width and height must be positive, got ${width}x${height}`);
    let list = frames.get(frame);
    if (list === undefined) {
      list = [];
      frames.set(frame, list);
    }
    list.push({
      id,
      box: { x1: left, y1: top, x2: left + width, y2: top + height },
      ignore: conf === 0,
      conf,
    });
    if (frame > lastFrame) lastFrame = frame;
  }
  if (frames.size === 0)
    throw new SalonwatchError('INPUT_INVALID', `${file}: no ground-truth boxes`);
  return { frames, lastFrame };
}

/** Parses a MOTChallenge `seqinfo.ini` (`imWidth`, `imHeight`, `frameRate`, `seqLength`). */
export function parseSequenceInfo(text: string, file: string): SequenceInfo {
  const values = new Map<string, { value: string; line: number }>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (m?.[1] !== undefined && m[2] !== undefined) values.set(m[1], { value: m[2], line: i + 1 });
  });
  const positive = (key: string, required: boolean): number | undefined => {
    const entry = values.get(key);
    if (entry === undefined) {
      if (required) throw new SalonwatchError('INPUT_INVALID', `${file}: ${key} is missing`);
      return undefined;
    }
    const n = Number(entry.value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new SalonwatchError(
        'INPUT_INVALID',
        `${file}:${entry.line}: ${key} must be a positive number, got "${entry.value}"`,
      );
    }
    return n;
  };
  const width = positive('imWidth', true) ?? 0;
  const height = positive('imHeight', true) ?? 0;
  const frameRate = positive('frameRate', false);
  const length = positive('seqLength', false);
  return {
    width,
    height,
    ...(frameRate === undefined ? {} : { frameRate }),
    ...(length === undefined ? {} : { length }),
  };
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
