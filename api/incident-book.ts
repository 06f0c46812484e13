/**
 * The API's in-memory copy of the recent incidents (their newest states and verdicts), for the
 * incident list: the reviewer's queue and a salon's incidents, newest first, filtered and paged
 * by cursor. Fifty concurrent reviewers each asking ClickHouse 18.16 for a newest-first page
 * (a GROUP BY over the window's incident rows, joined with the reviews) queued up to seconds;
 * here a page is a walk down a sorted array that stops once the page is full.
 *
 * The book holds every incident that started at or after `fromKey` (ms since epoch; a window of
 * weeks, api/incident-book-sync.ts keeps it current). A page that needs older incidents is
 * answered as far as the book goes and says so (`complete: false`): the caller fetches the rest
 * from ClickHouse, which holds the same states, before `fromKey`.
 *
 * Order: (startedKey, incidentId) descending, as in api/clickhouse-store.ts. Pure: states and
 * verdicts come in through `apply*`, nothing is read here, and the clock is not consulted.
 */
import type { Standard } from '../events/schema.js';
import type {
  EvidenceRef,
  IncidentQuery,
  IncidentStatus,
  IncidentSummary,
  Verdict,
} from './store.js';

/** An incident's state as its newest report left it. */
export interface IncidentState {
  readonly incidentId: string;
  readonly salonId: string;
  readonly cameraId: string;
  readonly standard: Standard;
  /** ms since epoch. */
  readonly startedKey: number;
  /** ms since epoch; 0 while the incident is open. */
  readonly endedKey: number;
  readonly summary: string;
  readonly measured: number;
  readonly threshold: number;
  readonly evidence: EvidenceRef[];
  /** The report's version (clickhouse/migrations/003): the highest wins. */
  readonly version: number;
}

/** The newest review of an incident (reviews are appends; the latest decides). */
export interface VerdictRow {
  readonly incidentId: string;
  readonly verdict: Verdict;
  /** ms since epoch of the review. */
  readonly reviewedKey: number;
}

export interface BookPage {
  readonly items: IncidentSummary[];
  /**
   * false: the page is not full and older incidents (before the book's `fromKey`) may match;
   * they come after `items` in the order.
   */
  readonly complete: boolean;
}

/** A position in the ascending order: the first item is the oldest. */
function before(a: IncidentState, key: number, id: string): boolean {
  return a.startedKey < key || (a.startedKey === key && a.incidentId < id);
}

function compare(a: IncidentState, b: IncidentState): number {
  return a.startedKey - b.startedKey || (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0);
}

/** Incidents sorted ascending by (startedKey, incidentId). */
class Timeline {
  readonly items: IncidentState[] = [];

