/**
 * The Kafka client both ends of the backbone use, with kafkajs's own log routed into ours
 * (JSON lines on stderr) and its partitioner warning settled: the default (murmur2, Java
 * compatible) partitioner is the one we want, so a salon maps to the same partition whichever
 * client produced it.
 */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../common/log.js';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

export interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly log: Logger;
  /** Milliseconds to establish a connection; short, so an unreachable broker is noticed quickly. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

export function createKafka({ brokers, clientId, log, connectionTimeoutMs = 3000, requestTimeoutMs = 15_000 }: KafkaOptions): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: [...brokers],
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: requestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        if (level <= logLevel.ERROR) kafkaLog.error(message, fields);
        else kafkaLog.warn(message, fields);
      },
  });
}
