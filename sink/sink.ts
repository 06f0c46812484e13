/**
 * The sink: a kafkajs consumer group member that validates every message, sends malformed ones
 * to the dead-letter topic with the reason in a header, stores the rest in ClickHouse in
 * batches (by size or age), and commits offsets only after ClickHouse acknowledged the batch.
 *
 * Delivery is at-least-once by design: a crash between insert and commit redelivers the batch,
 * and the storage layer makes that harmless (raw rows deduplicated by event id, rollups
 * recomputed from distinct events; see clickhouse/migrations/002_rollups.sql).
 *
 * While ClickHouse is unreachable the sink pauses its partitions (the process keeps its group
 * membership and heartbeats), keeps the batch it holds, retries with backoff, and resumes once
 * a retry succeeds. Nothing is committed that was not stored, so nothing is lost.
 */
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouse } from '../clickhouse/client.js';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { decodeEvent, type SalonEvent } from '../events/schema.js';
import { storeBatch, type StoreTimings, type TimeZoneOf } from './store.js';

export const DLQ_REASON_HEADER = 'salonwatch-dlq-reason';
export const DLQ_SOURCE_HEADER = 'salonwatch-dlq-source';

export interface SinkHooks {
  /** After ClickHouse acknowledged a batch, before its offsets are committed (tests crash here). */
  readonly afterStore?: (events: readonly SalonEvent[]) => Promise<void> | void;
  /** After the offsets of a stored batch were committed; `storedAtMs` is when ClickHouse acked. */
  readonly onStored?: (events: readonly SalonEvent[], storedAtMs: number) => void;
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
  events: SalonEvent[];
  dead: DeadLetter[];
  /** Partition -> offset of the last message held. */
  offsets: Map<number, bigint>;
  since: number;
}

const emptyHeld = (): Held => ({ events: [], dead: [], offsets: new Map(), since: 0 });
const heldCount = (h: Held) => h.events.length + h.dead.length;

export class Sink {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly batchSize: number;
  private readonly maxWaitMs: number;
  private held = emptyHeld();
  private flushing: Promise<void> | undefined;
  private paused = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private lastVersion = 0;
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
  }

  stats(): SinkStats {
    return { ...this.counts, paused: this.paused, storing: this.flushing !== undefined || this.paused, held: heldCount(this.held) };
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
        for (const message of batch.messages) {
          if (!payload.isRunning() || payload.isStale()) break;
          this.accept(batch.partition, message);
          payload.resolveOffset(message.offset);
        }
        await payload.heartbeat();
        if (this.paused) return;
        // Store in the background while the next messages are fetched and decoded; wait only
        // when a second batch is already held (backpressure on the fetch loop).
        if (heldCount(this.held) >= this.batchSize) {
          const flushing = this.flushing;
          if (flushing === undefined) void this.flushOrPause();
          else if (heldCount(this.held) >= 2 * this.batchSize) await flushing;
        }
      },
    });
    this.timer = setInterval(() => {
      if (this.paused || this.flushing !== undefined || heldCount(this.held) === 0) return;
      if (Date.now() - this.held.since >= this.maxWaitMs) void this.flushOrPause();
    }, Math.max(20, Math.min(100, this.maxWaitMs / 2)));
  }

  /** Stores what is held if ClickHouse is reachable, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.consumer.stop();
    // A store may be in flight with more held behind it: store until nothing is held.
    for (let i = 0; i < 3 && !this.paused && (this.flushing !== undefined || heldCount(this.held) > 0); i++) await this.flushOrPause();
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private accept(partition: number, message: KafkaMessage): void {
    this.counts.received++;
    if (heldCount(this.held) === 0) this.held.since = Date.now();
    const decoded = message.value === null ? { ok: false as const, reason: '(event): empty message' } : decodeEvent(message.value);
    if (decoded.ok) this.held.events.push(decoded.event);
    else this.held.dead.push({ message, partition, reason: decoded.reason });
    this.held.offsets.set(partition, BigInt(message.offset));
  }

  /** Rollup versions must grow even if two batches are stored within one millisecond. */
  private nextVersion(): number {
    this.lastVersion = Math.max(Date.now(), this.lastVersion + 1);
    return this.lastVersion;
  }

  private flushOrPause(): Promise<void> {
    this.flushing ??= this.flushHeld()
      .catch((error: unknown) => {
        this.counts.failedStores++;
        this.pauseUntilStored(error);
      })
      .finally(() => {
        this.flushing = undefined;
        if (!this.paused && this.running && heldCount(this.held) >= this.batchSize) void this.flushOrPause();
      });
    return this.flushing;
  }

  private async flushHeld(): Promise<void> {
    const batch = this.held;
    if (heldCount(batch) === 0) return;
    this.held = emptyHeld();
    let timings: StoreTimings;
    try {
      await this.deadLetter(batch.dead);
      timings = await storeBatch(this.options.ch, batch.events, this.options.timeZoneOf, this.nextVersion());
    } catch (error) {
      // Keep the batch, in front of anything received meanwhile, for the retry.
      const later = this.held;
      this.held = {
        events: [...batch.events, ...later.events],
        dead: [...batch.dead, ...later.dead],
        offsets: new Map([...batch.offsets, ...later.offsets]),
        since: batch.since,
      };
      throw error;
    }
    const storedAt = Date.now();
    await this.options.hooks?.afterStore?.(batch.events);
    await this.commit(batch.offsets);
    this.options.log.debug('batch stored', { events: batch.events.length, dead: batch.dead.length, ...timings, commitMs: Date.now() - storedAt });
    this.counts.stored += batch.events.length;
    this.counts.deadLettered += batch.dead.length;
    this.counts.batches++;
    this.options.hooks?.onStored?.(batch.events, storedAt);
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
    if (this.paused) return;
    this.paused = true;
    this.consumer.pause([{ topic }]);
    log.warn('store failed; partitions paused until ClickHouse answers', { error: describeError(error), held: heldCount(this.held) });
    void (async () => {
      let delay = this.options.retryMinMs ?? 500;
      const maxDelay = this.options.retryMaxMs ?? 5000;
      while (this.paused && this.running) {
        await sleep(delay);
        try {
          await this.flushHeld();
          this.paused = false;
          this.consumer.resume([{ topic }]);
          log.info('store succeeded; partitions resumed', { stored: this.counts.stored });
        } catch (retryError) {
          this.counts.failedStores++;
          log.debug('store retry failed', { error: describeError(retryError) });
          delay = Math.min(maxDelay, delay * 2);
        }
      }
    })();
  }
}
