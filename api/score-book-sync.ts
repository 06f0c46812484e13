/**
 * Keeps a ScoreBook (api/score-book.ts) current with ClickHouse: one load of the window at
 * start, then a poll every `pollMs` for the rows written since.
 *
 * Every writer of rollup_daily and incident_daily (the sink, the review store) stamps a row
 * with a version taken from its clock before it reads (epoch ms, see clickhouse/rollups.ts),
 * and the row is visible once its statement completed. So a row the previous poll could not see
 * has a version above that poll's start, less the time a statement may take and the clocks'
 * difference: `marginMs`. Each poll asks for the newest row of each key with a version above
 * that, so it reads again only the last margin's writes (the book keeps the newest version of
 * each key, so rows seen twice are harmless). Not the newest version seen less the margin: when
 * writes stop, every poll would read the last burst again, a whole rebuild after migrations/006.
 * A full reconciliation every `reconcileMs` bounds what a writer whose clock lags by more than
 * the margin could hide.
 *
 * `invalidate()` is for writes made through this process (a review, a standards change): the
 * next answer waits for a poll, so the writer sees its own write at once; other API processes
 * see it within `pollMs`.
 */
import { Type } from '@sinclair/typebox';
import type { ClickHouse } from '../clickhouse/client.js';
import { Sql, sql, sqlDay } from '../clickhouse/sql.js';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { Poller } from './poller.js';
import { dayLabel, ScoreBook } from './score-book.js';

export interface ScoreBookSyncOptions {
  /** Days held, ending today (default 400: the longest range the API accepts). */
  readonly windowDays?: number;
  readonly pollMs?: number;
  readonly marginMs?: number;
  readonly reconcileMs?: number;
  readonly log: Logger;
  readonly now?: () => number;
}

/** ClickHouse sends UInt64 as a JSON string. */
const Version = Type.Union([Type.String(), Type.Number()]);

const OpportunitySchema = Type.Object({
  salonId: Type.String(),
  day: Type.String(),
  newest: Version,
  visitsStaffPresent: Type.Number(),
  waits: Type.Number(),
  openSeconds: Type.Number(),
  observedSeconds: Type.Number(),
});

const IncidentSchema = Type.Object({
  salonId: Type.String(),
  day: Type.String(),
  newest: Version,
  greetingIncidents: Type.Number(),
  waitingIncidents: Type.Number(),
  queueIncidents: Type.Number(),
  staffIncidents: Type.Number(),
  coverageIncidents: Type.Number(),
  greetingSeconds: Type.Number(),
  waitingSeconds: Type.Number(),
  queueSeconds: Type.Number(),
  staffSeconds: Type.Number(),
  coverageSeconds: Type.Number(),
});

const SalonSchema = Type.Object({ salonId: Type.String(), regionId: Type.String(), partnerId: Type.String() });

/** The newest row of each (salon, day) of `table` matching `where`, one SELECT. */
function newestRows(table: Sql, columns: readonly string[], where: Sql): Sql {
  const picked = new Sql(columns.map((c) => `argMax(${c}, version) AS ${c}`).join(', '));
  // `newest`, not `version`: ClickHouse would substitute the alias into argMax(.., version).
  return sql`SELECT salonId, toString(localDate) AS day, toString(max(version)) AS newest, ${picked}
FROM ${table} WHERE ${where} GROUP BY salonId, localDate`;
}

const OPPORTUNITY_COLUMNS = ['visitsStaffPresent', 'waits', 'openSeconds', 'observedSeconds'];
const INCIDENT_COLUMNS = [
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
];

const DAY_MS = 86_400_000;

export class ScoreBookSync {
  readonly book: ScoreBook;
  private readonly ch: ClickHouse;
  private readonly options: Required<Omit<ScoreBookSyncOptions, 'log'>> & { log: Logger };
  /** This process's clock when the last load or poll began. */
  private lastPollAt = 0;
  private lastReconcile = 0;
  private stale = false;
  private readonly poller: Poller;

