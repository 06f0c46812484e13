/**
 * Distances on the floor. With a calibration (four image points, normalised, and where they lie
 * on the floor in metres) a homography maps feet to metres, so a greeting distance of 1.5 m
 * means the same near and far from the camera. Without one, distances are expressed in the
 * persons' own box heights: crude (it ignores perspective along the floor) but scale-free, and
 * a person is about 1.7 m, so 1 box height is roughly 1.7 m at that depth.
 */
import { SalonwatchError } from '../common/errors.js';
import type { Box } from './detections.js';
import type { Point } from './zones.js';

/** Row-major 3x3, `h[8]` normalised to 1. */
export type Homography = readonly number[];

export interface FloorCalibration {
  readonly image: readonly Point[];
  readonly world: readonly Point[];
}

/** Solves `A x = b` in place by Gaussian elimination with partial pivoting; undefined when singular. */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    }
    const pivotRow = a[pivot];
    const colRow = a[col];
    if (pivotRow === undefined || colRow === undefined) return undefined;
    const pv = pivotRow[col] ?? 0;
    if (Math.abs(pv) < 1e-12) return undefined;
    a[pivot] = colRow;
    a[col] = pivotRow;
    const tb = b[pivot] ?? 0;
    b[pivot] = b[col] ?? 0;
    b[col] = tb;
    for (let r = col + 1; r < n; r++) {
      const row = a[r];
      if (row === undefined) continue;
      const f = (row[col] ?? 0) / pv;
      if (f === 0) continue;
      for (let c = col; c < n; c++) row[c] = (row[c] ?? 0) - f * (pivotRow[c] ?? 0);
      b[r] = (b[r] ?? 0) - f * (b[col] ?? 0);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = a[r];
    if (row === undefined) return undefined;
    let s = b[r] ?? 0;
    for (let c = r + 1; c < n; c++) s -= (row[c] ?? 0) * (x[c] ?? 0);
    x[r] = s / (row[r] ?? 1);
  }
  return x;
}

/**
 * The homography taking the four image points to the four world points (direct linear
 * transform with h33 = 1: eight equations, eight unknowns). Throws when three points are
 * collinear, which is a calibration drawn wrong, not a runtime condition.
 */
export function homographyFrom(calibration: FloorCalibration): Homography {
  const { image, world } = calibration;
  if (image.length !== 4 || world.length !== 4) {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      'floor: calibration needs exactly 4 image and 4 world points',
    );
  }
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = image[i] ?? [0, 0];
    const [u, v] = world[i] ?? [0, 0];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  const h = solve(a, b);
  if (h?.every(Number.isFinite) !== true) {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      'floor: calibration points are degenerate (three of them on one line?)',
    );
  }
  return [...h, 1];
}

export function applyHomography(h: Homography, p: Point): Point {
  const [x, y] = p;
  const w = (h[6] ?? 0) * x + (h[7] ?? 0) * y + (h[8] ?? 1);
  return [
    ((h[0] ?? 0) * x + (h[1] ?? 0) * y + (h[2] ?? 0)) / w,
    ((h[3] ?? 0) * x + (h[4] ?? 0) * y + (h[5] ?? 0)) / w,
  ];
}

/** A person's place for distance purposes: the feet (normalised) and the box height in pixels. */
export interface FloorPlace {
  readonly feet: Point;
  readonly boxHeightPx: number;
}

/**
 * Measures distances between persons in one unit: metres when calibrated, box heights when not.
 * Thresholds are chosen by `unit` (e.g. `greeting.distanceM` vs `greeting.distanceBoxHeights`).
 */
export interface FloorMetric {
  readonly unit: 'm' | 'boxHeights';
  place(box: Box, width: number, height: number): FloorPlace;
  distance(a: FloorPlace, b: FloorPlace): number;
  /** Picks the threshold that matches `unit`. */
  threshold(metres: number, boxHeights: number): number;
}

export function floorMetric(
  calibration: FloorCalibration | undefined,
  width: number,
  height: number,
): FloorMetric {
  const place = (box: Box, w: number, h: number): FloorPlace => ({
    feet: [(box.x1 + box.x2) / 2 / w, box.y2 / h],
    boxHeightPx: Math.max(1, box.y2 - box.y1),
  });
  if (calibration !== undefined) {
    const hm = homographyFrom(calibration);
    return {
      unit: 'm',
      place,
      distance(a, b) {
        const pa = applyHomography(hm, a.feet);
        const pb = applyHomography(hm, b.feet);
        return Math.hypot(pa[0] - pb[0], pa[1] - pb[1]);
      },
      threshold: (metres) => metres,
    };
  }
  return {
    unit: 'boxHeights',
    place,
    distance(a, b) {
      const dx = (a.feet[0] - b.feet[0]) * width;
      const dy = (a.feet[1] - b.feet[1]) * height;
      return Math.hypot(dx, dy) / ((a.boxHeightPx + b.boxHeightPx) / 2);
    },
    threshold: (_metres, boxHeights) => boxHeights,
  };
}
