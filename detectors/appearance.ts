/**
 * A person's appearance as a colour histogram of the torso: what tells a uniform from street
 * clothes, and what re-identifies a customer after an occlusion or a tracker id switch. Pure:
 * pixels in, histogram out.
 */
import type { Frame } from '../ingest/frame.js';
import type { Box } from './detections.js';

/** Levels per RGB channel: 8 gives 32-unit cells, coarse enough to survive lighting noise. */
export const LEVELS = 8;
export const BINS = LEVELS * LEVELS * LEVELS;
const SHIFT = 5; // 256 / LEVELS = 32 = 1 << 5

/** Normalised histogram (sums to 1) over `BINS` joint RGB cells, index `r * 64 + g * 8 + b`. */
export type ColourHistogram = Float32Array;

/**
 * The torso: the middle 40% of the box's width, from 20% to 50% of its height. This stays
 * below the head and above the hands and counter edge for a standing person; a looser region
 * lets background into the histogram when boxes are wide.
 */
export function torsoRegion(box: Box): Box {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return { x1: box.x1 + 0.3 * w, y1: box.y1 + 0.2 * h, x2: box.x1 + 0.7 * w, y2: box.y1 + 0.5 * h };
}

/**
 * Torso colour histogram of `box` in `frame`, or undefined when the region is off-frame or
 * empty. At most about `maxSamples` pixels are read (on a regular grid) so the cost does not
 * grow with resolution.
 */
export function torsoHistogram(
  frame: Frame,
  box: Box,
  maxSamples = 1024,
): ColourHistogram | undefined {
  return regionHistogram(frame, torsoRegion(box), maxSamples);
}

/** Colour histogram of a region of `frame` (pixels), read on a grid of about `maxSamples`. */
export function regionHistogram(
  frame: Frame,
  r: Box,
  maxSamples = 1024,
): ColourHistogram | undefined {
  const x1 = Math.max(0, Math.floor(r.x1));
  const y1 = Math.max(0, Math.floor(r.y1));
  const x2 = Math.min(frame.width, Math.ceil(r.x2));
  const y2 = Math.min(frame.height, Math.ceil(r.y2));
  if (x2 <= x1 || y2 <= y1) return undefined;
  const step = Math.max(1, Math.floor(Math.sqrt(((x2 - x1) * (y2 - y1)) / maxSamples)));
  const hist = new Float32Array(BINS);
  const data = frame.data;
  let n = 0;
  for (let y = y1; y < y2; y += step) {
    let o = (y * frame.width + x1) * 3;
    for (let x = x1; x < x2; x += step, o += 3 * step) {
      addSoft(hist, data[o] ?? 0, data[o + 1] ?? 0, data[o + 2] ?? 0, 1);
      n++;
    }
  }
  if (n === 0) return undefined;
  for (let i = 0; i < BINS; i++) hist[i] = (hist[i] ?? 0) / n;
  return hist;
}

/**
 * What the tracker compares to tell two people apart after an occlusion: the colours of the
 * upper body and of the legs, each its own histogram. Shirt and trousers together separate
 * people better than the shirt alone: on PETS09-S2L1's ground-truth boxes, at the similarity
 * that keeps 90% of same-person pairs 40 frames apart, the pair rejects 71% of different-person
 * pairs, `torsoHistogram` 52%. TUD-Campus, whose people overlap heavily, is harder either way:
 * 44% against 32% 10 frames apart, 22% against 38% 40 frames apart.
 */
export interface BodyColours {
  readonly upper: ColourHistogram;
  /** Undefined when the legs are off-frame (a person at the bottom edge). */
  readonly lower: ColourHistogram | undefined;
}

/**
 * Wider than `torsoRegion` (20-80% of the width, 15-50% of the height): boxes around small,
 * far people are tight, and the uniform model's narrow band holds too few pixels there. The
 * legs are 25-75% of the width, 55-90% of the height, above the feet and their shadow.
 */
export function bodyRegions(box: Box): { upper: Box; lower: Box } {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return {
    upper: {
      x1: box.x1 + 0.2 * w,
      y1: box.y1 + 0.15 * h,
      x2: box.x1 + 0.8 * w,
      y2: box.y1 + 0.5 * h,
    },
    lower: {
      x1: box.x1 + 0.25 * w,
      y1: box.y1 + 0.55 * h,
      x2: box.x1 + 0.75 * w,
      y2: box.y1 + 0.9 * h,
    },
  };
}

/**
 * Body colours of `box` in `frame`, or undefined when the upper body is off-frame. At most 256
 * samples per region keep the cost flat at any resolution: 0.07 ms per box on this project's
 * 2-core machine, on PETS09-S2L1 (small people) and TUD-Campus (large) alike.
 */
export function bodyColours(frame: Frame, box: Box, maxSamples = 256): BodyColours | undefined {
  const regions = bodyRegions(box);
  const upper = regionHistogram(frame, regions.upper, maxSamples);
  if (upper === undefined) return undefined;
  return { upper, lower: regionHistogram(frame, regions.lower, maxSamples) };
}

/** Mean similarity of the regions both sides have, in [0, 1]. */
export function bodySimilarity(a: BodyColours, b: BodyColours): number {
  const upper = similarity(a.upper, b.upper);
  return a.lower === undefined || b.lower === undefined
    ? upper
    : (upper + similarity(a.lower, b.lower)) / 2;
}

/**
 * Running body colours: `weight` of the newest sighting, the rest of the old model, so a
 * single frame with someone walking past does not replace who the track is.
 */
