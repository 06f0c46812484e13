/**
 * The sink: a kafkajs consumer group member that validates every message, sends malformed ones
 * to the dead-letter topic with the reason in a header, stores the rest in ClickHouse in
 * batches (by size or age), and commits offsets only after ClickHouse acknowledged the batch.
 *
 * Delivery is at-least-once by design: a crash between insert and commit redelivers the batch,
 * and the storage layer makes that harmless (raw rows deduplicated by event id, rollups
 * recomputed from distinct events; see clickhouse/migrations/002_rollups.sql).
 *
 * Each message is decoded and validated as it arrives and turned into its row at once (batch.ts),
 * so a held batch is encoded bytes rather than parsed events. Storing is a pipeline of two:
 * while one batch's rollups are recomputed and its offsets committed, the next batch's rows are
 * already being written (store.ts says why the order of recomputes still holds).
 *
 * While ClickHouse is unreachable the sink pauses its partitions (the process keeps its group
 * membership and heartbeats), keeps the batches it holds, retries with backoff, and resumes once
 * a retry succeeds. Nothing is committed that was not stored, so nothing is lost.
 */
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouse } from '../clickhouse/client.js';
import { versionClock } from '../clickhouse/reviews.js';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { decodeEvent } from '../events/schema.js';
import { EventBatch, type TimeZoneOf } from './batch.js';
import { recomputeEventBatches, writeEventBatch } from './store.js';

export const DLQ_REASON_HEADER = 'salonwatch-dlq-reason';
export const DLQ_SOURCE_HEADER = 'salonwatch-dlq-source';

/** What the hooks learn of a stored batch (the events themselves are not kept; see batch.ts). */
export interface StoredBatch {
  /** Events stored; dead-lettered messages are not among them. */
  readonly count: number;
  /** producedAt of each stored event, epoch milliseconds. */
  readonly producedAtMs: readonly number[];
}

export interface SinkHooks {
  /** After ClickHouse acknowledged a batch, before its offsets are committed (tests crash here). */
  readonly afterStore?: (batch: StoredBatch) => Promise<void> | void;
  /** After the offsets of a stored batch were committed; `storedAtMs` is when ClickHouse acked. */
  readonly onStored?: (batch: StoredBatch, storedAtMs: number) => void;
}

export interface SinkOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  readonly ch: ClickHouse;
  readonly timeZoneOf: TimeZoneOf;
  readonly log: Logger;
  /** Flush when this many messages are held... */
  readonly batchSize?: number;
  /** ...or when the oldest held message is this old. */
  readonly maxWaitMs?: number;
  /** Backoff between store retries while ClickHouse is down. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly hooks?: SinkHooks;
}

export interface SinkStats {
  readonly received: number;
  readonly stored: number;
  readonly deadLettered: number;
  readonly batches: number;
  readonly failedStores: number;
  readonly paused: boolean;
  /** A batch is being stored (raw rows may already be visible, rollups not yet). */
  readonly storing: boolean;
  readonly held: number;
}

interface DeadLetter {
  readonly message: KafkaMessage;
  readonly partition: number;
  readonly reason: string;
}

interface Held {
  events: EventBatch;
  dead: DeadLetter[];
  /** Partition -> offset of the last message held. */
  offsets: Map<number, bigint>;
  since: number;
}

const heldCount = (h: Held) => h.events.count + h.dead.length;

/** A batch taken from what is held and not yet committed. */
interface InFlight {
  readonly held: Held;
  /** Resolves once the batch is stored and committed; rejects if any step failed. */
  done: Promise<void>;
  /** Settles with `done`, never rejects: for waiting on it. */
  settled: Promise<void>;
  /** Its rows are written. */
  written: boolean;
  /** An earlier batch's recompute covered this batch's keys (its rows were written before it ran). */
  recomputed: boolean;
}

/** Batches written ahead of the one being recomputed, at most: bounds memory and latency. */
const MAX_IN_FLIGHT = 4;

/** Later batches after earlier ones: the failed batches first, then what arrived meanwhile. */
function mergeHeld(batches: readonly Held[]): Held {
  const [first, ...rest] = batches;
  if (first === undefined) throw new Error('mergeHeld: nothing to merge');
  const merged: Held = { events: first.events, dead: [...first.dead], offsets: new Map(first.offsets), since: first.since };
  for (const later of rest) {
    merged.events.append(later.events);
    merged.dead.push(...later.dead);
    for (const [partition, offset] of later.offsets) merged.offsets.set(partition, offset);
    if (merged.since === 0) merged.since = later.since;
  }
  return merged;
}

const ignore = () => undefined;

