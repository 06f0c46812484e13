import { SalonwatchError } from '../../common/errors.js';
import type { Box } from '../detections.js';
import { footPoint, pointInPolygon, type Polygon } from '../zones.js';

/** A polygon in normalised picture coordinates (0..1 of width and height), at least 3 points. */
export type Zone = Polygon;

/**
 * Parses `x1,y1,x2,y2,...` (the `--zone` option). `source` names where the text came from
 * (an option or `file:line`) so the error points a person at what to fix.
 */
export function parseZone(text: string, source: string): Zone {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map((p) => (p === '' ? NaN : Number(p)));
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new SalonwatchError(
      'USAGE',
      `${source}: value ${bad + 1} ("${parts[bad] ?? ''}") is not a number`,
    );
  if (values.length % 2 !== 0) {
    throw new SalonwatchError(
      'USAGE',
      `${source}: expected x,y pairs, got an odd number of values (${values.length})`,
    );
  }
  if (values.length < 6) {
    throw new SalonwatchError(
      'USAGE',
      `${source}: a zone polygon needs at least 3 points, got ${values.length / 2}`,
    );
  }
  const outside = values.findIndex((v) => v < 0 || v > 1);
  if (outside >= 0) {
    throw new SalonwatchError(
      'USAGE',
      `${source}: coordinates are normalised to 0..1, value ${outside + 1} is ${values[outside] ?? NaN}`,
    );
  }
  const points: [number, number][] = [];
  for (let i = 0; i < values.length; i += 2) points.push([values[i] ?? 0, values[i + 1] ?? 0]);
  return points;
}

/** Whether a person's feet (the bottom centre of their box, the shared zone anchor) stand inside. */
export function feetInZone(box: Box, zone: Polygon, width: number, height: number): boolean {
  return pointInPolygon(footPoint(box, width, height), zone);
}
