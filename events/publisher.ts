/**
 * The edge node's publisher: events to Kafka, keyed by salon id (one salon's events stay in
 * one partition, in order), with an idempotent producer and `acks: -1` (the write is on every
 * in-sync replica before it counts).
 *
 * `publish` resolves once each event is durable: acknowledged by Kafka, or fsync'd in the
 * spool. While the broker is unreachable the publisher is in spooling mode: new events are
 * appended to the spool behind the ones already there, and a replay loop sends the spool's
 * head in order, with backoff, until it is empty; then publishing goes direct again. Every
 * mode switch happens under one lock, so an event can never overtake an older one.
 *
 * A send that timed out may still have been written: replaying it makes a duplicate in Kafka,
 * with the same event id, which the sink's storage counts once. That is also why the producer's
 * retries are bounded here (kafkajs warns it weakens its own exactly-once): the spool, not an
 * endless in-memory retry, is what carries events across an outage.
 */
import type { Kafka, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, Registry } from 'prom-client';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { encodeEvent, isLowValue, type SalonEvent } from './schema.js';
import type { Spool, SpoolClass, SpoolInput } from './spool.js';

export interface PublisherOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly spool: Spool;
  readonly log: Logger;
  /** Where the spool and publish metrics are registered (the node's /metrics). */
  readonly registry?: Registry;
  /** Messages per Kafka request. */
  readonly batchSize?: number;
  /** Backoff between replay attempts while the broker is down. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly now?: () => number;
}

interface Waiting {
  readonly input: SpoolInput;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export type PublisherMode = 'direct' | 'spooling';

const spoolClass = (event: SalonEvent): SpoolClass => (event.type === 'incident' ? 'incident' : isLowValue(event) ? 'low' : 'normal');

export class Publisher {
  private producer: Producer | undefined;
  private mode: PublisherMode = 'direct';
  private waiting: Waiting[] = [];
  private sending: Promise<void> | undefined;
  private replaying: Promise<void> | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly batchSize: number;
  private readonly now: () => number;
  private readonly published: Counter;
  private readonly spooled: Counter;

  constructor(private readonly options: PublisherOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.now = options.now ?? Date.now;
    const registry = options.registry ?? new Registry();
    const spool = options.spool;
    const now = this.now;
    this.published = new Counter({ name: 'salonwatch_events_published_total', help: 'events acknowledged by Kafka', registers: [registry] });
    this.spooled = new Counter({ name: 'salonwatch_events_spooled_total', help: 'events written to the on-disk spool', registers: [registry] });
    new Gauge({
      name: 'salonwatch_spool_bytes',
      help: 'bytes held in the on-disk spool',
      registers: [registry],
      collect() {
        this.set(spool.stats().bytes);
      },
    });
    new Gauge({
      name: 'salonwatch_spool_records',
      help: 'events held in the on-disk spool',
      registers: [registry],
      collect() {
        this.set(spool.stats().records);
      },
    });
    new Gauge({
      name: 'salonwatch_spool_oldest_age_seconds',
      help: 'age of the oldest event in the spool (0 when empty)',
      registers: [registry],
      collect() {
        const oldest = spool.stats().oldestEnqueuedAtMs;
        this.set(oldest === null ? 0 : (now() - oldest) / 1000);
      },
    });
    new Gauge({
      name: 'salonwatch_spool_dropped_events',
      help: 'events dropped because the spool was full, by type (counted since the spool was created)',
      labelNames: ['type'],
      registers: [registry],
      collect() {
        for (const [type, n] of Object.entries(spool.stats().dropped)) this.set({ type }, n);
      },
    });
  }

  /** Connects; an unreachable broker is not an error here: publishing starts in spooling mode. */
  async start(): Promise<void> {
    if (!this.options.spool.isEmpty()) this.enterSpooling('spool not empty at start');
    try {
      await this.connect();
    } catch (error) {
      this.enterSpooling(describeError(error));
    }
  }

  currentMode(): PublisherMode {
    return this.mode;
  }

  /** Resolves when every event is durable (in Kafka or in the spool). Order is kept per call and across calls. */
  publish(events: readonly SalonEvent[]): Promise<void> {
    const inputs = events.map((e): SpoolInput => ({ cls: spoolClass(e), key: e.salonId, value: encodeEvent(e), type: e.type }));
    return this.exclusive(async () => {
      if (this.mode === 'spooling') {
        await this.options.spool.append(inputs);
        this.spooled.inc(inputs.length);
        return undefined;
      }
      const done = inputs.map((input) => new Promise<void>((resolve, reject) => this.waiting.push({ input, resolve, reject })));
      this.pump();
      return done;
    }).then(async (done) => {
      if (done !== undefined) await Promise.all(done);
    });
  }

  /** Waits until everything published so far is in Kafka or the spool, then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.sending !== undefined || this.waiting.length > 0) await (this.sending ?? sleep(10));
    this.closed = true;
    await this.replaying;
    await this.producer?.disconnect().catch(() => undefined);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn, fn);
    this.lock = result.catch(() => undefined);
    return result;
  }

  private async connect(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer;
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** After a failure the producer is replaced: a fresh producer id cannot hit sequence errors left by a crashed broker. */
  private async resetProducer(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    await old?.disconnect().catch(() => undefined);
  }

  private async send(inputs: readonly { key: string; value: Buffer }[]): Promise<void> {
    const producer = await this.connect();
    await producer.send({ topic: this.options.topic, acks: -1, messages: inputs.map(({ key, value }) => ({ key, value })) });
    this.published.inc(inputs.length);
  }

  /** Sends waiting events in batches, one request at a time (per-salon order). */
  private pump(): void {
    if (this.sending !== undefined || this.waiting.length === 0 || this.mode !== 'direct') return;
    const batch = this.waiting.splice(0, this.batchSize);
    this.sending = this.send(batch.map((w) => w.input)).then(
      () => {
        for (const w of batch) w.resolve();
      },
      (error: unknown) =>
        // The failed batch goes to the spool first, then whatever queued behind it.
        this.exclusive(async () => {
          const behind = this.waiting;
          this.waiting = [];
          this.enterSpooling(describeError(error));
          const all = [...batch, ...behind];
          try {
            await this.options.spool.append(all.map((w) => w.input));
            this.spooled.inc(all.length);
            for (const w of all) w.resolve();
          } catch (spoolError) {
            for (const w of all) w.reject(spoolError);
          }
          await this.resetProducer();
        }),
    );
    void this.sending.finally(() => {
      this.sending = undefined;
      this.pump();
    });
  }

  private enterSpooling(reason: string): void {
    if (this.mode === 'spooling') return;
    this.mode = 'spooling';
    this.options.log.warn('broker unreachable; events go to the spool', { reason });
    this.replaying ??= this.replay().finally(() => {
      this.replaying = undefined;
    });
  }

  private async replay(): Promise<void> {
    const spool = this.options.spool;
    let delay = this.options.retryMinMs ?? 500;
    const maxDelay = this.options.retryMaxMs ?? 10_000;
    while (!this.closed) {
      const records = await spool.peek(this.batchSize);
      const last = records.at(-1);
      if (last === undefined) {
        const empty = await this.exclusive(() => {
          if (!spool.isEmpty()) return Promise.resolve(false);
          this.mode = 'direct';
          return Promise.resolve(true);
        });
        if (empty) {
          this.options.log.info('spool drained; publishing directly');
          this.pump();
          return;
        }
        continue;
      }
      try {
        await this.send(records);
        await spool.ack(last.seq);
        delay = this.options.retryMinMs ?? 500;
      } catch (error) {
        this.options.log.debug('replay attempt failed', { error: describeError(error), spooled: spool.stats().records });
        await this.resetProducer();
        await sleep(delay);
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }
}
