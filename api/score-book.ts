/**
 * The API's in-memory copy of the two per-salon-per-day tables every score is computed from:
 * the opportunities of rollup_daily and the undismissed incident totals of incident_daily. A
 * salon's year of daily scores, or a month's ranking of the whole network, is then a walk over a
 * few hundred thousand numbers in this process (microseconds to a millisecond) instead of
 * ClickHouse queries, which 50 concurrent clients asking for different salons would queue.
 *
 * It answers exactly what `clickhouse/scores.ts` answers from ClickHouse: the same rows are
 * added up the same way and fed to the same pure functions (`complianceRates`, `weightedScore`,
 * `rankBy`); test/api/score-book.int.test.ts compares the two on the same data. Pure: rows come
 * in through `apply*` (api/score-book-sync.ts keeps them current), nothing is read here.
 *
 * Layout: per salon, one Float64Array per table, a row of fields per day since `firstDay`
 * (dense: nearly every salon has a row every day), the row's version in its first slot (0: no
 * row). About 128 bytes per salon-day: a year of 1,300 salons is ~60 MB.
 */
import {
  complianceRates,
  NO_INCIDENTS,
  rankBy,
  weightedScore,
  type IncidentLoad,
  type Opportunities,
  type RegionRank,
  type SalonRank,
  type Weights,
} from '../clickhouse/scores.js';
import type { DailyScore } from './store.js';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` to days since 1970-01-01 (UTC calendar arithmetic; days are salon-local labels). */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00.000Z`) / DAY_MS);
}