  /** How many items lie strictly before (key, id). */
  countBefore(key: number, id: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.items[mid];
      if (item !== undefined && before(item, key, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(state: IncidentState): void {
    const last = this.items.at(-1);
    // The common case: the newest incident so far.
    if (last === undefined || compare(last, state) < 0) this.items.push(state);
    else this.items.splice(this.countBefore(state.startedKey, state.incidentId), 0, state);
  }

  /** Puts `next` where `previous` (the same incident) was. */
  replace(previous: IncidentState, next: IncidentState): void {
    const at = this.countBefore(previous.startedKey, previous.incidentId);
    if (previous.startedKey === next.startedKey) this.items[at] = next;
    else {
      this.items.splice(at, 1);
      this.insert(next);
    }
  }

  /** Many at once (a load): appended, then one sort. */
  bulk(states: readonly IncidentState[]): void {
    this.items.push(...states);
    this.items.sort(compare);
  }
}

/** Above this many new incidents in one apply, appending and sorting beats inserting each. */
const BULK = 256;

function statusOf(verdict: Verdict | undefined): IncidentStatus {
  return verdict === 'confirm' ? 'confirmed' : verdict === 'dismiss' ? 'dismissed' : 'pending';
}

export class IncidentBook {
  /** ms since epoch: every incident that started at or after it is here. */
  readonly fromKey: number;
  private readonly states = new Map<string, IncidentState>();
  private readonly verdicts = new Map<string, VerdictRow>();
  private readonly all = new Timeline();
  private readonly bySalon = new Map<string, Timeline>();

  constructor(fromKey: number) {
    this.fromKey = fromKey;
  }

  get size(): number {
    return this.states.size;
  }

  /** Newer versions replace older ones; older or equal versions, and incidents before `fromKey`, are ignored. */
  applyStates(rows: readonly IncidentState[]): void {
    const added = new Set<string>();
    for (const row of rows) {
      if (row.startedKey < this.fromKey) continue;
      const previous = this.states.get(row.incidentId);
      if (previous === undefined) {
        this.states.set(row.incidentId, row);
        added.add(row.incidentId);
      } else if (row.version > previous.version) {
        this.states.set(row.incidentId, row);
        // A new incident seen twice in one apply goes in below, as its newest state.
        if (!added.has(row.incidentId)) this.move(previous, row);
      }
    }
    const fresh = [...added].flatMap((id) => this.states.get(id) ?? []);
    if (fresh.length > BULK) {
      this.all.bulk(fresh);
      const groups = new Map<string, IncidentState[]>();
      for (const s of fresh) {
        const group = groups.get(s.salonId);
        if (group === undefined) groups.set(s.salonId, [s]);
        else group.push(s);
      }
      for (const [salonId, group] of groups) this.salon(salonId).bulk(group);
    } else {
      for (const s of fresh) {
        this.all.insert(s);
        this.salon(s.salonId).insert(s);
      }
    }
  }

  /** The latest review wins (by reviewedKey); a verdict may arrive before its incident. */
  applyVerdicts(rows: readonly VerdictRow[]): void {
    for (const row of rows) {
      const previous = this.verdicts.get(row.incidentId);
      if (previous === undefined || row.reviewedKey >= previous.reviewedKey) this.verdicts.set(row.incidentId, row);
    }
  }

  /**
   * The incidents matching `query`, newest first, up to `query.limit`: the same answer as
   * `ApiStore.incidents` over the incidents in the book.
   */
  page(query: IncidentQuery): BookPage {
    const { salonIds, statuses, standard, limit } = query;
    const from = query.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(query.from);
    // Everything the query could match lies in the book when its range starts inside it.
    const covered = from >= this.fromKey;
    const lowest = Math.max(this.fromKey, from);
    if (salonIds?.length === 0 || limit <= 0) return { items: [], complete: true };
    const only = salonIds?.length === 1 ? salonIds[0] : undefined;
    const timeline = only === undefined ? this.all : this.bySalon.get(only);
    const salonSet = salonIds === null || only !== undefined ? undefined : new Set(salonIds);
    const statusSet = statuses === null ? undefined : new Set(statuses);
    const items: IncidentSummary[] = [];
    if (timeline === undefined) return { items, complete: covered };
    let end = timeline.items.length;
    if (query.to !== undefined) end = Math.min(end, timeline.countBefore(Date.parse(query.to), ''));
    if (query.after !== undefined) {
      end = Math.min(end, timeline.countBefore(Date.parse(query.after.startedAt), query.after.incidentId));
    }
    for (let i = end - 1; i >= 0; i--) {
      const s = timeline.items[i];
      if (s === undefined || s.startedKey < lowest) break;
      if (standard !== undefined && s.standard !== standard) continue;
      if (salonSet !== undefined && !salonSet.has(s.salonId)) continue;
      const status = statusOf(this.verdicts.get(s.incidentId)?.verdict);
      if (statusSet !== undefined && !statusSet.has(status)) continue;
      items.push(summaryOf(s, status));
      if (items.length === limit) return { items, complete: true };
    }
    return { items, complete: covered };
  }

  private salon(salonId: string): Timeline {
    let timeline = this.bySalon.get(salonId);
    if (timeline === undefined) {
      timeline = new Timeline();
      this.bySalon.set(salonId, timeline);
    }
    return timeline;
  }

  private move(previous: IncidentState, next: IncidentState): void {
    this.all.replace(previous, next);
    if (previous.salonId === next.salonId) this.salon(next.salonId).replace(previous, next);
    else {
      const old = this.salon(previous.salonId);
      old.items.splice(old.countBefore(previous.startedKey, previous.incidentId), 1);
      this.salon(next.salonId).insert(next);
    }
  }
}

function summaryOf(s: IncidentState, status: IncidentStatus): IncidentSummary {
  return {
    incidentId: s.incidentId,
    salonId: s.salonId,
    cameraId: s.cameraId,
    standard: s.standard,
    startedAt: new Date(s.startedKey).toISOString(),
    endedAt: s.endedKey === 0 ? null : new Date(s.endedKey).toISOString(),
    summary: s.summary,
    measured: s.measured,
    threshold: s.threshold,
    status,
    evidence: s.evidence,
  };
}
