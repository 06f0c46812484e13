/**
 * Cheap measurements of a sampled picture for camera health, computed once per frame on a
 * subsample (every 4th pixel of every 4th row: 20,736 pixels at 768x432, a fraction of a
 * millisecond). Pure: a Frame's pixels in, numbers out.
 */
import type { Frame } from './frame.js';

/** The thumbnail the view signature is built from: coarse enough that noise and small shifts average out. */
export const SIGNATURE_WIDTH = 48;
export const SIGNATURE_HEIGHT = 27;
/** Subsampling step in both directions; enough pixels for means and differences to be stable. */
const STEP = 4;

export interface PictureStats {
  /** Luma (BT.601) of the subsampled pixels, row-major. */
  readonly luma: Uint8Array;
  readonly mean: number;
  /** Standard deviation of the block-averaged thumbnail: low means a near-uniform picture. */
  readonly thumbStd: number;
  /** Gradient magnitudes of the block-averaged thumbnail (luma levels). */
  readonly signature: Float32Array;
}

export function pictureStats(frame: Frame): PictureStats {
  const { width, height, data } = frame;
  const sw = Math.floor(width / STEP);
  const sh = Math.floor(height / STEP);
  const luma = new Uint8Array(sw * sh);
  const cells = new Float64Array(SIGNATURE_WIDTH * SIGNATURE_HEIGHT);
  const counts = new Uint32Array(cells.length);
  const cellOfColumn = new Uint16Array(sw);
  for (let x = 0; x < sw; x++)
    cellOfColumn[x] = Math.min(SIGNATURE_WIDTH - 1, Math.floor((x * SIGNATURE_WIDTH) / sw));
  let sum = 0;
  for (let y = 0; y < sh; y++) {
    const row = y * STEP * width * 3;
    const cellRow =
      Math.min(SIGNATURE_HEIGHT - 1, Math.floor((y * SIGNATURE_HEIGHT) / sh)) * SIGNATURE_WIDTH;
    for (let x = 0; x < sw; x++) {
      const i = row + x * STEP * 3;
      // Integer BT.601 weights (77, 150, 29)/256.
      const v = ((data[i] ?? 0) * 77 + (data[i + 1] ?? 0) * 150 + (data[i + 2] ?? 0) * 29) >> 8;
      luma[y * sw + x] = v;
      sum += v;
      const cell = cellRow + (cellOfColumn[x] ?? 0);
      cells[cell] = (cells[cell] ?? 0) + v;
      counts[cell] = (counts[cell] ?? 0) + 1;
    }
  }
  const mean = luma.length === 0 ? 0 : sum / luma.length;
  let variance = 0;
  for (let c = 0; c < cells.length; c++) {
    const value = (cells[c] ?? 0) / Math.max(1, counts[c] ?? 0);
    cells[c] = value;
    variance += (value - mean) ** 2;
  }
  return {
    luma,
    mean,
    thumbStd: Math.sqrt(variance / cells.length),
    signature: gradientSignature(cells),
  };
}

/**
 * Edges of the thumbnail. Edges belong to the fixed scene (counters, doors, shelves) and change
 * little with lighting, which mostly scales them. A person walking through changes the edges
 * of a few cells, a camera turned or knocked changes most of them.
 */
function gradientSignature(cells: Float64Array): Float32Array {
  const w = SIGNATURE_WIDTH;
  const h = SIGNATURE_HEIGHT;
  const out = new Float32Array((w - 2) * (h - 2));
  let k = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const gx = (cells[y * w + x + 1] ?? 0) - (cells[y * w + x - 1] ?? 0);
      const gy = (cells[(y + 1) * w + x] ?? 0) - (cells[(y - 1) * w + x] ?? 0);
      out[k++] = Math.hypot(gx, gy);
    }
  }
  return out;
}

const GRID_W = SIGNATURE_WIDTH - 2;
const GRID_H = SIGNATURE_HEIGHT - 2;
const TILES_X = 4;
const TILES_Y = 3;
/**
 * A tile whose reference edges vary by less than this (luma levels) is flat (bare wall, floor):
 * its correlation would be noise against noise, so it does not vote.
 */
const MIN_TILE_STD = 1;

/** Pearson correlation of the cells of one tile; NaN when the reference tile is flat. */
function tileCorrelation(a: Float32Array, b: Float32Array, tx: number, ty: number): number {
  const x0 = Math.floor((tx * GRID_W) / TILES_X);
  const x1 = Math.floor(((tx + 1) * GRID_W) / TILES_X);
  const y0 = Math.floor((ty * GRID_H) / TILES_Y);
  const y1 = Math.floor(((ty + 1) * GRID_H) / TILES_Y);
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      sa += a[y * GRID_W + x] ?? 0;
      sb += b[y * GRID_W + x] ?? 0;
      n++;
    }
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const da = (a[y * GRID_W + x] ?? 0) - ma;
      const db = (b[y * GRID_W + x] ?? 0) - mb;
      cov += da * db;
      va += da * da;
      vb += db * db;
    }
  }
  if (Math.sqrt(vb / n) < MIN_TILE_STD) return NaN;
  return va === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/**
 * How well a picture's edges match the reference view, in [-1, 1]: the median over a 4x3 grid of
 * tiles of each tile's correlation. People cover a few tiles and the median ignores them; a
 * moved camera changes every tile. NaN when the reference has no structure to compare.
 */
export function viewCorrelation(current: Float32Array, reference: Float32Array): number {
  const votes: number[] = [];
  for (let ty = 0; ty < TILES_Y; ty++) {
    for (let tx = 0; tx < TILES_X; tx++) {
      const r = tileCorrelation(current, reference, tx, ty);
      if (!Number.isNaN(r)) votes.push(r);
    }
  }
  if (votes.length === 0) return NaN;
  votes.sort((x, y) => x - y);
  const mid = votes.length / 2;
  return votes.length % 2 === 1
    ? (votes[Math.floor(mid)] ?? NaN)
    : ((votes[mid - 1] ?? 0) + (votes[mid] ?? 0)) / 2;
}

/** Mean absolute luma difference between two subsampled pictures of the same size. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) return Infinity;
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return total / a.length;
}

/**
 * Per-cell median of several signatures: a reference view learnt over a few frames ignores the
 * people who happened to stand in one of them.
 */
export function medianSignature(signatures: readonly Float32Array[]): Float32Array {
  const first = signatures[0];
  if (first === undefined) return new Float32Array(0);
  const out = new Float32Array(first.length);
  const column = new Float32Array(signatures.length);
  for (let i = 0; i < first.length; i++) {
    signatures.forEach((s, j) => (column[j] = s[i] ?? 0));
    column.sort();
    out[i] = column[Math.floor(column.length / 2)] ?? 0;
  }
  return out;
}
