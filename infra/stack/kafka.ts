import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { LOCAL_PORTS } from '../../common/env.js';
import { SalonwatchError } from '../../common/errors.js';
import { startDetached } from './process.js';
import type { StackPart } from './part.js';

const run = promisify(execFile);

/**
 * Apache Kafka 4.1 as one KRaft node (broker and controller in one process), started from the
 * Maven Central jars that `infra/bootstrap.sh` copies into `<state>/kafka/libs`.
 */
export function kafkaPart(state: string): StackPart {
  const home = path.join(state, 'kafka');
  const libs = path.join(home, 'libs');
  const dataDir = path.join(home, 'data');
  const configFile = path.join(home, 'server.properties');
  const log4jFile = path.join(home, 'log4j2.properties');
  const classpath = `${libs}/*`;
  const broker = `127.0.0.1:${LOCAL_PORTS.kafka}`;

  const jvmArgs = [
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    '-cp',
    classpath,
  ];

  return {
    name: 'kafka',
    ports: [LOCAL_PORTS.kafka, LOCAL_PORTS.kafkaController],
    process: { name: 'kafka', pidFile: path.join(home, 'kafka.pid'), logFile: path.join(home, 'kafka.log'), marker: configFile },
    readyTimeoutMs: 90_000,

    async prepare() {
      if (!existsSync(libs) || !readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) {
        throw new SalonwatchError(
          'STACK_MISSING_DEPENDENCY',
          `kafka: no broker jars in ${libs}; run "bash infra/bootstrap.sh" (it copies them from Maven Central)`,
        );
      }
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(
        configFile,
        [
          '# Written by `salonwatch stack up`; edits are overwritten.',
          'process.roles=broker,controller',
          'node.id=1',
          `controller.quorum.voters=1@127.0.0.1:${LOCAL_PORTS.kafkaController}`,
          `listeners=PLAINTEXT://127.0.0.1:${LOCAL_PORTS.kafka},CONTROLLER://127.0.0.1:${LOCAL_PORTS.kafkaController}`,
          `advertised.listeners=PLAINTEXT://${broker}`,
          'controller.listener.names=CONTROLLER',
          'inter.broker.listener.name=PLAINTEXT',
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          `log.dirs=${dataDir}`,
          'num.partitions=6',
          // One node: the internal topics' default replication factor of 3 can never be met,
          // and consumer groups and idempotent producers then wait forever.
          'offsets.topic.replication.factor=1',
          'transaction.state.log.replication.factor=1',
          'transaction.state.log.min.isr=1',
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          // Tests create a group per test; the default 3 s delay before the first rebalance
          // would be paid by every one of them.
          'group.initial.rebalance.delay.ms=0',
          'auto.create.topics.enable=true',
          'log.retention.hours=168',
          '',
        ].join('\n'),
      );
      writeFileSync(
        log4jFile,
        [
          'status = warn',
          'appender.console.type = Console',
          'appender.console.name = STDOUT',
          'appender.console.layout.type = PatternLayout',
          'appender.console.layout.pattern = [%d] %p %m (%c)%n',
          'rootLogger.level = info',
          'rootLogger.appenderRef.stdout.ref = STDOUT',
          'logger.statechange.name = state.change.logger',
          'logger.statechange.level = warn',
          '',
        ].join('\n'),
      );
      if (!existsSync(path.join(dataDir, 'meta.properties'))) {
        // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
        const clusterId = randomBytes(16).toString('base64url');
        await run('java', [...jvmArgs, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile]);
      }
    },

    start() {
      return startDetached(this.process, 'java', [...jvmArgs, 'kafka.Kafka', configFile]);
    },

    async ready() {
      const admin = new Kafka({ clientId: 'stack-ready', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } catch {
        return false;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },

    version() {
      const jar = readdirSync(libs).find((f) => /^kafka_2\.13-[\d.]+\.jar$/.test(f));
      return jar?.replace(/^kafka_2\.13-/, '').replace(/\.jar$/, '') ?? 'unknown';
    },
  };
}