  constructor(ch: ClickHouse, options: ScoreBookSyncOptions) {
    this.ch = ch;
    this.options = {
      windowDays: options.windowDays ?? 400,
      pollMs: options.pollMs ?? 1000,
      // A writer's rows become visible once its statement completes: within ClickHouse's request
      // timeout (30 s) of the version it stamped. Rows of the margin are read again by every
      // poll, so it is also the cost of a poll: a rebuild of every key (migrations/006) is
      // re-read for that long once.
      marginMs: options.marginMs ?? 30_000,
      reconcileMs: options.reconcileMs ?? 30 * 60_000,
      now: options.now ?? Date.now,
      log: options.log,
    };
    const today = Math.floor(this.options.now() / DAY_MS);
    this.book = new ScoreBook(dayLabel(today - this.options.windowDays + 1), this.options.windowDays + 31);
    this.poller = new Poller(() => this.poll(), this.options.pollMs, (error) => {
      this.options.log.warn('score book poll failed; answers may be stale until the next one', { error: describeError(error) });
    });
  }

  /** Loads the window, then polls in the background. */
  async start(): Promise<void> {
    const started = this.options.now();
    await this.loadWindow();
    await this.loadSalons();
    this.options.log.info('score book loaded', {
      salonDays: this.book.size,
      salons: this.book.salonCount,
      fromDay: dayLabel(this.book.firstDay),
      ms: this.options.now() - started,
    });
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** The next `fresh()` waits for a poll. */
  invalidate(): void {
    this.stale = true;
  }

  /** Resolves once the book holds what was written before the last `invalidate()`. */
  async fresh(): Promise<void> {
    if (!this.stale) return;
    // A poll already in flight may have read before the write: wait for it, then poll again.
    await this.poller.settled();
    await this.refresh();
  }

  /** One poll (shared by concurrent callers). */
  refresh(): Promise<void> {
    return this.poller.now();
  }

  private async poll(): Promise<void> {
    this.stale = false;
    if (this.options.now() - this.lastReconcile >= this.options.reconcileMs) await this.loadWindow();
    else {
      const since = Math.max(0, this.lastPollAt - this.options.marginMs);
      this.lastPollAt = this.options.now();
      await this.load(sql`version > ${since} AND localDate >= ${sqlDay(dayLabel(this.book.firstDay))}`);
    }
    await this.loadSalons();
  }

  /** Every row of the window, a month per query so that no answer is huge. */
  private async loadWindow(): Promise<void> {
    const started = this.options.now();
    this.lastPollAt = started;
    const end = Math.floor(started / DAY_MS) + 2;
    for (let from = this.book.firstDay; from < end; from += 31) {
      await this.load(sql`localDate >= ${sqlDay(dayLabel(from))} AND localDate < ${sqlDay(dayLabel(Math.min(end, from + 31)))}`);
    }
    this.lastReconcile = started;
  }

  private async load(where: Sql): Promise<void> {
    const [opportunities, incidents] = await Promise.all([
      this.ch.query(newestRows(sql`rollup_daily`, OPPORTUNITY_COLUMNS, where), OpportunitySchema),
      this.ch.query(newestRows(sql`incident_daily`, INCIDENT_COLUMNS, where), IncidentSchema),
    ]);
    this.book.applyOpportunities(opportunities.map((r) => ({ ...r, version: Number(r.newest) })));
    this.book.applyIncidents(incidents.map((r) => ({ ...r, version: Number(r.newest) })));
  }

  private async loadSalons(): Promise<void> {
    this.book.setSalons(
      await this.ch.query(
        sql`SELECT salonId, argMax(regionId, updatedAt) AS regionId, argMax(partnerId, updatedAt) AS partnerId FROM salons GROUP BY salonId`,
        SalonSchema,
      ),
    );
  }
}