export function dayLabel(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export interface OpportunityRow {
  readonly salonId: string;
  readonly day: string;
  readonly version: number;
  readonly visitsStaffPresent: number;
  readonly waits: number;
  readonly openSeconds: number;
  readonly observedSeconds: number;
}

export interface IncidentTotalsRow {
  readonly salonId: string;
  readonly day: string;
  readonly version: number;
  readonly greetingIncidents: number;
  readonly waitingIncidents: number;
  readonly queueIncidents: number;
  readonly staffIncidents: number;
  readonly coverageIncidents: number;
  readonly greetingSeconds: number;
  readonly waitingSeconds: number;
  readonly queueSeconds: number;
  readonly staffSeconds: number;
  readonly coverageSeconds: number;
}

export interface SalonDimension {
  readonly salonId: string;
  readonly regionId: string;
  readonly partnerId: string;
}

const OPPORTUNITY_FIELDS = ['visitsStaffPresent', 'waits', 'openSeconds', 'observedSeconds'] as const;
const INCIDENT_FIELDS = [
  'greetingIncidents',
  'waitingIncidents',
  'queueIncidents',
  'staffIncidents',
  'coverageIncidents',
  'greetingSeconds',
  'waitingSeconds',
  'queueSeconds',
  'staffSeconds',
  'coverageSeconds',
] as const;
/** Slot 0 of every row is its version. */
const OPP_WIDTH = 1 + OPPORTUNITY_FIELDS.length;
const INC_WIDTH = 1 + INCIDENT_FIELDS.length;

class SalonDays {
  opportunities: Float64Array;
  incidents: Float64Array;
  constructor(days: number) {
    this.opportunities = new Float64Array(days * OPP_WIDTH);
    this.incidents = new Float64Array(days * INC_WIDTH);
  }
  grow(days: number): void {
    const opp = new Float64Array(days * OPP_WIDTH);
    opp.set(this.opportunities);
    this.opportunities = opp;
    const inc = new Float64Array(days * INC_WIDTH);
    inc.set(this.incidents);
    this.incidents = inc;
  }
}

/** The fields of a row at `at` (its version slot), as the pure score functions take them. */
function opportunitiesAt(a: Float64Array, at: number): Opportunities {
  return { visitsStaffPresent: a[at + 1] ?? 0, waits: a[at + 2] ?? 0, openSeconds: a[at + 3] ?? 0, observedSeconds: a[at + 4] ?? 0 };
}

function incidentLoadAt(a: Float64Array, at: number): IncidentLoad {
  // Plain reads, no helper closure: this runs for every day of every scores request.
  return {
    count: {
      greeting: a[at + 1] ?? 0,
      waiting_time: a[at + 2] ?? 0,
      queue_length: a[at + 3] ?? 0,
      staff_presence: a[at + 4] ?? 0,
      camera_coverage: a[at + 5] ?? 0,
    },
    seconds: {
      greeting: a[at + 6] ?? 0,
      waiting_time: a[at + 7] ?? 0,
      queue_length: a[at + 8] ?? 0,
      staff_presence: a[at + 9] ?? 0,
      camera_coverage: a[at + 10] ?? 0,
    },
  };
}

export class ScoreBook {
  /** The first day held; rows of earlier days are not kept (`covers` tells callers). */
  readonly firstDay: number;
  private capacity: number;
  private readonly salons = new Map<string, SalonDays>();
  private dimension = new Map<string, SalonDimension>();
  private rows = 0;
  /**
   * Rankings are the same for every caller until a row changes: each is kept for the data it was
   * computed from (`generation` moves with every change), so concurrent callers share one walk.
   */
  private generation = 0;
  private readonly salonRankings = new Map<string, { generation: number; value: SalonRank[] }>();
  private readonly regionRankings = new Map<string, { generation: number; value: RegionRank[] }>();
  private readonly scratch = { opp: new Float64Array(OPP_WIDTH), inc: new Float64Array(INC_WIDTH) };
  /** `YYYY-MM-DD` of each day index, made once: formatting a Date was half of a year's scores. */
  private readonly labels: string[] = [];

  constructor(firstDay: string, initialDays = 400) {
    this.firstDay = dayNumber(firstDay);
    this.capacity = Math.max(1, initialDays);
  }

  /** Salon-days held (rows of either table). */
  get size(): number {
    return this.rows;
  }

  get salonCount(): number {
    return this.salons.size;
  }

  /** Whether every day of the range is at or after the first day held. */
  covers(from: string): boolean {
    return dayNumber(from) >= this.firstDay;
  }

  setSalons(salons: readonly SalonDimension[]): void {
    const next = new Map(salons.map((s) => [s.salonId, s]));
    const same =
      next.size === this.dimension.size &&
      [...next].every(([id, s]) => {
        const was = this.dimension.get(id);
        return was?.regionId === s.regionId && was.partnerId === s.partnerId;
      });
    if (same) return;
    this.dimension = next;
    this.generation++;
  }

  /** Keeps each row unless a newer version of its key is held (rows may come again, or late). */
  applyOpportunities(rows: readonly OpportunityRow[]): number {
    let applied = 0;
    for (const r of rows) {
      const slot = this.slot(r.salonId, r.day);
      if (slot === undefined) continue;
      const a = slot.salon.opportunities;
      const at = slot.index * OPP_WIDTH;
      if ((a[at] ?? 0) >= r.version) continue;
      if (a[at] === 0 && slot.salon.incidents[slot.index * INC_WIDTH] === 0) this.rows++;
      a[at] = r.version;
      for (const [i, f] of OPPORTUNITY_FIELDS.entries()) a[at + 1 + i] = r[f];
      applied++;
    }
    if (applied > 0) this.generation++;
    return applied;
  }

  applyIncidents(rows: readonly IncidentTotalsRow[]): number {
    let applied = 0;
    for (const r of rows) {
      const slot = this.slot(r.salonId, r.day);
      if (slot === undefined) continue;
      const a = slot.salon.incidents;
      const at = slot.index * INC_WIDTH;
      if ((a[at] ?? 0) >= r.version) continue;
      if (a[at] === 0 && slot.salon.opportunities[slot.index * OPP_WIDTH] === 0) this.rows++;
      a[at] = r.version;
      for (const [i, f] of INCIDENT_FIELDS.entries()) a[at + 1 + i] = r[f];
      applied++;
    }
    if (applied > 0) this.generation++;
    return applied;
  }

  private labelOf(index: number): string {
    return (this.labels[index] ??= dayLabel(this.firstDay + index));
  }

  /** A salon's days of the range that have opportunities, oldest first (as `scoreQueries`). */
  dailyScores(salonId: string, from: string, to: string, weights: Weights): DailyScore[] {
    const salon = this.salons.get(salonId);
    if (salon === undefined) return [];
    const out: DailyScore[] = [];
    const [first, last] = this.indexRange(from, to);
    for (let i = first; i <= last; i++) {
      const o = i * OPP_WIDTH;
      if (!((salon.opportunities[o] ?? 0) > 0)) continue;
      const n = i * INC_WIDTH;
      const load = (salon.incidents[n] ?? 0) > 0 ? incidentLoadAt(salon.incidents, n) : NO_INCIDENTS;
      const standards = complianceRates(opportunitiesAt(salon.opportunities, o), load);
      out.push({ day: this.labelOf(i), score: weightedScore(standards, weights), standards });
    }
    return out;
  }

  salonRanking(from: string, to: string, regionId: string | null, weights: Weights): SalonRank[] {
    return this.remembered(this.salonRankings, `${from}|${to}|${regionId ?? ''}|${JSON.stringify(weights)}`, () =>
      rankBy(this.salonScores(from, to, regionId, weights), (s) => s.score, (s) => s.salonId),
    );
  }

  regionRanking(from: string, to: string, weights: Weights): RegionRank[] {
    return this.remembered(this.regionRankings, `${from}|${to}|${JSON.stringify(weights)}`, () => this.rankRegions(from, to, weights));
  }

  /** Callers get the same array: rankings are read, never changed, by their users. */
  private remembered<T>(memo: Map<string, { generation: number; value: T }>, key: string, compute: () => T): T {
    const hit = memo.get(key);
    if (hit?.generation === this.generation) return hit.value;
    const value = compute();
    if (memo.size >= 1000) memo.clear();
    memo.set(key, { generation: this.generation, value });
    return value;
  }

  private rankRegions(from: string, to: string, weights: Weights): RegionRank[] {
    const byRegion = new Map<string, number[]>();
    for (const s of this.salonScores(from, to, null, weights)) {
      if (s.regionId === '') continue;
      const list = byRegion.get(s.regionId) ?? [];
      list.push(s.score);
      byRegion.set(s.regionId, list);
    }
    const regions = [...byRegion].map(([regionId, scores]) => ({
      regionId,
      salons: scores.length,
      score: scores.reduce((a, b) => a + b, 0) / scores.length,
    }));
    return rankBy(regions, (r) => r.score, (r) => r.regionId);
  }

  /**
   * Per salon with opportunities in the range: the range's counts pooled, then the score; a
   * region filter keeps the salons the dimension puts in that region.
   */
  private salonScores(from: string, to: string, regionId: string | null, weights: Weights): Omit<SalonRank, 'rank'>[] {
    const [first, last] = this.indexRange(from, to);
    const scored: Omit<SalonRank, 'rank'>[] = [];
    for (const [salonId, salon] of this.salons) {
      const dim = this.dimension.get(salonId);
      if (regionId !== null && dim?.regionId !== regionId) continue;
      if (this.pool(salon, first, last) === 0) continue;
      const score = weightedScore(complianceRates(opportunitiesAt(this.scratch.opp, 0), incidentLoadAt(this.scratch.inc, 0)), weights);
      if (score === null) continue;
      scored.push({ salonId, regionId: dim?.regionId ?? '', partnerId: dim?.partnerId ?? '', score });
    }
    return scored;
  }

  /**
   * Sums over a range of one salon's days into the scratch rows (laid out as one row of each
   * table, slot 0 unused); returns the number of days with opportunities.
   */
  private pool(salon: SalonDays, first: number, last: number): number {
    const sum = this.scratch;
    sum.opp.fill(0);
    sum.inc.fill(0);
    let days = 0;
    const { opportunities: opp, incidents: inc } = salon;
    for (let i = first; i <= last; i++) {
      const o = i * OPP_WIDTH;
      if ((opp[o] ?? 0) > 0) {
        days++;
        for (let f = 1; f < OPP_WIDTH; f++) sum.opp[f] = (sum.opp[f] ?? 0) + (opp[o + f] ?? 0);
      }
      const n = i * INC_WIDTH;
      if ((inc[n] ?? 0) > 0) for (let f = 1; f < INC_WIDTH; f++) sum.inc[f] = (sum.inc[f] ?? 0) + (inc[n + f] ?? 0);
    }
    return days;
  }

  /** The held indexes of a day range, clipped to what is held (empty: first > last). */
  private indexRange(from: string, to: string): [number, number] {
    return [Math.max(0, dayNumber(from) - this.firstDay), Math.min(this.capacity - 1, dayNumber(to) - this.firstDay)];
  }

  private slot(salonId: string, day: string): { salon: SalonDays; index: number } | undefined {
    const index = dayNumber(day) - this.firstDay;
    if (!(index >= 0)) return undefined;
    if (index >= this.capacity) {
      this.capacity = Math.max(index + 1, this.capacity * 2);
      for (const s of this.salons.values()) s.grow(this.capacity);
    }
    let salon = this.salons.get(salonId);
    if (salon === undefined) {
      salon = new SalonDays(this.capacity);
      this.salons.set(salonId, salon);
    }
    return { salon, index };
  }
}
