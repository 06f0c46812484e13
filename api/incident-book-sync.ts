/**
 * Keeps an IncidentBook (api/incident-book.ts) current with ClickHouse: one load of the window
 * at start, then a poll every `pollMs` for the incident rows and reviews stored since.
 *
 * Incident rows carry `insertedMs`, the writer's clock just before its insert (the sink,
 * migrations/007), and a row is visible once its statement completed: within ClickHouse's
 * request timeout of that stamp. So each poll looks at the rows stamped after the previous
 * poll's start less `marginMs`, counts them per second of stamp, and reads the newest states of
 * the incidents in the seconds whose count changed since the last poll (the book keeps the
 * highest version, so rows read twice are harmless). Not by `version` (occurred-at): an edge
 * node's spool delivers an hour-old report after newer ones. Reviews are found by `reviewedAt`,
 * which the API stamps when it stores one.
 *
 * Every `reconcileMs` a fresh book is loaded and replaces the current one: the window moves on
 * (older incidents leave memory) and whatever a writer with a badly skewed clock hid from the
 * polls is found. Reviews made through this process go into the book at once (`applyReview`),
 * also into a book being loaded, so the reviewer's next page already shows them; other API
 * processes see them within `pollMs`.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouse } from '../clickhouse/client.js';
import { joinSql, sql, type Sql } from '../clickhouse/sql.js';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Standard } from '../events/schema.js';
import type { ApiStore } from './store.js';
import { evidenceOf, IncidentStateSchema, latestIncidentStates, latestVerdicts, VerdictRowSchema } from './clickhouse-store.js';
import { IncidentBook, type IncidentState, type VerdictRow } from './incident-book.js';
import { Poller } from './poller.js';

export interface IncidentBookSyncOptions {
  /** Days of incidents held, ending now (default 92: a quarter of reviewing). */
  readonly windowDays?: number;
  readonly pollMs?: number;
  readonly marginMs?: number;
  readonly reconcileMs?: number;
  readonly log: Logger;
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;
const MONTH_MS = 31 * DAY_MS;
/** Distinct incident rows stored in one second of insertedMs (UInt64 as JSON strings). */
const ArrivalSchema = Type.Object({ arrivalSecond: Type.String(), stored: Type.String() });
/** A review comes after its incident; a day covers an edge node's clock running ahead. */
const REVIEW_SLACK_MS = DAY_MS;

function stateOf(row: Static<typeof IncidentStateSchema>): IncidentState {
  return {
    incidentId: row.incidentId,
    salonId: row.salonId,
    cameraId: row.cameraId,
    standard: row.standard as Standard,
    startedKey: Number(row.startedKey),
    endedKey: Number(row.endedKey),
    summary: row.summary,
    measured: row.measured,
    threshold: row.threshold,
    evidence: evidenceOf(row),
    version: Number(row.stateVersion),
  };
}

function verdictOf(row: Static<typeof VerdictRowSchema>): VerdictRow {
  return {
    incidentId: row.incidentId,
    verdict: row.verdict === 'confirm' ? 'confirm' : 'dismiss',
    reviewedKey: Number(row.reviewedKey),
  };
}

/** `DateTime` seconds at or before `ms`. */
function atOrAfter(column: Sql, ms: number): Sql {
  return sql`${column} >= toDateTime(${Math.max(0, Math.floor(ms / 1000))})`;
}

export class IncidentBookSync {
  private current: IncidentBook;
  /** A book being loaded (reconciliation): local reviews go into it too. */
  private next: IncidentBook | undefined;
  private readonly ch: ClickHouse;
  private readonly options: Required<Omit<IncidentBookSyncOptions, 'log'>> & { log: Logger };
  /** This process's clock when the last load or poll began. */
  private lastPollAt = 0;
  private lastReconcile = 0;
  /**
   * Distinct incident rows per second of insertedMs, as the last poll counted them, for the
   * seconds of the margin: a poll reads again only the seconds whose count changed (a sink
   * catching up a backlog stores thousands of incidents a second, which every poll would
   * otherwise read again for a whole margin). Distinct event ids: a merge that collapses a
   * redelivered row changes nothing, so an unchanged count means no new row.
   */
  private arrivals = new Map<number, number>();
  /** What the last poll read: incident states and reviews (for the logs and tests). */
  lastPoll = { states: 0, verdicts: 0 };
  private readonly poller: Poller;

  constructor(ch: ClickHouse, options: IncidentBookSyncOptions) {
    this.ch = ch;
    this.options = {
      windowDays: options.windowDays ?? 92,
      pollMs: options.pollMs ?? 1000,
      // Within ClickHouse's request timeout (30 s) of its stamp, a stored row is visible.
      marginMs: options.marginMs ?? 30_000,
      reconcileMs: options.reconcileMs ?? 30 * 60_000,
      now: options.now ?? Date.now,
      log: options.log,
    };
    this.current = this.emptyBook();
    this.poller = new Poller(() => this.poll(), this.options.pollMs, (error) => {
      this.options.log.warn('incident book poll failed; the incident list may be stale until the next one', {
        error: describeError(error),
      });
    });
  }

