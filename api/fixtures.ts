/**
 * Generated data for the API's tests, browser test and benchmark, until (and beside) real
 * detections: salons, incident events of the real schema (events/schema.ts) with evidence
 * snapshots, stored through the sink's own row functions so the tables hold exactly what the
 * sink would write. Deterministic: a seed and a clock are passed in, nothing is random.
 */
import { createHash } from 'node:crypto';
import jpeg from 'jpeg-js';
import type { ClickHouse } from '../clickhouse/client.js';
import { assertEvent, STANDARDS, type IncidentEvent, type Standard } from '../events/schema.js';
import { refreshIncidentDaily } from '../clickhouse/rollups.js';
import { seededRandom } from '../events/generate.js';
import { incidentDayRows, incidentRow } from '../sink/rows.js';
import { writeEvidence } from './evidence-store.js';
import type { SalonRow } from './store.js';

/** Fixtures are spread with the backbone's seeded generator: the same seed gives the same data. */
export const prng = seededRandom;

export interface FleetShape {
  readonly salons: number;
  readonly partners: number;
  readonly regions: number;
}

/** `salon-0001` belongs to `partner-1` and `region-1`, round robin. */
export function fixtureSalons(shape: FleetShape): SalonRow[] {
  return Array.from({ length: shape.salons }, (_, i) => ({
    id: `salon-${String(i + 1).padStart(4, '0')}`,
    name: `Salon ${i + 1}`,
    partnerId: `partner-${(i % shape.partners) + 1}`,
    regionId: `region-${(i % shape.regions) + 1}`,
    timeZone: 'Europe/Moscow',
  }));
}

export async function insertSalons(
  ch: ClickHouse,
  salons: readonly SalonRow[],
  at: Date,
): Promise<void> {
  await ch.insert(
    'salons',
    salons.map((s) => ({
      salonId: s.id,
      name: s.name,
      partnerId: s.partnerId,
      regionId: s.regionId,
      timezone: s.timeZone,
      updatedAt: Math.floor(at.getTime() / 1000),
    })),
  );
}

