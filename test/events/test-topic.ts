/** Integration tests get their own Kafka topics, deleted afterwards. */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Kafka } from 'kafkajs';
import { endpointsFromEnv } from '../../common/env.js';
import { createLogger } from '../../common/log.js';
import { createKafka } from '../../events/kafka.js';

export function testKafka(clientId = 'salonwatch-test'): Kafka {
  return createKafka({ brokers: endpointsFromEnv().kafkaBrokers, clientId, log: createLogger({ test: clientId }, 'error') });
}

export async function testTopics(t: TestContext, kafka: Kafka, names: readonly string[], partitions = 3): Promise<string[]> {
  const suffix = randomBytes(4).toString('hex');
  const topics = names.map((n) => `test.${n}.${suffix}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  t.after(async () => {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });
  return topics;
}
