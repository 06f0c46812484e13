/**
 * Load shedding for the edge node's detector. One ONNX session serves every camera, so the
 * node can run `capacityFps = busy-time budget / ms per inference` frames per second. When the
 * cameras ask for more, the busiest cameras are slowed first (highest requested rate), in
 * steps, down to a floor; a camera is never dropped, and every change is reported.
 *
 * Pure: measurements in, a plan out; the node applies it to its frame admission.
 */
export interface CameraDemand {
  readonly cameraId: string;
  /** Frames per second the fleet file asks for. */
  readonly targetFps: number;
}

export interface ShedPlan {
  /** Admitted frames per second per camera (equal to the target when nothing is shed). */
  readonly fps: ReadonlyMap<string, number>;
  /** Cameras running below their target, with their admitted rate. */
  readonly shed: readonly { cameraId: string; targetFps: number; fps: number }[];
  /** Frames per second the detector can sustain at the measured cost. */
  readonly capacityFps: number;
  /** True when even the floor rate for every camera exceeds capacity. */
  readonly overloaded: boolean;
}

export interface ShedOptions {
  /** Share of one detector's wall time the plan may fill (headroom for bursts). */
  readonly utilisation?: number;
  /** No camera is slowed below this rate. */
  readonly floorFps?: number;
  /** Each shedding step multiplies the busiest camera's rate by this factor. */
  readonly step?: number;
}

export function planShedding(
  cameras: readonly CameraDemand[],
  msPerFrame: number,
  { utilisation = 0.85, floorFps = 0.2, step = 0.75 }: ShedOptions = {},
): ShedPlan {
  const capacityFps = msPerFrame > 0 ? (1000 * utilisation) / msPerFrame : Infinity;
  const fps = new Map(cameras.map((c) => [c.cameraId, c.targetFps]));
  const total = () => [...fps.values()].reduce((sum, f) => sum + f, 0);

  // Slow the camera with the highest admitted rate until demand fits or all sit at the floor.
  while (total() > capacityFps) {
    let busiest: string | undefined;
    let highest = floorFps;
    for (const [id, rate] of fps) {
      if (rate > highest) {
        highest = rate;
        busiest = id;
      }
    }
    if (busiest === undefined) break;
    fps.set(busiest, Math.max(floorFps, highest * step));
  }

  const shed = cameras
    .filter((c) => (fps.get(c.cameraId) ?? c.targetFps) < c.targetFps)
    .map((c) => ({ cameraId: c.cameraId, targetFps: c.targetFps, fps: fps.get(c.cameraId) ?? c.targetFps }));
  return { fps, shed, capacityFps, overloaded: total() > capacityFps };
}