function uuidOf(...parts: readonly (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const SUMMARIES: Record<Standard, (measured: number) => string> = {
  greeting: (m) => `customer not greeted within 30 s (${m.toFixed(0)} s)`,
  queue_length: (m) => `${m.toFixed(0)} customers waiting for over 2 min`,
  waiting_time: (m) => `a customer waited ${(m / 60).toFixed(1)} min`,
  staff_presence: (m) => `no staff on the floor for ${(m / 60).toFixed(1)} min`,
  camera_coverage: (m) => `camera unusable for ${(m / 60).toFixed(0)} min`,
};
const THRESHOLDS: Record<Standard, number> = {
  greeting: 30,
  queue_length: 3,
  waiting_time: 300,
  staff_presence: 180,
  camera_coverage: 600,
};

export interface IncidentPlan {
  readonly salons: readonly SalonRow[];
  /** Incidents start in [from, to). */
  readonly from: Date;
  readonly to: Date;
  readonly perSalonPerDay: number;
  readonly seed: number;
  /** Snapshot ids to attach (cycled); empty: no evidence. */
  readonly evidence: readonly string[];
}

/** Closed incidents of every standard, spread over the period; each one valid per the event schema. */
export function fixtureIncidents(plan: IncidentPlan): IncidentEvent[] {
  const random = prng(plan.seed);
  const days = Math.max(1, Math.round((plan.to.getTime() - plan.from.getTime()) / 86_400_000));
  const total = Math.round(plan.salons.length * days * plan.perSalonPerDay);
  const span = plan.to.getTime() - plan.from.getTime();
  const events: IncidentEvent[] = [];
  for (let i = 0; i < total; i++) {
    const salon = plan.salons[Math.floor(random() * plan.salons.length)];
    if (salon === undefined) continue;
    const standard = STANDARDS[Math.floor(random() * STANDARDS.length)] ?? 'greeting';
    const start = plan.from.getTime() + Math.floor(random() * (span - 3_600_000));
    const threshold = THRESHOLDS[standard];
    const measured = Math.round(threshold * (1.2 + random() * 2) * 10) / 10;
    const durationMs =
      standard === 'greeting'
        ? 0
        : Math.round(measured * 1000 * (standard === 'queue_length' ? 40 : 1));
    const end = start + durationMs;
    const startedAt = new Date(start).toISOString();
    const endedAt = new Date(end).toISOString();
    const evidence =
      plan.evidence.length === 0
        ? []
        : [0, 1].map((k) => ({
            sha256: plan.evidence[(i + k) % plan.evidence.length] ?? '',
            capturedAt: new Date(start + k * 1000).toISOString(),
          }));
    events.push(
      assertEvent({
        eventId: uuidOf(plan.seed, i, 'event'),
        schemaVersion: 1,
        type: 'incident',
        salonId: salon.id,
        cameraId: `${salon.id}-hall`,
        nodeId: `node-${salon.regionId}`,
        occurredAt: endedAt,
        producedAt: endedAt,
        payload: {
          incidentId: uuidOf(plan.seed, i, 'incident'),
          standard,
          startedAt,
          endedAt,
          summary: SUMMARIES[standard](measured),
          measured,
          threshold,
          evidence,
        },
      }) as IncidentEvent,
    );
  }
  return events;
}

let refreshVersion = 0;

/**
 * Writes incidents as the sink does (sink/store.ts): their rows, their per-day shares, and the
 * recomputed daily incident totals the score queries read.
 */
export async function insertIncidents(
  ch: ClickHouse,
  events: readonly IncidentEvent[],
  salons: readonly SalonRow[],
  batch = 50_000,
): Promise<void> {
  const zones = new Map(salons.map((s) => [s.id, s.timeZone]));
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    const zone = (e: IncidentEvent) => zones.get(e.salonId) ?? 'UTC';
    const days = slice.flatMap((e) => incidentDayRows(e, zone(e)));
    await ch.insert(
      'incidents',
      slice.map((e) => incidentRow(e, zone(e), Date.now())),
    );
    await ch.insert('incident_days', days);
    // The sink passes a growing clock reading as the version; so does this.
    refreshVersion = Math.max(refreshVersion + 1, Date.now());
    await refreshIncidentDaily(ch, days, refreshVersion);
  }
}

/** A small synthetic JPEG (a gradient with a seeded colour): stands in for a blurred snapshot. */
export function fixtureJpeg(seed: number, width = 160, height = 90): Buffer {
  const random = prng(seed);
  const [r, g, b] = [random() * 255, random() * 255, random() * 255];
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data[o] = (r + x) % 256;
      data[o + 1] = (g + y * 2) % 256;
      data[o + 2] = b;
      data[o + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 70).data;
}

export async function writeFixtureEvidence(
  dir: string,
  count: number,
  seed: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await writeEvidence(dir, fixtureJpeg(seed + i)));
  return ids;
}

/**
 * Daily rollup rows as the sink's recompute would leave them, for a salon open 12 h a day:
 * enough opportunities for every standard that the incidents' share shows in the score.
 */
export function fixtureRollups(
  salons: readonly SalonRow[],
  days: readonly string[],
  seed: number,
): Record<string, number | string>[] {
  const random = prng(seed);
  const rows: Record<string, number | string>[] = [];
  for (const salon of salons) {
    for (const day of days) {
      const visits = 60 + Math.floor(random() * 60);
      const waits = Math.floor(visits * 0.6);
      rows.push({
        salonId: salon.id,
        localDate: day,
        version: 1,
        events: visits + waits + 1440,
        visits,
        visitors: visits + Math.floor(visits / 5),
        visitsStaffPresent: visits - Math.floor(random() * 5),
        visitsGreeted: Math.floor(visits * 0.8),
        greetingLatencySum: visits * 9,
        visitSeconds: visits * 600,
        waits,
        waitsAbandoned: Math.floor(waits / 10),
        waitSeconds: waits * 120,
        waitMaxS: 420,
        queueSamples: 4320,
        queueLengthSum: 4320,
        queueLengthMax: 5,
        staffSamples: 720,
        openSeconds: 43_200,
        unstaffedOpenSeconds: Math.floor(random() * 900),
        observedSeconds: 43_200,
        cameraHealthEvents: 0,
      });
    }
  }
  return rows;
}

/** `count` consecutive days ending with `last`, as `YYYY-MM-DD`. */
export function daysEnding(last: Date, count: number): string[] {
  const end = Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate());
  return Array.from({ length: count }, (_, i) =>
    new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}
