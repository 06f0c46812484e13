import { spawn, type ChildProcess } from 'node:child_process';
import { DEFAULT_PERSON_DETECTOR } from '../../detectors/person-detector.js';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from '@sinclair/typebox';
import { Kafka, logLevel } from 'kafkajs';
import { numberOption, parseCommandArgs, type Command } from '../../cli/command.js';
import { endpointsFromEnv } from '../../common/env.js';
import { describeError, SalonwatchError } from '../../common/errors.js';
import { REPO_ROOT, stateDir } from '../../common/paths.js';
import { issueToken } from '../../api/auth.js';
import { connectClickHouse, type ClickHouse } from '../../clickhouse/client.js';
import { sql } from '../../clickhouse/sql.js';
import { readReport, statusFile, type NodeReport } from '../../edge/status.js';
import { stackDown, stackUp, type PartName } from '../stack/stack.js';
import { tailFile } from '../stack/process.js';
import { requireFreePorts } from '../stack/ports.js';
import { DEMO_PARTNERS, demoFleetYaml } from './fleet.js';

const help = `usage: salonwatch demo [--minutes N] [--cameras N] [--port P] [--model NAME] [--standards FILE] [--keep-serving]

The whole pipeline on real footage on this machine: starts the local stack (Kafka,
ClickHouse, an RTSP server looping the PETS 2009 plaza footage as N cameras), applies the
ClickHouse migrations, generates a fleet (one salon per camera, two partners, zones drawn
for the scene), and runs the edge node, the sink and the API together. Shows live progress,
then a summary: events and incidents in ClickHouse, scores per salon, the web app URL with
ready-made reviewer and owner tokens, and SQL to try. Ctrl-C stops everything it started.

options:
  --minutes N      how long the pipeline runs (default 3)
  --cameras N      simulated cameras, one salon each (default 4)
  --port P         API and web app port (default 8080)
  --model NAME     person detector (default ${DEFAULT_PERSON_DETECTOR})
  --standards FILE overrides of the standards' defaults for the node (YAML or JSON)
  --keep-serving   after the summary, keep the API and the stack up until Ctrl-C`;

const NODE_ID = 'demo-node';
const out = (line = '') => process.stdout.write(line + '\n');
const cli = path.join(REPO_ROOT, 'bin', 'salonwatch.js');

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly log: string;
  readonly exited: Promise<number | null>;
}

function startChild(name: string, args: readonly string[], env: NodeJS.ProcessEnv, logDir: string): Child {
  const log = path.join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', fd, fd] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
    return { name, process: child, log, exited };
  } finally {
    closeSync(fd);
  }
}

async function stopChild(child: Child, timeoutMs = 60_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const done = await Promise.race([child.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!done) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
}

async function runToCompletion(name: string, args: readonly string[], env: NodeJS.ProcessEnv, logDir: string): Promise<void> {
  const child = startChild(name, args, env, logDir);
  const code = await child.exited;
  if (code !== 0) throw new SalonwatchError('INTERNAL', `${name} failed (exit ${code}); log ${child.log}:\n${tailFile(child.log)}`);
}

async function waitForHttp(url: string, timeoutMs: number, child: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (child.process.exitCode !== null || Date.now() > deadline) {
      throw new SalonwatchError('STACK_NOT_READY', `${child.name} did not become ready at ${url}; log ${child.log}:\n${tailFile(child.log)}`);
    }
    await sleep(250);
  }
}