export class Sink {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly batchSize: number;
  private readonly maxWaitMs: number;
  private held: Held;
  /**
   * Oldest first: batches are written one at a time while the oldest is recomputed and committed,
   * so ClickHouse works on both at once (see `startStore`).
   */
  private inFlight: InFlight[] = [];
  /** A batch's first step (dead letters, raw rows, incident reports) is running. */
  private writing = false;
  private paused = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** Rollup versions must grow even if two batches are stored within one millisecond. */
  private readonly nextVersion = versionClock();
  private counts = { received: 0, stored: 0, deadLettered: 0, batches: 0, failedStores: 0 };

  constructor(private readonly options: SinkOptions) {
    this.batchSize = options.batchSize ?? 20_000;
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // Large fetches: events are a few hundred bytes, and throughput comes from big batches.
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
    });
    this.producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.held = this.emptyHeld();
  }

  private emptyHeld(): Held {
    // Room for a full batch of typical events (a few hundred bytes of row each) from the start.
    return { events: new EventBatch(this.options.timeZoneOf, Math.min(this.batchSize, 100_000) * 640), dead: [], offsets: new Map(), since: 0 };
  }

  stats(): SinkStats {
    return { ...this.counts, paused: this.paused, storing: this.inFlight.length > 0 || this.paused, held: heldCount(this.held) };
  }

  async start(): Promise<void> {
    const { topic } = this.options;
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        let last: string | undefined;
        for (const message of batch.messages) {
          if (!payload.isRunning() || payload.isStale()) break;
          this.accept(batch.partition, message);
          last = message.offset;
        }
        if (last !== undefined) {
          // Resolving the last accepted offset resolves all before it. Once per fetched batch,
          // not per message: kafkajs turns every offset it is handed into a Long.
          payload.resolveOffset(last);
          this.held.offsets.set(batch.partition, BigInt(last));
        }
        await payload.heartbeat();
        if (this.paused) return;
        // Store in the background while the next messages are fetched and decoded; wait only
        // when another batch is held behind those in flight (backpressure on the fetch loop).
        if (heldCount(this.held) >= this.batchSize) {
          this.storeIfFree();
          const oldest = this.inFlight[0];
          if (oldest !== undefined && heldCount(this.held) >= 2 * this.batchSize) await oldest.settled;
        }
      },
    });
    this.timer = setInterval(() => {
      if (this.paused || heldCount(this.held) === 0) return;
      if (Date.now() - this.held.since >= this.maxWaitMs) this.storeIfFree();
    }, Math.max(20, Math.min(100, this.maxWaitMs / 2)));
  }

  /** Stores what is held if ClickHouse is reachable, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.consumer.stop();
    // Stores may be in flight with more held behind them: store until nothing is held, unless
    // ClickHouse is down (then what is held was not committed and will be delivered again).
    for (let i = 0; i < 4 && !this.paused; i++) {
      await Promise.all(this.inFlight.map((f) => f.settled));
      if (this.isPaused() || heldCount(this.held) === 0) break;
      this.storeIfFree();
    }
    await Promise.all(this.inFlight.map((f) => f.settled));
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private accept(partition: number, message: KafkaMessage): void {
    this.counts.received++;
    if (heldCount(this.held) === 0) this.held.since = Date.now();
    const decoded = message.value === null ? { ok: false as const, reason: '(event): empty message' } : decodeEvent(message.value);
    if (!decoded.ok) {
      this.held.dead.push({ message, partition, reason: decoded.reason });
      return;
    }
    try {
      this.held.events.add(decoded.event);
    } catch (error) {
      // A valid event that cannot become a row (nothing known does this) would otherwise fail
      // every store of its batch and stall the sink behind it.
      this.held.dead.push({ message, partition, reason: `(event): not storable: ${describeError(error)}` });
    }
  }

  // Read through methods where an await came between: other callbacks may have changed them,
  // which TypeScript's narrowing of `this.paused` and `this.running` does not see.
  private isPaused(): boolean {
    return this.paused;
  }

  private isRunning(): boolean {
    return this.running;
  }

  /** Starts storing what is held, if anything is and a store can start now. */
  private storeIfFree(): void {
    if (this.paused || this.writing || this.inFlight.length >= MAX_IN_FLIGHT || heldCount(this.held) === 0) return;
    const store = this.startStore();
    store.done.then(
      () => {
        this.inFlight = this.inFlight.filter((f) => f !== store);
        this.storeMoreIfDue();
      },
      (error: unknown) => {
        this.counts.failedStores++;
        this.pauseUntilStored(error);
      },
    );
  }

  private storeMoreIfDue(): void {
    if (this.running && heldCount(this.held) >= this.batchSize) this.storeIfFree();
  }

  /**
   * Takes what is held and stores it in two steps (store.ts): write the rows, then recompute the
   * keys they touched and commit. The write starts at once, beside the recompute of earlier
   * batches; the recompute and commit wait for the previous batch's, so versions and commits go
   * in order, and a batch behind a failed one fails too and is never committed before it.
   */
  private startStore(): InFlight {
    const held = this.held;
    this.held = this.emptyHeld();
    const version = this.nextVersion();
    const previous = this.inFlight.at(-1)?.done;
    this.writing = true;
    const store: InFlight = { held, done: Promise.resolve(), settled: Promise.resolve(), written: false, recomputed: false };
    const written = (async () => {
      await this.deadLetter(held.dead);
      const ms = await writeEventBatch(this.options.ch, held.events);
      store.written = true;
      return ms;
    })();
    void written.then(ignore, ignore).finally(() => {
      this.writing = false;
      this.storeMoreIfDue();
    });
    store.done = this.finishStore(store, version, written, previous);
    store.settled = store.done.then(ignore, ignore);
    this.inFlight.push(store);
    return store;
  }

  private async finishStore(store: InFlight, version: number, written: Promise<number>, previous: Promise<void> | undefined): Promise<void> {
    const { held } = store;
    const insertMs = await written;
    if (previous !== undefined) await previous;
    let rollupMs = 0;
    if (!store.recomputed) {
      // The batches behind this one whose rows are already written are recomputed with it: one
      // recompute of a key instead of one per batch, most of ClickHouse's work when it falls
      // behind. Each is then only committed, in its turn.
      const behind: InFlight[] = [];
      for (const later of this.inFlight.slice(this.inFlight.indexOf(store) + 1)) {
        if (!later.written || later.recomputed) break;
        behind.push(later);
      }
      rollupMs = await recomputeEventBatches(
        this.options.ch,
        [store, ...behind].map((f) => f.held.events),
        version,
      );
      for (const later of behind) later.recomputed = true;
    }
    const storedAt = Date.now();
    const stored: StoredBatch = { count: held.events.count, producedAtMs: held.events.producedAtMs };
    await this.options.hooks?.afterStore?.(stored);
    await this.commit(held.offsets);
    this.options.log.debug('batch stored', { events: stored.count, dead: held.dead.length, insertMs, rollupMs, commitMs: Date.now() - storedAt });
    this.counts.stored += stored.count;
    this.counts.deadLettered += held.dead.length;
    this.counts.batches++;
    this.options.hooks?.onStored?.(stored, storedAt);
  }

  private async deadLetter(dead: readonly DeadLetter[]): Promise<void> {
    if (dead.length === 0) return;
    const { topic, deadLetterTopic } = this.options;
    await this.producer.send({
      topic: deadLetterTopic,
      acks: -1,
      messages: dead.map(({ message, partition, reason }) => {
        const headers: IHeaders = {
          ...message.headers,
          [DLQ_REASON_HEADER]: reason,
          [DLQ_SOURCE_HEADER]: `${topic}/${partition}/${message.offset}`,
        };
        return { key: message.key, value: message.value, headers };
      }),
    });
  }

  private async commit(offsets: ReadonlyMap<number, bigint>): Promise<void> {
    const topic = this.options.topic;
    try {
      // The committed offset is the next one to read.
      await this.consumer.commitOffsets([...offsets].map(([partition, last]) => ({ topic, partition, offset: (last + 1n).toString() })));
    } catch (error) {
      // After a rebalance the partition may belong to another member, which will redeliver
      // from the last commit: duplicates, which storage absorbs, never a loss.
      this.options.log.warn('offset commit failed; the batch will be redelivered and deduplicated', { error: describeError(error) });
    }
  }

  private pauseUntilStored(error: unknown): void {
    const { topic, log } = this.options;
    // A batch behind the failed one fails too: one pause, one recovery.
    if (this.paused) return;
    this.paused = true;
    this.consumer.pause([{ topic }]);
    log.warn('store failed; partitions paused until ClickHouse answers', { error: describeError(error), held: heldCount(this.held) });
    void (async () => {
      // Every batch in flight settles first (the later ones fail behind the first), so no
      // statement of the failed attempt still runs when the retry starts.
      await Promise.all(this.inFlight.map((f) => f.settled));
      const failed = this.inFlight.map((f) => f.held);
      this.inFlight = [];
      this.held = mergeHeld([...failed, this.held]);
      let delay = this.options.retryMinMs ?? 500;
      const maxDelay = this.options.retryMaxMs ?? 5000;
      while (this.paused && this.running) {
        await sleep(delay);
        if (!this.isRunning()) break;
        const retry = this.startStore();
        try {
          await retry.done;
          this.inFlight = [];
          this.paused = false;
          this.consumer.resume([{ topic }]);
          log.info('store succeeded; partitions resumed', { stored: this.counts.stored });
          this.storeMoreIfDue();
        } catch (retryError) {
          this.counts.failedStores++;
          this.inFlight = [];
          // Keep the batch, in front of anything received meanwhile, for the next retry.
          this.held = mergeHeld([retry.held, this.held]);
          log.debug('store retry failed', { error: describeError(retryError) });
          delay = Math.min(maxDelay, delay * 2);
        }
      }
    })();
  }
}
