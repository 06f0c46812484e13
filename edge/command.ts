import path from 'node:path';
import { DEFAULT_PERSON_DETECTOR } from '../detectors/person-detector.js';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { numberOption, parseCommandArgs, type Command } from '../cli/command.js';
import { endpointsFromEnv } from '../common/env.js';
import { SalonwatchError } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { stateDir } from '../common/paths.js';
import { loadFleet } from '../config/fleet.js';
import { readConfigFile } from '../config/load.js';
import { parseStandardsOverride, resolveStandards } from '../config/standards.js';
import { createPersonDetector, PERSON_DETECTOR_NAMES } from '../detectors/person/factory.js';
import { createKafka } from '../events/kafka.js';
import { Publisher } from '../events/publisher.js';
import { Spool } from '../events/spool.js';
import { createEvidenceTaker } from './evidence.js';
import { EdgeNode } from './node.js';
import { formatReport, readReport, statusFile } from './status.js';

const help = `usage: salonwatch node --fleet FILE [options]
       salonwatch node status [--node-id ID] [--json]

The edge process: samples the fleet file's cameras with ffmpeg, detects people (one ONNX
session for all cameras), tracks them, applies the standards' rules, stores face-blurred
evidence for incidents and publishes events to Kafka, spooling them to disk while the broker
is unreachable. Slows the busiest cameras when detection cannot keep up (reported in logs and
status). SIGINT/SIGTERM stop it gracefully: every event produced is durable before it exits.

options:
  --fleet FILE        fleet configuration (YAML or JSON; see config/fleet.example.yaml)
  --node-id ID        this node's id in events (default SALONWATCH_NODE_ID, else "edge-1")
  --model NAME        person detector: ${PERSON_DETECTOR_NAMES.join(', ')} (default ${DEFAULT_PERSON_DETECTOR})
  --threads N         onnxruntime threads for detection (default 1)
  --cameras IDS       only these camera ids, comma-separated (default: all in the file)
  --standards FILE    overrides of the standards' defaults (YAML or JSON, e.g. {greeting: {withinS: 20}})
  --minutes N         stop after N minutes (default: run until stopped)
  --json              "status" prints the report as JSON

environment:
  SALONWATCH_KAFKA_BROKERS, SALONWATCH_EVENTS_TOPIC   where events go (common/env.ts)
  SALONWATCH_SPOOL_DIR      on-disk spool (default .state/spool/<node id>)
  SALONWATCH_SPOOL_MAX_MB   spool bound (default 512)
  SALONWATCH_EVIDENCE_DIR   evidence snapshots (default .state/evidence)`;

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

async function status(nodeId: string, json: boolean): Promise<number> {
  const file = statusFile(stateDir(), nodeId);
  if (!existsSync(file)) {
    throw new SalonwatchError('NOT_FOUND', `no status for node "${nodeId}" (${file}); is "salonwatch node" running with this --node-id?`);
  }
  const report = readReport(file);
  process.stdout.write((json ? JSON.stringify(report, null, 2) : formatReport(report, Date.now())) + '\n');
  await Promise.resolve();
  return 0;
}

export const command: Command = {
  name: 'node',
  summary: 'the edge process: cameras in, events out (node status: per-camera state)',
  help,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      fleet: { type: 'string' },
      'node-id': { type: 'string' },
      model: { type: 'string' },
      threads: { type: 'string' },
      cameras: { type: 'string' },
      minutes: { type: 'string' },
      standards: { type: 'string' },
      json: { type: 'boolean', default: false },
    }, true);
    if (args === undefined) return 0;
    const nodeId = args.values['node-id'] ?? env('SALONWATCH_NODE_ID') ?? 'edge-1';
    const [action] = args.positionals;
    if (action === 'status') return status(nodeId, args.values.json);
    if (action !== undefined) throw new SalonwatchError('USAGE', `unknown action "${action}"\n\n${help}`);
    if (args.values.fleet === undefined) throw new SalonwatchError('USAGE', `--fleet FILE is required\n\n${help}`);

    const log = createLogger({ component: 'node', nodeId });
    const fleet = await loadFleet(args.values.fleet);
    const standardsFile = args.values.standards;
    const standards = resolveStandards(
      standardsFile === undefined ? [] : [parseStandardsOverride(await readConfigFile(standardsFile), standardsFile)],
    );
    const threads = numberOption('threads', args.values.threads, 1, { min: 1, max: 64, integer: true });
    const minutes = args.values.minutes === undefined ? undefined : numberOption('minutes', args.values.minutes, 0, { min: 0.05 });
    const cameraIds = args.values.cameras?.split(',').map((id) => id.trim());
    for (const id of cameraIds ?? []) {
      if (!fleet.cameras.some((c) => c.id === id)) throw new SalonwatchError('USAGE', `--cameras: no camera "${id}" in ${args.values.fleet}`);
    }

    const endpoints = endpointsFromEnv();
    const spoolDir = env('SALONWATCH_SPOOL_DIR') ?? path.join(stateDir(), 'spool', nodeId);
    const spoolMaxMb = numberOption('SALONWATCH_SPOOL_MAX_MB', env('SALONWATCH_SPOOL_MAX_MB'), 512, { min: 1 });
    const spool = Spool.open(spoolDir, { maxBytes: spoolMaxMb * 1024 * 1024 });
    const registry = new Registry();
    const publisher = new Publisher({
      kafka: createKafka({ brokers: endpoints.kafkaBrokers, clientId: `salonwatch-node-${nodeId}`, log }),
      topic: endpoints.eventsTopic,
      spool,
      log,
      registry,
    });
    await publisher.start();
    const detector = await createPersonDetector(args.values.model ?? DEFAULT_PERSON_DETECTOR, { threads });
    const evidence = await createEvidenceTaker({ threads });

    const node = new EdgeNode({
      nodeId,
      fleet,
      // One layer for the whole node for now; per-region and per-salon layers merge the same way.
      standardsFor: () => standards,
      detector,
      publisher,
      publisherMetrics: () => {
        const stats = spool.stats();
        return {
          spoolRecords: stats.records,
          spoolBytes: stats.bytes,
          spoolOldestAgeS: stats.oldestEnqueuedAtMs === null ? 0 : (Date.now() - stats.oldestEnqueuedAtMs) / 1000,
          spoolDropped: Object.values(stats.dropped).reduce((a, b) => a + b, 0),
          spooling: publisher.currentMode() === 'spooling' ? 1 : 0,
        };
      },
      evidence,
      statusFile: statusFile(stateDir(), nodeId),
      logger: log,
      ...(cameraIds === undefined ? {} : { cameraIds }),
    });
    node.start();

    const stopped = new Promise<string>((resolve) => {
      process.once('SIGINT', () => { resolve('SIGINT'); });
      process.once('SIGTERM', () => { resolve('SIGTERM'); });
    });
    const reason = await (minutes === undefined ? stopped : Promise.race([stopped, sleep(minutes * 60_000).then(() => `${minutes} min elapsed`)]));
    log.info('stopping', { reason });
    await node.stop();
    await evidence.close();
    return 0;
  },
};
