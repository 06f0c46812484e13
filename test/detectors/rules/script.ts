/**
 * Scripted track scenarios for the rules: actors walk along waypoints (normalised feet
 * positions over time), may be hidden, may change track id, may jitter; the script renders them
 * as the tracker would report them, frame by frame, and runs one camera's rules over them.
 */
import { resolveStandards, type StandardsOverride } from '../../../config/standards.js';
import type { Zones } from '../../../config/fleet.js';
import type { OpeningHours } from '../../../detectors/rules/hours.js';
import { histogramOf } from '../../../detectors/appearance.js';
import { CameraRules } from '../../../detectors/rules/engine.js';
import { toSalonEvent } from '../../../detectors/rules/envelope.js';
import type {
  EvidenceRequest,
  HealthReport,
  ObservedPerson,
  RuleEvent,
  RuleEventOf,
} from '../../../detectors/rules/types.js';
import { assertEvent, type CameraState, type EventType } from '../../../events/schema.js';

export const WIDTH = 800;
export const HEIGHT = 600;
export const UNIFORM = '#e30611';
const UNIFORM_RGB: [number, number, number] = [227, 6, 17];
const STREET = {
  blue: [30, 60, 160],
  grey: [120, 120, 120],
  green: [40, 140, 60],
  yellow: [230, 210, 40],
  black: [15, 15, 15],
} as const satisfies Record<string, readonly [number, number, number]>;

/** Camera layout used by every scenario: door on the left, queue in the middle, counter on the right. */
export const ZONES: Zones = {
  // A glass door: the street (x < 0.1) is visible, the doorway band is 0.1-0.2.
  entrance: {
    polygon: [
      [0.1, 0.4],
      [0.2, 0.4],
      [0.2, 1],
      [0.1, 1],
    ],
    inward: [1, 0],
  },
  queue: {
    polygon: [
      [0.4, 0.5],
      [0.6, 0.5],
      [0.6, 0.9],
      [0.4, 0.9],
    ],
  },
  service: {
    polygon: [
      [0.65, 0.5],
      [0.8, 0.5],
      [0.8, 0.9],
      [0.65, 0.9],
    ],
  },
  staffOnly: {
    polygon: [
      [0.85, 0.4],
      [1, 0.4],
      [1, 1],
      [0.85, 1],
    ],
  },
};

export const ALWAYS_OPEN: OpeningHours = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [
    d,
    { open: 0, close: 24 * 60 },
  ]),
);

export type Waypoint = readonly [t: number, x: number, y: number];

export interface Actor {
  readonly track: number;
  readonly wear: 'uniform' | keyof typeof STREET;
  readonly path: readonly Waypoint[];
  /** Intervals [from, to) in seconds during which the detector misses the actor. */
  readonly hidden?: readonly (readonly [number, number])[];
  /** From `t` on, the tracker reports the actor under `track`. */
  readonly switches?: readonly { readonly t: number; readonly track: number }[];
  /** Feet jump by ±amplitude in x on alternate frames (a box on a zone's edge). */
  readonly jitter?: number;
  /** Facing hint at time t (normalised image direction), or undefined when unknown. */
  readonly facing?: (t: number) => readonly [number, number] | undefined;
}

export interface Scenario {
  readonly name: string;
  readonly actors: readonly Actor[];
  /** Seconds of script; 30 s of empty frames follow so everyone is gone and everything closes. */
  readonly duration?: number;
  readonly start?: string;
  readonly timeZone?: string;
  readonly openingHours?: OpeningHours;
  readonly standards?: StandardsOverride;
  readonly zones?: Zones;
  readonly fps?: number;
  /** Intervals with no frames at all (camera down): the clock advances by ticks. */
  readonly noFrames?: readonly (readonly [number, number])[];
  readonly health?: readonly {
    readonly t: number;
    readonly state: CameraState;
    readonly since: number;
    readonly reason: string;
  }[];
  readonly check: (result: Result) => void;
}

export interface Result {
  readonly events: readonly RuleEvent[];
  readonly evidence: readonly EvidenceRequest[];
  /** When (ms) each evidence request was raised: the input that produced it. */
  readonly raisedAt: ReadonlyMap<EvidenceRequest, number>;
  readonly start: number;
  of<K extends EventType>(type: K): RuleEventOf<K>[];
  incidents(standard?: string): RuleEventOf<'incident'>[];
}

export const DEFAULT_START = '2026-11-25T10:00:00.000Z';

