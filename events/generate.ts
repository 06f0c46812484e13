/**
 * Deterministic events of the real schema for benchmarks and tests: a seeded generator, so a
 * failing run can be replayed exactly. The mix is the shape of a working day: samples dominate,
 * visits and waits follow, incidents and camera health are rare. Every event passes
 * `checkEvent` (tested). Pure: the seed and the time range are passed in.
 */
import type { SalonEvent, Standard } from './schema.js';

/** mulberry32: tiny, fast and good enough to spread synthetic data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (random: () => number, digits: number) => {
  let out = '';
  for (let i = 0; i < digits; i++) out += Math.floor(random() * 16).toString(16);
  return out;
};

/** A version-4-shaped UUID from the generator (same seed, same ids). */
export function seededUuid(random: () => number): string {
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${variant}${hex(random, 3)}-${hex(random, 12)}`;
}

export const salonIdOf = (i: number) => `salon-${String(i).padStart(5, '0')}`;

export interface GenerateOptions {
  readonly count: number;
  readonly salons: number;
  readonly seed: number;
  /** occurredAt of the first event, epoch ms. */
  readonly startMs: number;
  /** occurredAt spacing between consecutive events, ms (events are in time order). */
  readonly stepMs: number;
  /** producedAt; defaults to occurredAt + 50 ms. */
  readonly producedAtMs?: (occurredMs: number) => number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const STANDARDS: readonly Standard[] = ['greeting', 'queue_length', 'waiting_time', 'staff_presence', 'camera_coverage'];

export function* generateEvents(options: GenerateOptions): Generator<SalonEvent> {
  const random = seededRandom(options.seed);
  for (let i = 0; i < options.count; i++) {
    const occurred = options.startMs + i * options.stepMs;
    const salon = Math.floor(random() * options.salons);
    const salonId = salonIdOf(salon);
    const envelope = {
      eventId: seededUuid(random),
      schemaVersion: 1 as const,
      salonId,
      cameraId: `${salonId}-cam${1 + Math.floor(random() * 2)}`,
      nodeId: `edge-${salonId}`,
      occurredAt: iso(occurred),
      producedAt: iso(options.producedAtMs?.(occurred) ?? occurred + 50),
    };
    const roll = random();
    if (roll < 0.3) {
      yield { ...envelope, type: 'queue_sample', payload: { length: Math.floor(random() * 6), windowS: 60 } };
    } else if (roll < 0.6) {
      const staffCount = Math.floor(random() * 3);
      yield { ...envelope, type: 'staff_sample', payload: { staffCount, customerCount: Math.floor(random() * 8), open: random() < 0.9, windowS: 60 } };
    } else if (roll < 0.85) {
      const durationS = 30 + Math.floor(random() * 900);
      const greeted = random() < 0.8;
      yield {
        ...envelope,
        type: 'visit',
        payload: {
          visitId: `v-${envelope.eventId}`,
          startedAt: iso(occurred - durationS * 1000),
          endedAt: envelope.occurredAt,
          durationS,
          groupSize: 1 + Math.floor(random() * 2),
          greeted,
          greetingLatencyS: greeted ? Math.round(random() * 400) / 10 : null,
          staffPresent: random() < 0.95,
        },
      };
    } else if (roll < 0.95) {
      const waitS = Math.floor(random() * 600);
      yield {
        ...envelope,
        type: 'wait',
        payload: {
          waitId: `w-${envelope.eventId}`,
          joinedAt: iso(occurred - waitS * 1000),
          endedAt: envelope.occurredAt,
          waitS,
          outcome: random() < 0.9 ? 'served' : 'abandoned',
        },
      };
    } else if (roll < 0.99) {
      const standard = STANDARDS[Math.floor(random() * STANDARDS.length)] ?? 'greeting';
      const lengthS = standard === 'greeting' || standard === 'waiting_time' ? 0 : 120 + Math.floor(random() * 900);
      yield {
        ...envelope,
        type: 'incident',
        payload: {
          incidentId: `i-${envelope.eventId}`,
          standard,
          startedAt: iso(occurred - lengthS * 1000),
          endedAt: envelope.occurredAt,
          summary: `${standard} below target`,
          measured: Math.round(random() * 1000) / 10,
          threshold: 30,
          evidence: [{ sha256: hex(random, 64), capturedAt: envelope.occurredAt }],
        },
      };
    } else {
      yield {
        ...envelope,
        type: 'camera_health',
        payload: { state: random() < 0.5 ? 'online' : 'frozen', since: envelope.occurredAt, reason: 'synthetic' },
      };
    }
  }
}
