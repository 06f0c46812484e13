/**
 * `salonwatch bench rules`: what the rules cost per frame for one camera with N tracked persons
 * (default 20: a busy salon), against the same script with 1 person as the baseline measured in
 * the same run. The script is generated (seeded, so every run sees the same frames) and rendered
 * before timing: persons wander between the door, the queue, the service counter and the floor,
 * three staff in uniform work the counter, tracks are occluded and switch ids now and then,
 * every person carries a torso histogram. Only `CameraRules.step` is timed.
 */
import { numberOption, parseCommandArgs, type Command } from '../../cli/command.js';
import { resolveStandards } from '../../config/standards.js';
import type { Zones } from '../../config/fleet.js';
import { histogramOf } from '../appearance.js';
import { CameraRules } from './engine.js';
import type { OpeningHours } from './hours.js';
import type { ObservedPerson, RulesFrame } from './types.js';

const help = `usage: salonwatch bench rules [--json] [--tracks N] [--frames F] [--seed S]

Times the rules (zones, roles, visits and greeting, queue and waiting time, staff presence) per
frame for one camera with N tracked persons, against 1 person in the same run. Target: under
1 ms per frame at 20 tracks.

options:
  --json        print one JSON object
  --tracks N    persons on every frame (default 20)
  --frames F    frames at 1 fps (default 3600: one hour)
  --seed S      seed of the generated script (default 1)
`;

const WIDTH = 768;
const HEIGHT = 432;

const ZONES: Zones = {
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

const OPEN: OpeningHours = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [
    d,
    { open: 0, close: 24 * 60 },
  ]),
);

/** mulberry32: a small seeded generator, so the script is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Walker {
  track: number;
  x: number;
  y: number;
  tx: number;
  ty: number;
  staff: boolean;
  appearance: Float32Array;
}

const SPOTS: readonly (readonly [number, number])[] = [
  [0.05, 0.7], // street
  [0.3, 0.6],
  [0.3, 0.85],
  [0.5, 0.6],
  [0.5, 0.8],
  [0.72, 0.7],
  [0.35, 0.45],
];

export function generateFrames(tracks: number, frames: number, seed: number): RulesFrame[] {
  const rnd = random(seed);
  let nextTrack = 1;
  const colour = (): [number, number, number] => [
    Math.floor(rnd() * 200),
    Math.floor(rnd() * 200),
    Math.floor(rnd() * 200),
  ];
  const walkers: Walker[] = Array.from({ length: tracks }, (_, i) => {
    const staff = i < Math.min(3, Math.max(0, tracks - 1));
    const spot = staff
      ? ([0.92, 0.7] as const)
      : (SPOTS[Math.floor(rnd() * SPOTS.length)] ?? [0.3, 0.6]);
    return {
      track: nextTrack++,
      x: spot[0],
      y: spot[1],
      tx: spot[0],
      ty: spot[1],
      staff,
      appearance: histogramOf([
        { rgb: staff ? [227, 6, 17] : colour(), share: 0.7 },
        { rgb: colour(), share: 0.3 },
      ]),
    };
  });
  const start = Date.parse('2026-11-25T10:00:00.000Z');
  const out: RulesFrame[] = [];
  for (let f = 0; f < frames; f++) {
    const persons: ObservedPerson[] = [];
    for (const w of walkers) {
      if (Math.hypot(w.tx - w.x, w.ty - w.y) < 0.02 && rnd() < 0.05) {
        const spot = w.staff
          ? rnd() < 0.7
            ? ([0.92, 0.7] as const)
            : (SPOTS[1 + Math.floor(rnd() * (SPOTS.length - 1))] ?? [0.3, 0.6])
          : (SPOTS[Math.floor(rnd() * SPOTS.length)] ?? [0.3, 0.6]);
        w.tx = spot[0] + (rnd() - 0.5) * 0.05;
        w.ty = spot[1] + (rnd() - 0.5) * 0.05;
      }
      const dx = w.tx - w.x;
      const dy = w.ty - w.y;
      const d = Math.hypot(dx, dy);
      const step = Math.min(d, 0.06);
      if (d > 0) {
        w.x += (dx / d) * step;
        w.y += (dy / d) * step;
      }
      if (rnd() < 0.003) w.track = nextTrack++; // id switch
      if (rnd() < 0.03) continue; // missed detection / occlusion
      const h = 0.35 * HEIGHT;
      const bw = 0.4 * h;
      persons.push({
        trackId: w.track,
        box: {
          x1: w.x * WIDTH - bw / 2,
          y1: w.y * HEIGHT - h,
          x2: w.x * WIDTH + bw / 2,
          y2: w.y * HEIGHT,
        },
        score: 0.8,
        appearance: w.appearance,
      });
    }
    out.push({
      cameraId: 'bench',
      capturedAt: start + f * 1000,
      width: WIDTH,
      height: HEIGHT,
      tracks: persons,
    });
  }
  return out;
}

export interface RulesTiming {
  readonly tracks: number;
  readonly frames: number;
  readonly meanMsPerFrame: number;
  readonly p50MsPerFrame: number;
  readonly p99MsPerFrame: number;
  readonly maxMsPerFrame: number;
  readonly events: number;
  /**
   * CPU time of this process over the timed loop, per frame: on a shared machine wall-clock
   * percentiles include time the process was not running; CPU time does not.
   */
  readonly cpuMsPerFrame: number;
}

