/**
 * Child process of `salonwatch bench sink`: publishes the generated events to Kafka, stamping
 * producedAt at the moment each batch is handed to the producer, so the sink's latency is
 * measured from a real production time. A separate process, so generating and sending do not
 * share an event loop with the sink being measured.
 *
 * argv: topic count salons seed rate(0 = as fast as possible) batchSize
 */
import { endpointsFromEnv } from '../common/env.js';
import { createLogger } from '../common/log.js';
import { generateEvents } from '../events/generate.js';
import { createKafka } from '../events/kafka.js';
import type { SalonEvent } from '../events/schema.js';
import { setTimeout as sleep } from 'node:timers/promises';

const [topic = '', countText = '0', salonsText = '1300', seedText = '1', rateText = '0', batchText = '2000'] = process.argv.slice(2);
const count = Number(countText);
const rate = Number(rateText);
const batchSize = Number(batchText);

const kafka = createKafka({ brokers: endpointsFromEnv().kafkaBrokers, clientId: 'bench-producer', log: createLogger({ component: 'bench-producer' }, 'error') });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

// Occurred-at spread over the day before the run: a day of a 1,300-salon network's events.
const startMs = Date.now() - 86_400_000;
const events = generateEvents({ count, salons: Number(salonsText), seed: Number(seedText), startMs, stepMs: 86_400_000 / Math.max(1, count) });
const started = Date.now();
let sent = 0;
let batch: SalonEvent[] = [];
for (const event of events) {
  batch.push(event);
  if (batch.length >= batchSize) await flush();
}
await flush();
await producer.disconnect();
process.send?.({ sent, ms: Date.now() - started });

async function flush(): Promise<void> {
  if (batch.length === 0) return;
  if (rate > 0) {
    const due = started + (sent / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  // producedAt is set now, when the batch is handed to Kafka.
  const producedAt = new Date().toISOString();
  const messages = batch.map((event) => ({ key: event.salonId, value: JSON.stringify({ ...event, producedAt }) }));
  await producer.send({ topic, acks: -1, messages });
  sent += messages.length;
  batch = [];
}