/** The events and dead-letter topics; a consumer cannot subscribe to a topic that does not exist yet. */
async function ensureTopics(): Promise<void> {
  const endpoints = endpointsFromEnv();
  const admin = new Kafka({ clientId: 'salonwatch-demo', brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [
      { topic: endpoints.eventsTopic, numPartitions: 6 },
      { topic: endpoints.deadLetterTopic, numPartitions: 1 },
    ].filter((t) => !existing.has(t.topic));
    if (topics.length > 0) await admin.createTopics({ topics, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

const CountRow = Type.Object({ type: Type.String(), n: Type.String() });
const IncidentRow = Type.Object({ standard: Type.String(), n: Type.String() });

/** This run's events (produced since `since` by the demo node); a redelivered event is one event. */
async function eventCounts(ch: ClickHouse, since: Date): Promise<Map<string, number>> {
  const rows = await ch.query(
    sql`SELECT toString(type) AS type, toString(uniqExact(eventId)) AS n FROM events
        WHERE nodeId = ${NODE_ID} AND producedAt >= ${since} GROUP BY type ORDER BY type`,
    CountRow,
  );
  return new Map(rows.map((r) => [r.type, Number(r.n)]));
}

function readNodeReport(state: string): NodeReport | undefined {
  const file = statusFile(state, NODE_ID);
  return existsSync(file) ? readReport(file) : undefined;
}

function progressLine(report: NodeReport | undefined, counts: Map<string, number>, elapsedS: number): string {
  const stored = [...counts.values()].reduce((a, b) => a + b, 0);
  const cameras =
    report?.cameras
      .map((c) => `${c.cameraId} ${c.health.state} ${c.fps.toFixed(1)}fps ${c.tracks}p ${c.events}ev ${c.incidents}inc`)
      .join(' | ') ?? 'node starting';
  const detector = report?.detector.msPerFrame == null ? '' : ` det ${report.detector.msPerFrame.toFixed(0)}ms/frame`;
  return `[${String(Math.round(elapsedS)).padStart(4)} s]${detector} stored ${stored} events (${counts.get('incident') ?? 0} incident reports) :: ${cameras}`;
}

export const command: Command = {
  name: 'demo',
  summary: 'the whole pipeline on real footage on this machine, with live progress',
  help,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      minutes: { type: 'string' },
      cameras: { type: 'string' },
      port: { type: 'string' },
      model: { type: 'string' },
      standards: { type: 'string' },
      'keep-serving': { type: 'boolean', default: false },
    });
    if (args === undefined) return 0;
    const minutes = numberOption('minutes', args.values.minutes, 3, { min: 0.1, max: 24 * 60 });
    const cameras = numberOption('cameras', args.values.cameras, 4, { min: 1, max: 50, integer: true });
    const port = numberOption('port', args.values.port, 8080, { min: 1, max: 65535, integer: true });
    const model = args.values.model ?? DEFAULT_PERSON_DETECTOR;
    const started = Date.now();
    const state = stateDir();
    const demoDir = path.join(state, 'demo');
    const logDir = path.join(demoDir, 'logs');
    mkdirSync(logDir, { recursive: true });

    out(`salonwatch demo: ${cameras} camera(s), ${minutes} min, state in ${state}`);
    out('starting the local stack (Kafka, ClickHouse, RTSP camera simulator)...');
    const ups = await stackUp({ state, cameras });
    const startedParts: PartName[] = ups.filter((u) => u.outcome === 'started').map((u) => u.part);
    for (const u of ups) if (u.restarted !== undefined) out(`  ${u.part}: started again: ${u.restarted}`);
    for (const u of ups) out(`  ${u.part}: ${u.outcome === 'started' ? `started in ${(u.ms / 1000).toFixed(1)} s` : 'already running'}`);

    const secret = randomBytes(32).toString('hex');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SALONWATCH_API_SECRET: secret,
      SALONWATCH_EVIDENCE_DIR: path.join(demoDir, 'evidence'),
      SALONWATCH_NODE_ID: NODE_ID,
      SALONWATCH_SPOOL_DIR: path.join(demoDir, 'spool'),
    };
    const fleetFile = path.join(demoDir, 'fleet.yaml');
    writeFileSync(fleetFile, demoFleetYaml(cameras));
    out(`fleet: ${fleetFile}`);
    out('applying ClickHouse migrations...');
    await runToCompletion('migrate', ['migrate'], env, logDir);
    await ensureTopics();

    await requireFreePorts('api', [port]);
    const children: Child[] = [];
    const ch = connectClickHouse();
    const interrupt = new AbortController();
    const onSignal = () => {
      interrupt.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const sink = startChild('sink', ['sink'], env, logDir);
      const api = startChild('api', ['api', '--port', String(port), '--fleet', fleetFile], env, logDir);
      children.push(sink, api);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, api);
      // Whole seconds: ClickHouse 18.16 stores DateTime without milliseconds.
      const runStart = new Date(Math.floor(Date.now() / 1000) * 1000);
      // A report left by an earlier run would pass for this node's until it writes its own.
      rmSync(statusFile(state, NODE_ID), { force: true });
      const standards = args.values.standards === undefined ? [] : ['--standards', path.resolve(args.values.standards)];
      const node = startChild('node', ['node', '--fleet', fleetFile, '--model', model, '--node-id', NODE_ID, ...standards], env, logDir);
      children.push(node);

      const now = Math.floor(Date.now() / 1000);
      const reviewer = await issueToken({ role: 'reviewer', subject: 'demo-reviewer', ttlS: 24 * 3600 }, secret, now);
      const owner = await issueToken({ role: 'owner', partnerId: DEMO_PARTNERS[0].id, subject: 'demo-owner', ttlS: 24 * 3600 }, secret, now);
      const where = [
        `web app:  http://127.0.0.1:${port}/   (API docs at /docs)`,
        `  reviewer token: ${reviewer}`,
        `  owner token (${DEMO_PARTNERS[0].name}): ${owner}`,
        `logs:     ${logDir}/{node,sink,api}.log; node status: node bin/salonwatch.js node status --node-id ${NODE_ID}`,
      ];
      out('');
      for (const line of where) out(line);
      out('');
      out(`running for ${minutes} min (Ctrl-C to stop early)...`);

      const runUntil = Date.now() + minutes * 60_000;
      let lastProgress = 0;
      while (Date.now() < runUntil && !interrupt.signal.aborted) {
        const dead = children.find((c) => c.process.exitCode !== null);
        if (dead !== undefined) {
          throw new SalonwatchError('INTERNAL', `${dead.name} exited (code ${dead.process.exitCode}); log ${dead.log}:\n${tailFile(dead.log)}`);
        }
        if (Date.now() - lastProgress >= 10_000) {
          lastProgress = Date.now();
          const counts = await eventCounts(ch, runStart).catch(() => new Map<string, number>());
          out(progressLine(readNodeReport(state), counts, (Date.now() - started) / 1000));
        }
        await sleep(500);
      }

      out('stopping the node (every event it produced is flushed first)...');
      await stopChild(node);
      const report = readNodeReport(state);
      const published = report?.cameras.reduce((sum, c) => sum + c.events, 0) ?? 0;
      // The sink stores in batches; wait until everything the node published is queryable.
      const deadline = Date.now() + 60_000;
      let counts = await eventCounts(ch, runStart);
      while ([...counts.values()].reduce((a, b) => a + b, 0) < published && Date.now() < deadline) {
        await sleep(1000);
        counts = await eventCounts(ch, runStart);
      }
      await stopChild(sink);

      const stored = [...counts.values()].reduce((a, b) => a + b, 0);
      const incidents = await ch.query(
        sql`SELECT toString(standard) AS standard, toString(uniqExact(incidentId)) AS n FROM incidents
            WHERE nodeId = ${NODE_ID} AND occurredAt >= ${runStart} GROUP BY standard ORDER BY standard`,
        IncidentRow,
      );
      const frames = report?.cameras.reduce((sum, c) => sum + c.framesDetected, 0) ?? 0;
      const elapsed = (Date.now() - started) / 1000;
      out('');
      out(`== summary after ${elapsed.toFixed(0)} s`);
      out(`frames detected: ${frames} (${report?.detector.msPerFrame?.toFixed(0) ?? '-'} ms/frame with ${report?.detector.model ?? model})`);
      out(`events published by the node: ${published}; stored in ClickHouse: ${stored}`);
      out(`events by type: ${[...counts].map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}`);
      out(`incidents by standard: ${incidents.map((r) => `${r.standard} ${r.n}`).join(', ') || 'none'}`);
      for (const c of report?.cameras ?? []) {
        out(`  ${c.cameraId} (${c.salonId}): ${c.framesReceived} frames, ${c.framesDropped} dropped, ${c.events} events, ${c.incidents} incidents, health ${c.health.state}`);
      }
      out('');
      for (const line of where) out(line);
      out('SQL to try (node bin/salonwatch.js stack up, then clickhouse-client --port 19000 -d salonwatch):');
      out("  SELECT type, uniqExact(eventId) FROM events GROUP BY type;");
      out('  SELECT standard, summary, startedAt FROM incidents ORDER BY startedAt DESC LIMIT 10;');
      out('  SELECT * FROM rollup_daily ORDER BY localDate DESC LIMIT 10;');

      if (args.values['keep-serving'] && !interrupt.signal.aborted) {
        out('');
        out('serving the web app until Ctrl-C...');
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            if (interrupt.signal.aborted || api.process.exitCode !== null) {
              clearInterval(timer);
              resolve();
            }
          }, 500);
        });
      }
      return 0;
    } catch (error) {
      out(`demo failed: ${describeError(error)}`);
      throw error;
    } finally {
      for (const child of [...children].reverse()) await stopChild(child);
      await ch.close();
      if (startedParts.length > 0) {
        out(`stopping what the demo started: ${startedParts.join(', ')}`);
        await stackDown({ state }, startedParts);
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
