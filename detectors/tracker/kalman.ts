import type { Box } from '../detections.js';

/**
 * Constant-velocity Kalman filter over (centre x, centre y, aspect w/h, height) and their
 * velocities, the motion model of SORT and ByteTrack. ByteTrack ties its noise to the box
 * height (position std h/20, velocity std h/160 per frame at ~30 fps); here time is explicit
 * (velocities in units per second, `dt` in seconds, passed in by the caller) so one set of
 * parameters serves 10 fps and 25 fps cameras alike: per-frame variances are converted at the
 * 30 Hz ByteTrack was tuned for and grow linearly with elapsed time, as a random walk does.
 */
const REFERENCE_HZ = 30;
const STD_POSITION = 1 / 20;
const STD_VELOCITY = 1 / 160;

export interface KalmanState {
  /** [cx, cy, a, h, vcx, vcy, va, vh]. */
  readonly mean: Float64Array;
  /** 8x8 row-major covariance. */
  readonly covariance: Float64Array;
}

export function boxToMeasurement(box: Box): [number, number, number, number] {
  const w = box.x2 - box.x1;
  const h = Math.max(box.y2 - box.y1, 1e-6);
  return [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, w / h, h];
}

export function stateToBox(state: KalmanState): Box {
  const [cx = 0, cy = 0, a = 0, hRaw = 0] = state.mean;
  const h = Math.max(hRaw, 1e-6);
  const w = Math.max(a, 0) * h;
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}

export function initiate(box: Box): KalmanState {
  const z = boxToMeasurement(box);
  const h = z[3];
  const mean = new Float64Array([...z, 0, 0, 0, 0]);
  const velStd = 10 * STD_VELOCITY * h * REFERENCE_HZ;
  const std = [
    2 * STD_POSITION * h,
    2 * STD_POSITION * h,
    1e-2,
    2 * STD_POSITION * h,
    velStd,
    velStd,
    1e-5 * REFERENCE_HZ,
    velStd,
  ];
  const covariance = new Float64Array(64);
  std.forEach((s, i) => (covariance[i * 8 + i] = s * s));
  return { mean, covariance };
}

/** Advances the state by `dt` seconds (returns a new state; the input is not modified). */
export function predict(state: KalmanState, dt: number): KalmanState {
  const mean = Float64Array.from(state.mean);
  const P = state.covariance;
  for (let i = 0; i < 4; i++) mean[i] = (mean[i] ?? 0) + dt * (mean[i + 4] ?? 0);
  // F P F^T with F = [[I, dt I], [0, I]], written out blockwise.
  const out = new Float64Array(64);
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      let v = P[r * 8 + c] ?? 0;
      if (r < 4) v += dt * (P[(r + 4) * 8 + c] ?? 0);
      if (c < 4) v += dt * (P[r * 8 + c + 4] ?? 0);
      if (r < 4 && c < 4) v += dt * dt * (P[(r + 4) * 8 + c + 4] ?? 0);
      out[r * 8 + c] = v;
    }
  }
  const h = Math.max(state.mean[3] ?? 0, 1e-6);
  const steps = Math.max(dt, 0) * REFERENCE_HZ;
  const posStd = [STD_POSITION * h, STD_POSITION * h, 1e-2, STD_POSITION * h];
  const velStd = [STD_VELOCITY * h, STD_VELOCITY * h, 1e-5, STD_VELOCITY * h].map(
    (s) => s * REFERENCE_HZ,
  );
  for (let i = 0; i < 4; i++) {
    out[i * 8 + i] = (out[i * 8 + i] ?? 0) + (posStd[i] ?? 0) ** 2 * steps;
    out[(i + 4) * 8 + i + 4] = (out[(i + 4) * 8 + i + 4] ?? 0) + (velStd[i] ?? 0) ** 2 * steps;
  }
  return { mean, covariance: out };
}

/** Corrects the state with a measured box. */
export function update(state: KalmanState, box: Box): KalmanState {
  const z = boxToMeasurement(box);
  const P = state.covariance;
  const h = Math.max(state.mean[3] ?? 0, 1e-6);
  const rStd = [STD_POSITION * h, STD_POSITION * h, 1e-1, STD_POSITION * h];
  // S = H P H^T + R: H picks the first four components.
  const S = new Float64Array(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) S[r * 4 + c] = P[r * 8 + c] ?? 0;
  for (let i = 0; i < 4; i++) S[i * 4 + i] = (S[i * 4 + i] ?? 0) + (rStd[i] ?? 0) ** 2;
  const Sinv = invert4(S);
  // K = P H^T S^-1 (8x4).
  const K = new Float64Array(32);
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 4; c++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += (P[r * 8 + k] ?? 0) * (Sinv[k * 4 + c] ?? 0);
      K[r * 4 + c] = v;
    }
  }
  const y = z.map((zi, i) => zi - (state.mean[i] ?? 0));
  const mean = Float64Array.from(state.mean);
  for (let r = 0; r < 8; r++) {
    let v = 0;
    for (let k = 0; k < 4; k++) v += (K[r * 4 + k] ?? 0) * (y[k] ?? 0);
    mean[r] = (mean[r] ?? 0) + v;
  }
  // P - K S K^T = P - K (H P), since K S = P H^T.
  const covariance = new Float64Array(64);
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += (K[r * 4 + k] ?? 0) * (P[k * 8 + c] ?? 0);
      covariance[r * 8 + c] = (P[r * 8 + c] ?? 0) - v;
    }
  }
  return { mean, covariance };
}

/** Gauss-Jordan inverse of a 4x4 symmetric positive definite matrix (S always is). */
function invert4(m: Float64Array): Float64Array {
  const a = Float64Array.from(m);
  const inv = new Float64Array(16);
  for (let i = 0; i < 4; i++) inv[i * 4 + i] = 1;
  for (let col = 0; col < 4; col++) {
    let pivot = col;
    for (let r = col + 1; r < 4; r++) {
      if (Math.abs(a[r * 4 + col] ?? 0) > Math.abs(a[pivot * 4 + col] ?? 0)) pivot = r;
    }
    if (pivot !== col) {
      for (let k = 0; k < 4; k++) {
        swap(a, col * 4 + k, pivot * 4 + k);
        swap(inv, col * 4 + k, pivot * 4 + k);
      }
    }
    const d = a[col * 4 + col] ?? 1;
    for (let k = 0; k < 4; k++) {
      a[col * 4 + k] = (a[col * 4 + k] ?? 0) / d;
      inv[col * 4 + k] = (inv[col * 4 + k] ?? 0) / d;
    }
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = a[r * 4 + col] ?? 0;
      if (f === 0) continue;
      for (let k = 0; k < 4; k++) {
        a[r * 4 + k] = (a[r * 4 + k] ?? 0) - f * (a[col * 4 + k] ?? 0);
        inv[r * 4 + k] = (inv[r * 4 + k] ?? 0) - f * (inv[col * 4 + k] ?? 0);
      }
    }
  }
  return inv;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] ?? 0;
  a[i] = a[j] ?? 0;
  a[j] = t;
}