export function timeRules(frames: readonly RulesFrame[], tracks: number): RulesTiming {
  const rules = new CameraRules({
    camera: { id: 'bench', zones: ZONES },
    salon: { timeZone: 'Europe/Moscow', openingHours: OPEN },
    standards: resolveStandards([{ roles: { uniformColours: ['#e30611'] } }]),
  });
  const times = new Float64Array(frames.length);
  let events = 0;
  const cpu0 = process.cpuUsage();
  for (const [i, frame] of frames.entries()) {
    const t0 = process.hrtime.bigint();
    const out = rules.step(frame);
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    events += out.events.length;
  }
  const cpu = process.cpuUsage(cpu0);
  const sorted = Float64Array.from(times).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const total = times.reduce((a, b) => a + b, 0);
  return {
    tracks,
    frames: frames.length,
    meanMsPerFrame: total / Math.max(1, frames.length),
    p50MsPerFrame: at(0.5),
    p99MsPerFrame: at(0.99),
    maxMsPerFrame: at(1),
    events,
    cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / Math.max(1, frames.length),
  };
}

const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

export const command: Command = {
  name: 'rules',
  summary: 'rules cost per frame for 20 tracks, against 1 track',
  help,
  run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      json: { type: 'boolean' },
      tracks: { type: 'string' },
      frames: { type: 'string' },
      seed: { type: 'string' },
    });
    if (parsed === undefined) return Promise.resolve(0);
    const { values } = parsed;
    const tracks = numberOption('tracks', values.tracks, 20, { min: 1, max: 500, integer: true });
    const frames = numberOption('frames', values.frames, 3600, {
      min: 10,
      max: 1_000_000,
      integer: true,
    });
    const seed = numberOption('seed', values.seed, 1, { integer: true });
    const busy = generateFrames(tracks, frames, seed);
    const alone = generateFrames(1, frames, seed);
    // A warm-up pass over each script so both sides are timed with optimised code.
    timeRules(busy.slice(0, 300), tracks);
    timeRules(alone.slice(0, 300), 1);
    const baseline = timeRules(alone, 1);
    const result = timeRules(busy, tracks);
    const ratio = result.cpuMsPerFrame / Math.max(1e-9, baseline.cpuMsPerFrame);
    if (values.json === true) {
      process.stdout.write(JSON.stringify({ result, baseline, ratio, targetMsPerFrame: 1 }) + '\n');
    } else {
      const line = (t: RulesTiming) =>
        `${String(t.tracks).padStart(3)} tracks  cpu ${fmt(t.cpuMsPerFrame)}  wall mean ${fmt(t.meanMsPerFrame)}  p50 ${fmt(t.p50MsPerFrame)}  p99 ${fmt(t.p99MsPerFrame)}  max ${fmt(t.maxMsPerFrame)}  (${t.frames} frames, ${t.events} events)`;
      process.stdout.write(
        [
          'rules cost per frame, one camera at 1 fps',
          line(result),
          line(baseline) + '  <- baseline',
          `ratio ${ratio.toFixed(1)}x the 1-track CPU cost; target < 1 ms per frame: ${result.cpuMsPerFrame < 1 ? 'met' : 'NOT met'} (CPU), ${result.meanMsPerFrame < 1 ? 'met' : 'NOT met'} (wall mean)`,
          '',
        ].join('\n'),
      );
    }
    return Promise.resolve(0);
  },
};
