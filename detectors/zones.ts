/**
 * Zones on the image: which zone a person is in, judged at the bottom centre of their box (the
 * feet touch the floor there, so the anchor does not move with their height; supervision's
 * `Position.BOTTOM_CENTER`). Coordinates are normalised to [0, 1], x right, y down, as the fleet
 * configuration draws them, so a zone survives a change of stream resolution.
 */
import type { Box } from './detections.js';

export type Point = readonly [number, number];
export type Polygon = readonly Point[];

export function footPoint(box: Box, width: number, height: number): Point {
  return [(box.x1 + box.x2) / 2 / width, box.y2 / height];
}

/** Even-odd ray casting; a point exactly on an edge may fall either way, which hysteresis absorbs. */
export function pointInPolygon(p: Point, polygon: Polygon): boolean {
  const [x, y] = p;
  let inside = false;
  const n = polygon.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = polygon[i];
    const b = polygon[j];
    if (a === undefined || b === undefined) continue;
    const [xi, yi] = a;
    const [xj, yj] = b;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentPointDistance(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const lengthSq = dx * dx + dy * dy;
  const t =
    lengthSq === 0
      ? 0
      : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / lengthSq));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Distance from a point to the polygon's boundary (0 on it), in the polygon's units. */
export function distanceToBoundary(p: Point, polygon: Polygon): number {
  let best = Infinity;
  const n = polygon.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = polygon[i];
    const b = polygon[j];
    if (a === undefined || b === undefined) continue;
    best = Math.min(best, segmentPointDistance(p, a, b));
  }
  return best;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  return d1 * d2 <= 0 && d3 * d4 <= 0 && !(d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0);
}

/** Whether the straight path from `a` to `b` touches the polygon (at 1-2 fps a person can jump over a thin zone). */
export function segmentTouchesPolygon(a: Point, b: Point, polygon: Polygon): boolean {
  if (pointInPolygon(a, polygon) || pointInPolygon(b, polygon)) return true;
  const n = polygon.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const q1 = polygon[i];
    const q2 = polygon[j];
    if (q1 !== undefined && q2 !== undefined && segmentsIntersect(a, b, q1, q2)) return true;
  }
  return false;
}

export interface ZoneTransition {
  readonly kind: 'enter' | 'exit';
  /**
   * When it happened: the first observation on the new side, not the moment the inertia was
   * satisfied, so waiting times and queue durations are not stretched by the hysteresis.
   */
  readonly at: number;
}

export interface HysteresisOptions {
  /** Feet inside continuously this long (ms) before the person counts as in. */
  readonly enterMs: number;
  /** Feet outside, beyond `margin`, continuously this long (ms) before the person counts as out. */
  readonly exitMs: number;
  /** Normalised distance outside the polygon that counts as outside once in (spatial hysteresis). */
  readonly margin: number;
}

interface MembershipState {
  inside: boolean;
  candidateSince: number | undefined;
}

/**
 * Zone membership with inertia in both space and time: to enter, the feet must stay inside for
 * `enterMs`; to leave, they must stay beyond `margin` outside for `exitMs`. Feet jittering
 * across the edge therefore neither enter nor leave. Keyed by person so one instance serves a zone.
 */
export class ZoneMembership<K> {
  private readonly states = new Map<K, MembershipState>();

  constructor(
    readonly polygon: Polygon,
    private readonly options: HysteresisOptions,
  ) {}

  isInside(key: K): boolean {
    return this.states.get(key)?.inside ?? false;
  }

  update(key: K, feet: Point, at: number): ZoneTransition | undefined {
    let state = this.states.get(key);
    if (state === undefined) {
      state = { inside: false, candidateSince: undefined };
      this.states.set(key, state);
    }
    const inPolygon = pointInPolygon(feet, this.polygon);
    const crossing = state.inside
      ? !inPolygon && distanceToBoundary(feet, this.polygon) > this.options.margin
      : inPolygon;
    if (!crossing) {
      state.candidateSince = undefined;
      return undefined;
    }
    state.candidateSince ??= at;
    const needed = state.inside ? this.options.exitMs : this.options.enterMs;
    if (at - state.candidateSince < needed) return undefined;
    const since = state.candidateSince;
    state.inside = !state.inside;
    state.candidateSince = undefined;
    return { kind: state.inside ? 'enter' : 'exit', at: since };
  }

  /** The person is gone: if they were inside, they left at `at`. */
  forget(key: K, at: number): ZoneTransition | undefined {
    const state = this.states.get(key);
    this.states.delete(key);
    return state?.inside === true ? { kind: 'exit', at } : undefined;
  }
}

export interface Entrance {
  readonly polygon: Polygon;
  /** Direction into the salon, in normalised image units (need not be unit length). */
  readonly inward: readonly [number, number];
}

export type CrossingDirection = 'in' | 'out';

type Side = 'in' | 'out' | 'door';

interface CrossingState {
  /** The last side the person was definitely on; `door` if they have only been seen in the doorway. */
  settled: Side;
  viaDoor: boolean;
  last: Point;
}

/**
 * Entrance crossings with direction. The entrance polygon is the doorway band; the line through
 * its centroid across `inward` splits the image into the street side and the salon side. A
 * crossing is a change of settled side whose path went through the doorway (so walking around
 * beside the door is not entering); someone first seen in the doorway who walks in has entered,
 * which is how a camera inside the salon sees most customers arrive. Outside the band, a point
 * must be `margin` clear of it to count, so a person standing in the door does not flicker.
 */
export class EntranceCrossings<K> {
  private readonly states = new Map<K, CrossingState>();
  private readonly centroid: Point;
  private readonly unit: Point;

  constructor(
    readonly entrance: Entrance,
    private readonly margin: number,
  ) {
    const pts = entrance.polygon;
    const sx = pts.reduce((s, p) => s + p[0], 0);
    const sy = pts.reduce((s, p) => s + p[1], 0);
    this.centroid = [sx / Math.max(1, pts.length), sy / Math.max(1, pts.length)];
    const length = Math.hypot(entrance.inward[0], entrance.inward[1]);
    this.unit = length === 0 ? [0, 0] : [entrance.inward[0] / length, entrance.inward[1] / length];
  }

  private side(p: Point): Side {
    if (
      pointInPolygon(p, this.entrance.polygon) ||
      distanceToBoundary(p, this.entrance.polygon) <= this.margin
    ) {
      return 'door';
    }
    const s = (p[0] - this.centroid[0]) * this.unit[0] + (p[1] - this.centroid[1]) * this.unit[1];
    return s > 0 ? 'in' : 'out';
  }

  /** Whether feet are in the doorway band (the polygon, or within `margin` of it). */
  inDoorway(feet: Point): boolean {
    return this.side(feet) === 'door';
  }

  update(key: K, feet: Point): CrossingDirection | undefined {
    const side = this.side(feet);
    const state = this.states.get(key);
    if (state === undefined) {
      this.states.set(key, { settled: side, viaDoor: side === 'door', last: feet });
      return undefined;
    }
    const previous = state.last;
    state.last = feet;
    if (side === 'door') {
      state.viaDoor = true;
      return undefined;
    }
    const changed = state.settled !== side;
    const throughDoor =
      state.viaDoor || segmentTouchesPolygon(previous, feet, this.entrance.polygon);
    state.settled = side;
    state.viaDoor = false;
    return changed && throughDoor ? side : undefined;
  }

  /** Whether the person was last definitely on the street side (seen through a glass door). */
  isOutside(key: K): boolean {
    return this.states.get(key)?.settled === 'out';
  }

  forget(key: K): void {
    this.states.delete(key);
  }
}
