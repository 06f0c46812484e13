import { parseCommandArgs, numberOption, type Command } from '../cli/command.js';
import { connectClickHouse } from '../clickhouse/client.js';
import { endpointsFromEnv } from '../common/env.js';
import { createLogger } from '../common/log.js';
import { createKafka } from '../events/kafka.js';
import { SalonTimeZones } from './store.js';
import { Sink } from './sink.js';

export const command: Command = {
  name: 'sink',
  summary: 'consume events from Kafka into ClickHouse (dead letters, batches, pause while ClickHouse is down)',
  help: `usage: salonwatch sink [--group ID] [--batch-size N] [--max-wait-ms MS]

Runs until SIGINT/SIGTERM. Reads the events topic (SALONWATCH_EVENTS_TOPIC) as a member of the
consumer group, sends malformed messages to SALONWATCH_DEAD_LETTER_TOPIC with the reason in the
"salonwatch-dlq-reason" header, stores the rest in ClickHouse and commits offsets only after
ClickHouse acknowledged. Run "salonwatch migrate" first. Logs are JSON lines on stderr.

  --group ID          consumer group (default salonwatch-sink); more members share the partitions
  --batch-size N      store when N messages are held (default 20000)
  --max-wait-ms MS    ...or when the oldest held message is MS old (default 500)
`,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      group: { type: 'string' },
      'batch-size': { type: 'string' },
      'max-wait-ms': { type: 'string' },
    });
    if (args === undefined) return 0;
    const env = endpointsFromEnv();
    const log = createLogger({ component: 'sink' });
    const ch = connectClickHouse();
    const zones = new SalonTimeZones(ch, log);
    await zones.reload();
    const reload = setInterval(() => {
      zones.reload().catch((error: unknown) => {
        log.warn('salon time zones not reloaded', { error: String(error) });
      });
    }, 60_000);
    const sink = new Sink({
      kafka: createKafka({ brokers: env.kafkaBrokers, clientId: 'salonwatch-sink', log }),
      topic: env.eventsTopic,
      deadLetterTopic: env.deadLetterTopic,
      groupId: args.values.group ?? 'salonwatch-sink',
      ch,
      timeZoneOf: zones.of,
      log,
      batchSize: numberOption('batch-size', args.values['batch-size'], 20_000, { min: 1, max: 1_000_000, integer: true }),
      maxWaitMs: numberOption('max-wait-ms', args.values['max-wait-ms'], 500, { min: 1, max: 600_000, integer: true }),
    });
    await sink.start();
    log.info('sink running', { topic: env.eventsTopic, deadLetterTopic: env.deadLetterTopic });
    const report = setInterval(() => {
      log.info('sink stats', { ...sink.stats() });
    }, 30_000);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    clearInterval(reload);
    clearInterval(report);
    await sink.stop();
    await ch.close();
    log.info('sink stopped', { ...sink.stats() });
    return 0;
  },
};
