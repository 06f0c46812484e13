/**
 * The camera fleet: macro-regions, partners (salon owners), salons, their cameras and each
 * camera's zones. Validated once at start-up (shape by TypeBox with unknown keys rejected, then
 * the rules no schema can say: geometry, references, uniqueness, time zones), then frozen.
 * Every problem is reported as `path: problem`, e.g.
 * `salons[3].cameras[0].zones.queue: polygon needs at least 3 points`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  assertNoIssues,
  deepFreeze,
  readConfigFile,
  schemaIssues,
  type ConfigIssue,
} from './load.js';

const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Coord = Type.Number();
const PointSchema = Type.Tuple([Coord, Coord]);

const PolygonZone = Type.Object(
  { polygon: Type.Array(PointSchema, { description: 'normalised [x, y], 0..1, origin top-left' }) },
  { additionalProperties: false },
);

const EntranceZone = Type.Object(
  {
    polygon: Type.Array(PointSchema),
    inward: Type.Tuple([Coord, Coord], {
      description: 'direction into the salon, normalised image units',
    }),
  },
  { additionalProperties: false },
);

const ZonesSchema = Type.Object(
  {
    entrance: Type.Optional(EntranceZone),
    queue: Type.Optional(PolygonZone),
    service: Type.Optional(PolygonZone),
    staffOnly: Type.Optional(PolygonZone),
  },
  { additionalProperties: false },
);

const FloorSchema = Type.Object(
  {
    image: Type.Tuple([PointSchema, PointSchema, PointSchema, PointSchema], {
      description: 'four reference points in the picture, normalised',
    }),
    world: Type.Tuple([PointSchema, PointSchema, PointSchema, PointSchema], {
      description: 'the same four points on the floor, metres',
    }),
  },
  { additionalProperties: false },
);

const FrameSizeSchema = Type.Object(
  {
    width: Type.Integer({ minimum: 64, maximum: 3840, multipleOf: 2 }),
    height: Type.Integer({ minimum: 64, maximum: 2160, multipleOf: 2 }),
  },
  { additionalProperties: false },
);

const CameraSchema = Type.Object(
  {
    id: Id,
    url: Type.String({
      minLength: 1,
      description: 'rtsp://, rtsps://, http(s):// (HLS) or a file path',
    }),
    subStreamUrl: Type.Optional(
      Type.String({ minLength: 1, description: 'sampled instead of url when present' }),
    ),
    fps: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 30, description: 'frames sampled per second' }),
    ),
    frameSize: Type.Optional(FrameSizeSchema),
    keyframeIntervalS: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 60,
        description: 'skips probing the stream when known',
      }),
    ),
    zones: Type.Optional(ZonesSchema),
    floor: Type.Optional(FloorSchema),
  },
  { additionalProperties: false },
);

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const Hours = Type.String({ description: "'HH:MM-HH:MM' in the salon's time zone" });
const OpeningHoursSchema = Type.Object(
  {
    mon: Type.Optional(Hours),
    tue: Type.Optional(Hours),
    wed: Type.Optional(Hours),
    thu: Type.Optional(Hours),
    fri: Type.Optional(Hours),
    sat: Type.Optional(Hours),
    sun: Type.Optional(Hours),
  },
  { additionalProperties: false, description: 'a weekday left out is closed' },
);

const SalonSchema = Type.Object(
  {
    id: Id,
    name: Name,
    partnerId: Id,
    regionId: Id,
    timeZone: Type.String({ minLength: 1, description: 'IANA, e.g. Europe/Moscow' }),
    openingHours: OpeningHoursSchema,
    cameras: Type.Array(CameraSchema),
  },
  { additionalProperties: false },
);

const Named = Type.Object({ id: Id, name: Name }, { additionalProperties: false });

export const FleetSchema = Type.Object(
  {
    macroRegions: Type.Array(Named),
    partners: Type.Array(Named),
    salons: Type.Array(SalonSchema),
  },
  { additionalProperties: false },
);

type FleetDocument = Static<typeof FleetSchema>;
type CameraDocument = Static<typeof CameraSchema>;

export type Point = readonly [number, number];
export type Polygon = readonly Point[];

export interface Zones {
  readonly entrance?: { readonly polygon: Polygon; readonly inward: Point };
  readonly queue?: { readonly polygon: Polygon };
  readonly service?: { readonly polygon: Polygon };
  readonly staffOnly?: { readonly polygon: Polygon };
}

export interface Floor {
  readonly image: readonly [Point, Point, Point, Point];
  readonly world: readonly [Point, Point, Point, Point];
}

/** Where frames come from, parsed once so the sampler picks transport flags without re-parsing. */
export type StreamSource =
  | { readonly kind: 'rtsp'; readonly url: string }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'file'; readonly url: string };