export function blendBodyColours(old: BodyColours, next: BodyColours, weight: number): BodyColours {
  const mix = (a: ColourHistogram, b: ColourHistogram): ColourHistogram => {
    const out = new Float32Array(BINS);
    for (let i = 0; i < BINS; i++) out[i] = (1 - weight) * (a[i] ?? 0) + weight * (b[i] ?? 0);
    return out;
  };
  const lower =
    old.lower === undefined
      ? next.lower
      : next.lower === undefined
        ? old.lower
        : mix(old.lower, next.lower);
  return { upper: mix(old.upper, next.upper), lower };
}

/**
 * Per channel value 0-255: the two nearest cells and the weight of the lower one (linear
 * between cell centres), tabulated once: the per-pixel work is table reads, no allocation.
 */
const CELL_LO = new Uint8Array(256);
const CELL_HI = new Uint8Array(256);
const CELL_W = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const p = v / (1 << SHIFT) - 0.5;
  const lo = Math.floor(p);
  CELL_LO[v] = Math.max(0, lo);
  CELL_HI[v] = Math.min(LEVELS - 1, lo + 1);
  CELL_W[v] = 1 - (p - lo);
}

/**
 * Adds one colour spread over the eight surrounding cells (trilinear): with hard cells, two
 * shades of the same shirt either side of a cell edge would share nothing, and a customer would
 * not be recognised after a step into different light. Channel values are integers 0-255.
 */
function addSoft(hist: ColourHistogram, r: number, g: number, b: number, weight: number): void {
  const r0 = (CELL_LO[r] ?? 0) << 6;
  const r1 = (CELL_HI[r] ?? 0) << 6;
  const g0 = (CELL_LO[g] ?? 0) << 3;
  const g1 = (CELL_HI[g] ?? 0) << 3;
  const b0 = CELL_LO[b] ?? 0;
  const b1 = CELL_HI[b] ?? 0;
  const wr = CELL_W[r] ?? 0;
  const wg = CELL_W[g] ?? 0;
  const wb = CELL_W[b] ?? 0;
  const vr = 1 - wr;
  const vg = 1 - wg;
  const vb = 1 - wb;
  // The eight corners written out (it is the tracker's hottest loop): lower cell before upper,
  // red outermost, blue innermost. A corner of weight 0 adds 0, which leaves its bin as it was.
  const rg00 = wr * wg;
  const rg01 = wr * vg;
  const rg10 = vr * wg;
  const rg11 = vr * vg;
  hist[r0 | g0 | b0] = (hist[r0 | g0 | b0] ?? 0) + weight * (rg00 * wb);
  hist[r0 | g0 | b1] = (hist[r0 | g0 | b1] ?? 0) + weight * (rg00 * vb);
  hist[r0 | g1 | b0] = (hist[r0 | g1 | b0] ?? 0) + weight * (rg01 * wb);
  hist[r0 | g1 | b1] = (hist[r0 | g1 | b1] ?? 0) + weight * (rg01 * vb);
  hist[r1 | g0 | b0] = (hist[r1 | g0 | b0] ?? 0) + weight * (rg10 * wb);
  hist[r1 | g0 | b1] = (hist[r1 | g0 | b1] ?? 0) + weight * (rg10 * vb);
  hist[r1 | g1 | b0] = (hist[r1 | g1 | b0] ?? 0) + weight * (rg11 * wb);
  hist[r1 | g1 | b1] = (hist[r1 | g1 | b1] ?? 0) + weight * (rg11 * vb);
}

/** A configured channel value as the tables index it: an integer 0-255. */
function channel(v: number): number {
  return Math.min(255, Math.max(0, Math.round(v)));
}

/** A histogram of given colours with given shares: reference models and scripted scenarios. */
export function histogramOf(
  colours: readonly { rgb: readonly [number, number, number]; share: number }[],
): ColourHistogram {
  const hist = new Float32Array(BINS);
  let total = 0;
  for (const { rgb, share } of colours) {
    addSoft(hist, channel(rgb[0]), channel(rgb[1]), channel(rgb[2]), share);
    total += share;
  }
  if (total > 0) for (let i = 0; i < BINS; i++) hist[i] = (hist[i] ?? 0) / total;
  return hist;
}

/** Bhattacharyya coefficient in [0, 1]: 1 for identical histograms, 0 for disjoint ones. */
export function similarity(a: ColourHistogram, b: ColourHistogram): number {
  let s = 0;
  for (let i = 0; i < BINS; i++) {
    const p = a[i] ?? 0;
    const q = b[i] ?? 0;
    if (p > 0 && q > 0) s += Math.sqrt(p * q);
  }
  return Math.min(1, s);
}

export function parseHexColour(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * The cells whose centre lies within `radius` (RGB distance) of any reference colour. The share
 * of a torso histogram in these cells is the uniform evidence of a frame.
 */
export function colourMask(
  colours: readonly (readonly [number, number, number])[],
  radius: number,
): Uint8Array {
  const mask = new Uint8Array(BINS);
  const half = 1 << (SHIFT - 1);
  for (let bin = 0; bin < BINS; bin++) {
    const r = ((bin >> 6) << SHIFT) + half;
    const g = (((bin >> 3) & 7) << SHIFT) + half;
    const b = ((bin & 7) << SHIFT) + half;
    for (const c of colours) {
      if (Math.hypot(r - c[0], g - c[1], b - c[2]) <= radius) {
        mask[bin] = 1;
        break;
      }
    }
  }
  return mask;
}

export function maskedShare(hist: ColourHistogram, mask: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < BINS; i++) if (mask[i] === 1) s += hist[i] ?? 0;
  return s;
}
