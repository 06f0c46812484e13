import type { Box } from '../detections.js';

/**
 * Face redaction for evidence snapshots, pure: regions in, pixels changed in place.
 *
 * Two sources of regions, because at a ceiling camera's distance a face detector misses most
 * faces: BlazeFace's faces (grown by a margin, since its box is tight around eyes and mouth),
 * and the head of every person the tracker sees (the top of their box), whether or not a face
 * was found there. Each region is filled with its own mean colour. A mosaic is not enough: at
 * surveillance distance a face is 20 px wide, and a 4x4 mosaic of it is still a face to
 * BlazeFace (measured on TUD-Campus: 8 of 13 faces were found again after such a mosaic).
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Packed RGB24, row-major. */
  readonly data: Uint8Array;
}

/** The top share of a person's box where the head is, for standing people seen from above or level. */
export const HEAD_SHARE = 0.22;

export function headRegion(person: Box): Box {
  const height = person.y2 - person.y1;
  const width = person.x2 - person.x1;
  // Heads can stick out of a box cut tight at the shoulders: widen a little.
  const pad = width * 0.1;
  return { x1: person.x1 - pad, y1: person.y1 - height * 0.03, x2: person.x2 + pad, y2: person.y1 + height * HEAD_SHARE };
}

/** A face box grown by `margin` of its size on every side (BlazeFace boxes are tight). */
export function withMargin(face: Box, margin = 0.4): Box {
  const w = (face.x2 - face.x1) * margin;
  const h = (face.y2 - face.y1) * margin;
  return { x1: face.x1 - w, y1: face.y1 - h * 1.5, x2: face.x2 + w, y2: face.y2 + h };
}

/**
 * Replaces each region by flat blocks of their average colour, `blocksAcross` blocks along the
 * region's longer side: 1 (the default, used for faces) fills the region with one colour.
 */
export function pixelate(image: RgbImage, regions: readonly Box[], blocksAcross = 1): void {
  const { width, height, data } = image;
  for (const region of regions) {
    const x1 = Math.max(0, Math.floor(region.x1));
    const y1 = Math.max(0, Math.floor(region.y1));
    const x2 = Math.min(width, Math.ceil(region.x2));
    const y2 = Math.min(height, Math.ceil(region.y2));
    if (x2 <= x1 || y2 <= y1) continue;
    const block = Math.max(1, Math.ceil(Math.max(x2 - x1, y2 - y1) / blocksAcross));
    for (let by = y1; by < y2; by += block) {
      const ey = Math.min(y2, by + block);
      for (let bx = x1; bx < x2; bx += block) {
        const ex = Math.min(x2, bx + block);
        let r = 0;
        let g = 0;
        let b = 0;
        for (let y = by; y < ey; y++) {
          for (let x = bx; x < ex; x++) {
            const o = (y * width + x) * 3;
            r += data[o] ?? 0;
            g += data[o + 1] ?? 0;
            b += data[o + 2] ?? 0;
          }
        }
        const n = (ey - by) * (ex - bx);
        const mr = Math.round(r / n);
        const mg = Math.round(g / n);
        const mb = Math.round(b / n);
        for (let y = by; y < ey; y++) {
          for (let x = bx; x < ex; x++) {
            const o = (y * width + x) * 3;
            data[o] = mr;
            data[o + 1] = mg;
            data[o + 2] = mb;
          }
        }
      }
    }
  }
}

/** Finds faces in an image (BlazeFace in production); injected so redaction stays testable. */
export type FindFaces = (image: RgbImage) => Promise<readonly Box[]>;

/**
 * Redacts every person's head, then every face the detector still finds, and looks again, up to
 * `maxPasses` times: removing one face changes the context of its neighbours, and a face that
 * scored just under the threshold beside it can rise above it. Resolves to the number of face
 * regions redacted. The caller's detector should use a lower threshold than a viewer would:
 * here a missed face is a privacy breach, a redacted elbow costs nothing.
 */
export async function redactFaces(image: RgbImage, people: readonly Box[], findFaces: FindFaces, maxPasses = 4): Promise<number> {
  pixelate(image, people.map(headRegion));
  let redacted = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const faces = await findFaces(image);
    if (faces.length === 0) break;
    pixelate(image, faces.map((face) => withMargin(face)));
    redacted += faces.length;
  }
  return redacted;
}