export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

export interface Camera {
  readonly id: string;
  readonly salonId: string;
  readonly url: string;
  readonly subStreamUrl?: string;
  /** `subStreamUrl` when present (cheaper to decode, and the models need no more), else `url`. */
  readonly source: StreamSource;
  readonly fps: number;
  readonly frameSize: FrameSize;
  readonly keyframeIntervalS?: number;
  readonly zones: Zones;
  readonly floor?: Floor;
}

export interface OpeningInterval {
  /** Minutes after local midnight. */
  readonly open: number;
  readonly close: number;
}

export interface Salon {
  readonly id: string;
  readonly name: string;
  readonly partnerId: string;
  readonly regionId: string;
  readonly timeZone: string;
  readonly openingHours: Readonly<Partial<Record<Weekday, OpeningInterval>>>;
  readonly cameras: readonly Camera[];
}

export interface Fleet {
  readonly macroRegions: readonly { readonly id: string; readonly name: string }[];
  readonly partners: readonly { readonly id: string; readonly name: string }[];
  readonly salons: readonly Salon[];
  /** Every camera of every salon, in file order. */
  readonly cameras: readonly Camera[];
}

/** 768x432 keeps 16:9 cameras undistorted and is a multiple of 32, which detector inputs want. */
export const DEFAULT_FRAME_SIZE: FrameSize = { width: 768, height: 432 };
export const DEFAULT_FPS = 1;

// ---------------------------------------------------------------------------------------------
// Rules a schema cannot express. Each returns a message, or undefined when the value is fine.