function positionAt(path: readonly Waypoint[], t: number): [number, number] | undefined {
  const first = path[0];
  const last = path[path.length - 1];
  if (first === undefined || last === undefined || t < first[0] || t > last[0]) return undefined;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1];
    const b = path[i];
    if (a === undefined || b === undefined || t > b[0]) continue;
    const f = b[0] === a[0] ? 1 : (t - a[0]) / (b[0] - a[0]);
    return [a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
  }
  return [first[1], first[2]];
}

export function render(actor: Actor, t: number, frameIndex: number): ObservedPerson | undefined {
  if (actor.hidden?.some(([a, b]) => t >= a && t < b) === true) return undefined;
  const p = positionAt(actor.path, t);
  if (p === undefined) return undefined;
  const x =
    p[0] + (actor.jitter === undefined ? 0 : frameIndex % 2 === 0 ? actor.jitter : -actor.jitter);
  const y = p[1];
  let track = actor.track;
  for (const s of actor.switches ?? []) if (t >= s.t) track = s.track;
  const h = 0.35 * HEIGHT;
  const w = 0.4 * h;
  const rgb = actor.wear === 'uniform' ? UNIFORM_RGB : STREET[actor.wear];
  const facing = actor.facing?.(t);
  return {
    trackId: track,
    box: { x1: x * WIDTH - w / 2, y1: y * HEIGHT - h, x2: x * WIDTH + w / 2, y2: y * HEIGHT },
    score: 0.9,
    appearance: histogramOf([
      { rgb, share: 0.85 },
      { rgb: [200, 160, 130], share: 0.15 },
    ]),
    ...(facing === undefined ? {} : { facing }),
  };
}

export function run(scenario: Scenario): Result {
  const start = Date.parse(scenario.start ?? DEFAULT_START);
  const fps = scenario.fps ?? 1;
  const lastWaypoint = Math.max(0, ...scenario.actors.flatMap((a) => a.path.map((w) => w[0])));
  const end = Math.max(scenario.duration ?? 0, lastWaypoint) + 30;
  const rules = new CameraRules({
    camera: { id: 'cam-1', zones: scenario.zones ?? ZONES },
    salon: {
      timeZone: scenario.timeZone ?? 'Europe/Moscow',
      openingHours: scenario.openingHours ?? ALWAYS_OPEN,
    },
    standards: resolveStandards([{ roles: { uniformColours: [UNIFORM] } }, scenario.standards]),
  });
  const events: RuleEvent[] = [];
  const evidence: EvidenceRequest[] = [];
  const raisedAt = new Map<EvidenceRequest, number>();
  const health = [...(scenario.health ?? [])].sort((a, b) => a.t - b.t);
  const frames = Math.round(end * fps);
  for (let i = 0; i <= frames; i++) {
    const t = i / fps;
    while (health.length > 0 && (health[0]?.t ?? Infinity) <= t) {
      const h = health.shift();
      if (h === undefined) break;
      const report: HealthReport = {
        cameraId: 'cam-1',
        at: start + h.t * 1000,
        state: h.state,
        since: start + h.since * 1000,
        reason: h.reason,
      };
      const out = rules.healthReport(report);
      events.push(...out.events);
      evidence.push(...out.evidence);
      for (const request of out.evidence) raisedAt.set(request, report.at);
    }
    const at = start + t * 1000;
    const down = scenario.noFrames?.some(([a, b]) => t >= a && t < b) === true;
    const out = down
      ? rules.tick(at)
      : rules.step({
          cameraId: 'cam-1',
          capturedAt: at,
          width: WIDTH,
          height: HEIGHT,
          tracks: scenario.actors
            .map((a) => render(a, t, i))
            .filter((p): p is ObservedPerson => p !== undefined),
        });
    events.push(...out.events);
    evidence.push(...out.evidence);
    for (const request of out.evidence) raisedAt.set(request, at);
  }
  for (const e of events) {
    // Every event must pass the schema the sink enforces.
    assertEvent(
      toSalonEvent(e, { salonId: 'salon-1', nodeId: 'node-1', producedAt: e.occurredAt }),
    );
  }
  return {
    events,
    evidence,
    raisedAt,
    start,
    of: <K extends EventType>(type: K) =>
      events.filter((e): e is RuleEventOf<K> => e.type === type),
    incidents: (standard?: string) =>
      events.filter(
        (e): e is RuleEventOf<'incident'> =>
          e.type === 'incident' && (standard === undefined || e.payload.standard === standard),
      ),
  };
}

/** Seconds after the scenario start of an ISO instant. */
export function secondsIn(result: Result, isoTime: string): number {
  return (Date.parse(isoTime) - result.start) / 1000;
}