  get book(): IncidentBook {
    return this.current;
  }

  /** Loads the window, then polls in the background. */
  async start(): Promise<void> {
    const started = this.options.now();
    await this.reconcile();
    this.options.log.info('incident book loaded', {
      incidents: this.current.size,
      from: new Date(this.current.fromKey).toISOString(),
      ms: this.options.now() - started,
    });
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** A review this process just stored. */
  applyReview(review: VerdictRow): void {
    this.current.applyVerdicts([review]);
    this.next?.applyVerdicts([review]);
  }

  /** One poll (shared by concurrent callers). */
  refresh(): Promise<void> {
    return this.poller.now();
  }

  private async poll(): Promise<void> {
    if (this.options.now() - this.lastReconcile >= this.options.reconcileMs) {
      await this.reconcile();
      return;
    }
    const since = Math.floor(Math.max(0, this.lastPollAt - this.options.marginMs) / 1000) * 1000;
    this.lastPollAt = this.options.now();
    const book = this.current;
    const inWindow = atOrAfter(sql`startedAt`, book.fromKey);
    const [arrivals, verdicts] = await Promise.all([
      this.ch.query(
        sql`SELECT toString(intDiv(insertedMs, 1000)) AS arrivalSecond, toString(uniqExact(eventId)) AS stored
            FROM incidents WHERE insertedMs >= ${since} AND ${inWindow} GROUP BY arrivalSecond`,
        ArrivalSchema,
      ),
      this.ch.query(latestVerdicts(atOrAfter(sql`reviewedAt`, since)), VerdictRowSchema),
    ]);
    const counted = new Map(arrivals.map((a) => [Number(a.arrivalSecond), Number(a.stored)]));
    const changed = [...counted].filter(([second, rows]) => this.arrivals.get(second) !== rows).map(([second]) => second);
    const states =
      changed.length === 0
        ? []
        : await this.ch.query(
            latestIncidentStates(sql`${inWindow} AND intDiv(insertedMs, 1000) IN (${joinSql(changed.map((second) => sql`${second}`))})`),
            IncidentStateSchema,
          );
    book.applyStates(states.map(stateOf));
    book.applyVerdicts(verdicts.map(verdictOf));
    this.arrivals = counted;
    this.lastPoll = { states: states.length, verdicts: verdicts.length };
  }

  /** A fresh book of the window, a month of start times per query so that no answer is huge. */
  private async reconcile(): Promise<void> {
    const started = this.options.now();
    const book = this.emptyBook();
    this.next = book;
    try {
      // All rows of an incident share startedAt, so a range of it never splits an incident.
      for (let from = book.fromKey; ; from += MONTH_MS) {
        // The last range is open: an edge clock running ahead may have dated incidents later.
        const last = from + MONTH_MS > started;
        const until = last ? sql`1` : sql`startedAt < toDateTime(${Math.floor((from + MONTH_MS) / 1000)})`;
        const rows = await this.ch.query(latestIncidentStates(sql`${atOrAfter(sql`startedAt`, from)} AND ${until}`), IncidentStateSchema);
        book.applyStates(rows.map(stateOf));
        if (last) break;
      }
      const verdicts = await this.ch.query(latestVerdicts(atOrAfter(sql`reviewedAt`, book.fromKey - REVIEW_SLACK_MS)), VerdictRowSchema);
      book.applyVerdicts(verdicts.map(verdictOf));
      this.current = book;
      // Rows stored while the load ran are read by the next poll (from its start, less the margin).
      this.lastPollAt = started;
      this.lastReconcile = started;
    } finally {
      this.next = undefined;
    }
  }

  private emptyBook(): IncidentBook {
    const today = Math.floor(this.options.now() / DAY_MS);
    return new IncidentBook((today - this.options.windowDays + 1) * DAY_MS);
  }
}

/**
 * `store` with the incident list answered from the book: a page the book cannot fill from its
 * window continues from ClickHouse, before the window's start. Reviews go to `store` and, once
 * stored, into the book.
 */
export function withIncidentBook(store: ApiStore, sync: IncidentBookSync): ApiStore {
  return {
    ...store,
    async incidents(query) {
      const book = sync.book;
      const page = book.page(query);
      if (page.complete) return page.items;
      const windowStart = new Date(book.fromKey).toISOString();
      const older = await store.incidents({
        ...query,
        to: query.to !== undefined && Date.parse(query.to) < book.fromKey ? query.to : windowStart,
        limit: query.limit - page.items.length,
      });
      return [...page.items, ...older];
    },
    async addReview(review) {
      await store.addReview(review);
      sync.applyReview({ incidentId: review.incidentId, verdict: review.verdict, reviewedKey: Date.parse(review.reviewedAt) });
    },
  };
}

/** The incident book as `salonwatch api` runs it: loaded, polling. */
export async function startIncidentBook(
  ch: ClickHouse,
  log: Logger,
  options: Omit<IncidentBookSyncOptions, 'log'> = {},
): Promise<IncidentBookSync> {
  const sync = new IncidentBookSync(ch, { ...options, log });
  await sync.start();
  return sync;
}