/** Parses a stream URL; returns a message when it is not one the sampler can open. */
export function parseStreamUrl(text: string): StreamSource | string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  // A one-letter "scheme" is a Windows drive letter, and no scheme at all is a file path.
  if (scheme === undefined || scheme.length === 1) {
    return text.trim() === text && text !== ''
      ? { kind: 'file', url: text }
      : 'file path is empty or padded with spaces';
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a valid URL`;
  }
  switch (scheme) {
    case 'rtsp':
    case 'rtsps':
    case 'http':
    case 'https':
      if (url.hostname === '') return `"${text}" has no host`;
      if (url.port !== '' && (Number(url.port) < 1 || Number(url.port) > 65535))
        return `"${text}" has an invalid port`;
      return scheme.startsWith('rtsp') ? { kind: 'rtsp', url: text } : { kind: 'http', url: text };
    case 'file':
      return url.pathname === ''
        ? `"${text}" has no path`
        : { kind: 'file', url: decodeURIComponent(url.pathname) };
    default:
      return `unsupported scheme "${scheme}:" (expected rtsp, rtsps, http, https, file: or a file path)`;
  }
}

/** 'HH:MM-HH:MM' -> minutes after midnight; `24:00` is allowed as a closing time. */
export function parseOpeningHours(text: string): OpeningInterval | string {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (match === null) return `"${text}" is not 'HH:MM-HH:MM'`;
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || m1 > 59) return `"${text}": opening time is not a time of day`;
  if (h2 > 24 || m2 > 59 || (h2 === 24 && m2 !== 0))
    return `"${text}": closing time is not a time of day`;
  const open = h1 * 60 + m1;
  const close = h2 * 60 + m2;
  if (close <= open) return `"${text}": closes before it opens (overnight hours are not supported)`;
  return { open, close };
}

export function isIanaTimeZone(zone: string): boolean {
  // Intl accepts offsets such as "+03:00" too; the rules need DST-aware zones, so insist on a name.
  if (!/^[A-Za-z]/.test(zone) || !/[A-Za-z]/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function onSegment(p: Point, q: Point, r: Point): boolean {
  return (
    Math.min(p[0], r[0]) <= q[0] &&
    q[0] <= Math.max(p[0], r[0]) &&
    Math.min(p[1], r[1]) <= q[1] &&
    q[1] <= Math.max(p[1], r[1])
  );
}

/** Closed-segment intersection, collinear overlaps and touching end points included. */
export function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true;
  return (
    (d1 === 0 && onSegment(q1, p1, q2)) ||
    (d2 === 0 && onSegment(q1, p2, q2)) ||
    (d3 === 0 && onSegment(p1, q1, p2)) ||
    (d4 === 0 && onSegment(p1, q2, p2))
  );
}

function area(polygon: Polygon): number {
  let sum = 0;
  polygon.forEach((p, i) => {
    const q = polygon[(i + 1) % polygon.length] ?? p;
    sum += p[0] * q[1] - q[0] * p[1];
  });
  return sum / 2;
}

/** Checks a zone polygon: 3+ points, inside the picture, a simple (non-self-intersecting) ring. */
export function polygonProblem(
  polygon: Polygon,
  range: 'normalised' | 'any' = 'normalised',
): string | undefined {
  if (polygon.length < 3) return `polygon needs at least 3 points, got ${polygon.length}`;
  for (const [i, [x, y]] of polygon.entries()) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return `point ${i} is not a finite number`;
    if (range === 'normalised' && (x < 0 || x > 1 || y < 0 || y > 1)) {
      return `point ${i} [${x}, ${y}] is outside the picture (coordinates are normalised to [0, 1])`;
    }
  }
  const n = polygon.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = polygon[i];
      const b = polygon[j];
      if (a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1])
        return `points ${i} and ${j} are the same point`;
    }
  }
  // Edge i runs from point i to point i+1; adjacent edges share an end point by construction.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      const [a, b, c, d] = [polygon[i], polygon[(i + 1) % n], polygon[j], polygon[(j + 1) % n]];
      if (a === undefined || b === undefined || c === undefined || d === undefined) continue;
      if (segmentsIntersect(a, b, c, d))
        return `polygon intersects itself (edge ${i}-${(i + 1) % n} crosses edge ${j}-${(j + 1) % n})`;
    }
  }
  if (Math.abs(area(polygon)) < 1e-9) return 'polygon has no area (all points on a line)';
  return undefined;
}

function cameraIssues(camera: CameraDocument, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (where: string, message: string) => issues.push({ path: `${path}${where}`, message });
  for (const key of ['url', 'subStreamUrl'] as const) {
    const text = camera[key];
    if (text === undefined) continue;
    const parsed = parseStreamUrl(text);
    if (typeof parsed === 'string') add(`.${key}`, parsed);
  }
  const zones = camera.zones ?? {};
  for (const name of ['entrance', 'queue', 'service', 'staffOnly'] as const) {
    const zone = zones[name];
    if (zone === undefined) continue;
    const problem = polygonProblem(zone.polygon);
    if (problem !== undefined) add(`.zones.${name}`, problem);
  }
  const inward = zones.entrance?.inward;
  if (
    inward !== undefined &&
    (!Number.isFinite(Math.hypot(...inward)) || Math.hypot(...inward) === 0)
  ) {
    add('.zones.entrance.inward', 'inward direction must be a non-zero vector');
  }
  if (camera.floor !== undefined) {
    const image = polygonProblem(camera.floor.image);
    if (image !== undefined) add('.floor.image', image);
    const world = polygonProblem(camera.floor.world, 'any');
    if (world !== undefined) add('.floor.world', world);
  }
  return issues;
}

function duplicates(ids: readonly { id: string; path: string }[], what: string): ConfigIssue[] {
  const first = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const { id, path } of ids) {
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, path);
    else
      issues.push({
        path: `${path}.id`,
        message: `duplicate ${what} id "${id}" (first used at ${earlier})`,
      });
  }
  return issues;
}

function semanticIssues(doc: FleetDocument): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  issues.push(
    ...duplicates(
      doc.macroRegions.map((r, i) => ({ id: r.id, path: `macroRegions[${i}]` })),
      'macro-region',
    ),
  );
  issues.push(
    ...duplicates(
      doc.partners.map((p, i) => ({ id: p.id, path: `partners[${i}]` })),
      'partner',
    ),
  );
  issues.push(
    ...duplicates(
      doc.salons.map((s, i) => ({ id: s.id, path: `salons[${i}]` })),
      'salon',
    ),
  );
  issues.push(
    ...duplicates(
      doc.salons.flatMap((s, i) =>
        s.cameras.map((c, j) => ({ id: c.id, path: `salons[${i}].cameras[${j}]` })),
      ),
      'camera',
    ),
  );
  const regions = new Set(doc.macroRegions.map((r) => r.id));
  const partners = new Set(doc.partners.map((p) => p.id));
  doc.salons.forEach((salon, i) => {
    const path = `salons[${i}]`;
    if (!partners.has(salon.partnerId)) {
      issues.push({ path: `${path}.partnerId`, message: `unknown partner "${salon.partnerId}"` });
    }
    if (!regions.has(salon.regionId)) {
      issues.push({
        path: `${path}.regionId`,
        message: `unknown macro-region "${salon.regionId}"`,
      });
    }
    if (!isIanaTimeZone(salon.timeZone)) {
      issues.push({
        path: `${path}.timeZone`,
        message: `"${salon.timeZone}" is not an IANA time zone (e.g. Europe/Moscow)`,
      });
    }
    for (const day of WEEKDAYS) {
      const hours = salon.openingHours[day];
      if (hours === undefined) continue;
      const parsed = parseOpeningHours(hours);
      if (typeof parsed === 'string')
        issues.push({ path: `${path}.openingHours.${day}`, message: parsed });
    }
    salon.cameras.forEach((camera, j) =>
      issues.push(...cameraIssues(camera, `${path}.cameras[${j}]`)),
    );
  });
  return issues;
}

function resolveCamera(doc: CameraDocument, salonId: string): Camera {
  const source = parseStreamUrl(doc.subStreamUrl ?? doc.url);
  if (typeof source === 'string') throw new Error(`unreachable: ${source}`);
  return {
    id: doc.id,
    salonId,
    url: doc.url,
    ...(doc.subStreamUrl === undefined ? {} : { subStreamUrl: doc.subStreamUrl }),
    source,
    fps: doc.fps ?? DEFAULT_FPS,
    frameSize: doc.frameSize ?? DEFAULT_FRAME_SIZE,
    ...(doc.keyframeIntervalS === undefined ? {} : { keyframeIntervalS: doc.keyframeIntervalS }),
    zones: doc.zones ?? {},
    ...(doc.floor === undefined ? {} : { floor: doc.floor }),
  };
}

/**
 * Validates a parsed fleet document and returns the frozen fleet. `source` names the document
 * in the error (a file name). Throws CONFIG_INVALID listing every problem found.
 */
export function parseFleet(value: unknown, source = 'fleet config'): Fleet {
  assertNoIssues(source, schemaIssues(FleetSchema, value));
  // The schema check above makes this cast sound; Value.Check narrows for the compiler.
  if (!Value.Check(FleetSchema, value))
    throw new Error('unreachable: schema passed but Check failed');
  const doc = structuredClone(value);
  assertNoIssues(source, semanticIssues(doc));
  const salons: Salon[] = doc.salons.map((salon) => {
    const hours: Partial<Record<Weekday, OpeningInterval>> = {};
    for (const day of WEEKDAYS) {
      const text = salon.openingHours[day];
      const parsed = text === undefined ? undefined : parseOpeningHours(text);
      if (parsed !== undefined && typeof parsed !== 'string') hours[day] = parsed;
    }
    return {
      id: salon.id,
      name: salon.name,
      partnerId: salon.partnerId,
      regionId: salon.regionId,
      timeZone: salon.timeZone,
      openingHours: hours,
      cameras: salon.cameras.map((camera) => resolveCamera(camera, salon.id)),
    };
  });
  return deepFreeze({
    macroRegions: doc.macroRegions,
    partners: doc.partners,
    salons,
    cameras: salons.flatMap((salon) => salon.cameras),
  });
}

/** Reads, validates and freezes a fleet file (YAML or JSON). */
export async function loadFleet(file: string): Promise<Fleet> {
  return parseFleet(await readConfigFile(file), file);
}
