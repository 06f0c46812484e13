/**
 * Child process of `salonwatch bench sink`: publishes the generated events to Kafka, stamping
 * producedAt at the moment each batch is handed to the producer, so the sink's latency is
 * measured from a real production time. A separate process, so sending does not share an event
 * loop with the sink being measured.
 *
 * The events are generated and serialised before the timed phase, into one buffer: in
 * production they come from edge nodes elsewhere, so generating them here would only take CPU
 * from the system under test. Each event is serialised with a placeholder producedAt whose
 * position is recorded; at send time the batch's timestamp (always 24 characters, see
 * `Timestamp` in events/schema.ts) is written over it in place.
 *
 * Each message's partition is computed here too, with kafkajs's default (murmur2, Java
 * compatible) partitioner over the topic's partition count: the partition a keyed send would
 * pick, so the topic holds the same as if the key were hashed in the timed phase.
 *
 * Protocol: argv topic count salons seed rate(0 = as fast as possible) batchSize producers partitions;
 * sends `{ ready, prepareMs }` once prepared, starts on `{ go: true }`, ends with
 * `{ sent, ms, cpuMs }` (CPU time of the sending phase).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { endpointsFromEnv } from '../common/env.js';
import { createLogger } from '../common/log.js';
import { generateEvents } from '../events/generate.js';
import { createKafka } from '../events/kafka.js';
import { Partitioners, type Message, type Producer } from 'kafkajs';

const [topic = '', countText = '0', salonsText = '1300', seedText = '1', rateText = '0', batchText = '1000', producersText = '1', partitionsText = '1'] =
  process.argv.slice(2);
const count = Number(countText);
const rate = Number(rateText);
const batchSize = Number(batchText);

const PLACEHOLDER = '1970-01-01T00:00:00.000Z';
const STAMP_KEY = '"producedAt":"';

const prepareStarted = Date.now();
// Occurred-at spread over the day before the run: a day of a 1,300-salon network's events.
const startMs = Date.now() - 86_400_000;
let arena = Buffer.allocUnsafe(Math.max(1024, count * 512));
/** Message i is arena[ends[i - 1] ?? 0, ends[i]); its producedAt value starts at stamps[i]. */
const ends = new Uint32Array(count);
const stamps = new Uint32Array(count);
const keyBuffers = new Map<string, Buffer>();
const keyOf: Buffer[] = [];
const partitionOf = new Uint16Array(count);
const partitioner = Partitioners.DefaultPartitioner();
const partitionMetadata = Array.from({ length: Math.max(1, Number(partitionsText)) }, (_, partitionId) => ({
  partitionId,
  leader: 0,
  replicas: [0],
  isr: [0],
  partitionErrorCode: 0,
}));
let at = 0;
let i = 0;
for (const event of generateEvents({ count, salons: Number(salonsText), seed: Number(seedText), startMs, stepMs: 86_400_000 / Math.max(1, count) })) {
  const text = JSON.stringify({ ...event, producedAt: PLACEHOLDER });
  if (at + 3 * text.length > arena.length) {
    const grown = Buffer.allocUnsafe(2 * arena.length + 3 * text.length);
    arena.copy(grown, 0, 0, at);
    arena = grown;
  }
  const start = at;
  at += arena.write(text, at, 'utf8');
  ends[i] = at;
  // The envelope's producedAt is the first: it precedes the payload (whose types have no such
  // key), and a string value cannot hold the unescaped quotes of the pattern.
  const stamp = arena.indexOf(STAMP_KEY + PLACEHOLDER, start, 'utf8');
  if (stamp < 0 || stamp >= at) throw new Error(`event ${i}: producedAt not found in its JSON`);
  stamps[i] = stamp + STAMP_KEY.length;
  let key = keyBuffers.get(event.salonId);
  if (key === undefined) keyBuffers.set(event.salonId, (key = Buffer.from(event.salonId, 'utf8')));
  keyOf.push(key);
  partitionOf[i] = partitioner({ topic, partitionMetadata, message: { key, value: null } });
  i++;
}

const kafka = createKafka({ brokers: endpointsFromEnv().kafkaBrokers, clientId: 'bench-producer', log: createLogger({ component: 'bench-producer' }, 'error') });
// Several producers stand for several edge nodes: each is idempotent with one request in flight,
// as the real publisher is (events/publisher.ts), and kafkajs serialises an idempotent
// producer's requests to a broker, so concurrency comes from more producers.
const producers = Array.from({ length: Math.max(1, Number(producersText)) }, () => kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
await Promise.all(producers.map((p) => p.connect()));
const go = new Promise<void>((resolve) => {
  process.on('message', (m) => {
    if (typeof m === 'object' && m !== null && 'go' in m) resolve();
  });
});
process.send?.({ ready: true, prepareMs: Date.now() - prepareStarted });
await go;

const started = Date.now();
const cpuBefore = process.cpuUsage();
let next = 0;
let sent = 0;
await Promise.all(producers.map((producer) => sendLoop(producer)));
await Promise.all(producers.map((p) => p.disconnect()));
// Disconnect once the result is written, so the open IPC channel does not keep this process up.
const cpu = process.cpuUsage(cpuBefore);
process.send?.({ sent, ms: Date.now() - started, cpuMs: Math.round((cpu.user + cpu.system) / 1000) }, () => {
  process.disconnect();
});

async function sendLoop(producer: Producer): Promise<void> {
  while (next < count) {
    const from = next;
    const to = Math.min(count, from + batchSize);
    next = to;
    if (rate > 0) {
      const due = started + (from / rate) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    // producedAt is set now, when the batch is handed to Kafka.
    const producedAt = new Date().toISOString();
    const messages: Message[] = [];
    for (let m = from; m < to; m++) {
      arena.write(producedAt, stamps[m] ?? 0, 'latin1');
      messages.push({ key: keyOf[m] ?? null, partition: partitionOf[m] ?? 0, value: arena.subarray(m === 0 ? 0 : (ends[m - 1] ?? 0), ends[m]) });
    }
    await producer.send({ topic, acks: -1, messages });
    sent += messages.length;
  }
}
