/**
 * Cheap measurements of a sampled picture for camera health, computed once per frame. Pure: a
 * Frame's pixels in, numbers out.
 *
 * Only a grid of pixels is read: every 4th pixel of every 4th row, 20,736 of the 331,776 at
 * 768x432. Each verdict rests on averages over that grid, not on single pixels: black on the
 * spread of a 48x27 thumbnail whose cells average 16 samples each, frozen on the mean difference
 * over all 20,736 samples, moved on the edges of the same thumbnail. A covered lens, a repeated
 * picture or a turned camera moves those averages far more than the unread pixels could, and
 * the thresholds in health.ts were measured on this grid. Reading every pixel would cost 16
 * times as much.
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

/**
 * Where each grid sample lands in the thumbnail and how many land in each cell: fixed for a
 * frame size, so worked out once per size instead of per frame. The scratch arrays never
 * escape a call, so one set per size serves every camera.
 */
interface Grid {
  readonly sw: number;
  readonly sh: number;
  /** Thumbnail column of each grid column. */
  readonly cellOfColumn: Uint16Array;
  /** First thumbnail cell of the row each grid row falls in. */
  readonly cellRowOfRow: Uint16Array;
  /** Grid samples per thumbnail cell, at least 1 so that the mean is defined. */
  readonly counts: Uint32Array;
  /** Scratch: integer luma sums per cell. */
  readonly sums: Uint32Array;
  /** Scratch: mean luma per cell. */
  readonly cells: Float64Array;
}

const grids = new Map<string, Grid>();

function gridFor(width: number, height: number): Grid {
  const key = `${width}x${height}`;
  const known = grids.get(key);
  if (known !== undefined) return known;
  const sw = Math.floor(width / STEP);
  const sh = Math.floor(height / STEP);
  const cellOfColumn = new Uint16Array(sw);
  for (let x = 0; x < sw; x++)
    cellOfColumn[x] = Math.min(SIGNATURE_WIDTH - 1, Math.floor((x * SIGNATURE_WIDTH) / sw));
  const cellRowOfRow = new Uint16Array(sh);
  for (let y = 0; y < sh; y++)
    cellRowOfRow[y] =
      Math.min(SIGNATURE_HEIGHT - 1, Math.floor((y * SIGNATURE_HEIGHT) / sh)) * SIGNATURE_WIDTH;
  const counts = new Uint32Array(SIGNATURE_WIDTH * SIGNATURE_HEIGHT);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const cell = (cellRowOfRow[y] ?? 0) + (cellOfColumn[x] ?? 0);
      counts[cell] = (counts[cell] ?? 0) + 1;
    }
  }
  for (let c = 0; c < counts.length; c++) counts[c] = Math.max(1, counts[c] ?? 0);
  const grid: Grid = {
    sw,
    sh,
    cellOfColumn,
    cellRowOfRow,
    counts,
    sums: new Uint32Array(counts.length),
    cells: new Float64Array(counts.length),
  };
  grids.set(key, grid);
  return grid;
}

/**
 * The measurements of one picture. `reuse` may pass the luma of stats no longer needed (the
 * health check alternates two buffers), so that a camera's analysis allocates only the
 * signature it may keep.
 */
export function pictureStats(frame: Frame, reuse?: Uint8Array): PictureStats {
  const { width, height, data } = frame;
  const { sw, sh, cellOfColumn, cellRowOfRow, counts, sums, cells } = gridFor(width, height);
  const luma = reuse?.length === sw * sh ? reuse : new Uint8Array(sw * sh);
  sums.fill(0);
  let sum = 0;
  let k = 0;
  for (let y = 0; y < sh; y++) {
    const cellRow = cellRowOfRow[y] ?? 0;
    let i = y * STEP * width * 3;
    for (let x = 0; x < sw; x++, i += STEP * 3) {
      // Integer BT.601 weights (77, 150, 29)/256.
      const v = ((data[i] ?? 0) * 77 + (data[i + 1] ?? 0) * 150 + (data[i + 2] ?? 0) * 29) >> 8;
      luma[k++] = v;
      sum += v;
      const cell = cellRow + (cellOfColumn[x] ?? 0);
      sums[cell] = (sums[cell] ?? 0) + v;
    }
  }
  const mean = luma.length === 0 ? 0 : sum / luma.length;
  let variance = 0;
  for (let c = 0; c < cells.length; c++) {
    const value = (sums[c] ?? 0) / (counts[c] ?? 1);
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
      // Math.hypot guards against overflow that luma differences cannot reach, and costs more.
      out[k++] = Math.sqrt(gx * gx + gy * gy);
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
