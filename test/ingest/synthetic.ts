/**
 * Synthetic camera pictures for the health tests: a fixed "salon" of rectangles and gradients
 * with per-frame sensor noise, people as dark boxes walking across, and the faults (black,
 * frozen, moved) made by changing one thing. Deterministic: a seeded PRNG.
 */
import type { Frame } from '../../ingest/frame.js';

export const W = 768;
export const H = 432;

export { seededRandom as prng } from '../../events/generate.js';
import { seededRandom as prng } from '../../events/generate.js';

/** The static scene's luma at (x, y): shelves, a counter, a door, a floor gradient. */
function sceneLuma(x: number, y: number): number {
  let v = 90 + (y / H) * 60;
  if (x > 40 && x < 220 && y > 60 && y < 300) v = 200; // window
  if (x > 60 && x < 200 && ((y > 100 && y < 110) || (y > 180 && y < 190))) v = 40; // window bars
  if (x > 300 && x < 520 && y > 250 && y < 330) v = 55; // counter
  if (x > 560 && x < 700 && y > 40 && y < 360) v = 150; // door
  if (x > 590 && x < 670 && y > 70 && y < 200) v = 230; // door glass
  if (x > 260 && x < 560 && y > 50 && y < 200 && Math.floor(x / 30) % 2 === 0) v = 120; // shelves
  return v;
}

export interface SceneOptions {
  /** Horizontal shift of the camera's view in pixels (moved camera). */
  readonly shiftX?: number;
  /** People as [x, y] of their top-left corner; each is a 50x150 dark box. */
  readonly people?: readonly (readonly [number, number])[];
  readonly noise?: number;
  readonly seed?: number;
}

export function sceneFrame(capturedAt: number, options: SceneOptions = {}): Frame {
  const { shiftX = 0, people = [], noise = 3, seed = capturedAt } = options;
  const random = prng(seed);
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = sceneLuma(x + shiftX, y);
      for (const [px, py] of people) if (x >= px && x < px + 50 && y >= py && y < py + 150) v = 30;
      v += (random() + random() - 1) * noise * 1.7;
      const c = Math.max(0, Math.min(255, Math.round(v)));
      const i = (y * W + x) * 3;
      data[i] = c;
      data[i + 1] = c;
      data[i + 2] = c;
    }
  }
  return { cameraId: 'cam', capturedAt, width: W, height: H, data };
}

export function uniformFrame(
  capturedAt: number,
  level: number,
  noise = 2,
  seed = capturedAt,
): Frame {
  const random = prng(seed);
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.max(0, Math.min(255, Math.round(level + (random() - 0.5) * 2 * noise)));
  return { cameraId: 'cam', capturedAt, width: W, height: H, data };
}
