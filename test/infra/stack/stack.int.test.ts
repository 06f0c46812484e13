import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { endpointsFromEnv } from '../../../common/env.js';
import { REPO_ROOT } from '../../../common/paths.js';
import { stackStatus } from '../../../infra/stack/stack.js';
import { isAlive } from '../../../infra/stack/process.js';

// These tests need the local stack (`salonwatch stack up`, which infra/test.sh runs first).
const run = promisify(execFile);
const cli = path.join(REPO_ROOT, 'bin', 'salonwatch.js');
const endpoints = endpointsFromEnv();

test('every part of the stack is running and reports its version', async () => {
  const status = await stackStatus();
  for (const part of status) {
    // The CI log shows the engines' versions.
    console.log(`stack: ${part.part} ${part.state} version ${part.version ?? '?'} pid ${part.pid ?? '-'} rss ${part.rssMiB?.toFixed(0) ?? '-'} MiB`);
    assert.equal(part.state, 'running', `${part.part} is ${part.state}; log ${part.log}`);
  }
  const kafka = status.find((p) => p.part === 'kafka');
  assert.match(kafka?.version ?? '', /^4\.1\.\d+$/);
  const clickhouse = status.find((p) => p.part === 'clickhouse');
  assert.match(clickhouse?.version ?? '', /^\d+\.\d+/);
});

test('kafka: produce, consume in a group and commit, through kafkajs', async (t) => {
  const topic = `test.stack.${randomUUID()}`;
  const groupId = `test-group-${randomUUID()}`;
  const kafka = new Kafka({ clientId: 'stack-test', brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  t.after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(() => producer.disconnect());
  const sent = Array.from({ length: 20 }, (_, i) => ({ key: `salon-${i % 3}`, value: `event-${i}` }));
  await producer.send({ topic, acks: -1, messages: sent });

  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`received ${received.length} of ${sent.length} in 30 s`)); }, 30_000);
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: from, partition, message }) => {
        received.push(message.value?.toString() ?? '');
        await consumer.commitOffsets([{ topic: from, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        if (received.length === sent.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  assert.deepEqual([...received].sort(), sent.map((m) => m.value).sort());
  await consumer.stop();

  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(committed, sent.length, 'the group committed every message');
});

test('clickhouse: insert and query through @clickhouse/client as the pipeline user', async (t) => {
  const table = `test_stack_${randomUUID().replaceAll('-', '')}`;
  const client = createClient({
    url: endpoints.clickhouseUrl,
    username: endpoints.clickhouseUser,
    password: endpoints.clickhousePassword,
    database: endpoints.clickhouseDatabase,
  });
  t.after(async () => {
    await client.command({ query: `DROP TABLE IF EXISTS ${table}` });
    await client.close();
  });
  await client.command({ query: `CREATE TABLE ${table} (salon_id String, n UInt32) ENGINE = MergeTree ORDER BY salon_id` });
  await client.insert({ table, format: 'JSONEachRow', values: [{ salon_id: "o'neil", n: 2 }, { salon_id: 'b', n: 3 }] });
  const rows = await (await client.query({ query: `SELECT salon_id, n FROM ${table} ORDER BY salon_id`, format: 'JSONEachRow' })).json();
  assert.deepEqual(rows, [{ salon_id: 'b', n: 3 }, { salon_id: "o'neil", n: 2 }]);
});

test('clickhouse: the dashboards user can read but not write', async (t) => {
  const client = createClient({
    url: endpoints.clickhouseUrl,
    username: endpoints.clickhouseReadonlyUser,
    password: endpoints.clickhouseReadonlyPassword,
    // The refused write below is the expected outcome; the client would log it as an error.
    log: { level: ClickHouseLogLevel.OFF },
  });
  t.after(() => client.close());
  const rows = await (await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json();
  assert.deepEqual(rows, [{ one: 1 }]);
  await assert.rejects(client.command({ query: `CREATE TABLE ${endpoints.clickhouseDatabase}.forbidden (a UInt8) ENGINE = Memory` }), /readonly/i);
});

test('stack up on a running stack does nothing and says so', async () => {
  const { stdout } = await run(process.execPath, [cli, 'stack', 'up']);
  assert.match(stdout, /stack: already up, nothing started/);
  assert.doesNotMatch(stdout, /started, pid/);
});

test('stack up with a port taken fails naming the port and the part', async (t) => {
  // A second state directory: its ClickHouse would need the ports the running one holds.
  const state = mkdtempSync(path.join(tmpdir(), 'salonwatch-stack-'));
  t.after(() => { rmSync(state, { recursive: true, force: true }); });
  const result = await run(process.execPath, [cli, 'stack', 'up', '--only', 'clickhouse'], {
    env: { ...process.env, SALONWATCH_STATE_DIR: state },
  }).then(() => ({ code: 0, stderr: '' }), (error: unknown) => error as { code: number; stderr: string });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /clickhouse: port 18123 on 127\.0\.0\.1 is already in use/);
});

test('stack down stops only processes it started, never a pid that is not its own', async (t) => {
  const state = mkdtempSync(path.join(tmpdir(), 'salonwatch-stack-'));
  const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => {
    stranger.kill('SIGKILL');
    rmSync(state, { recursive: true, force: true });
  });
  const pid = stranger.pid ?? assert.fail('sleep did not start');
  // A stale pid file that now names a process this stack did not start.
  mkdirSync(path.join(state, 'kafka'), { recursive: true });
  writeFileSync(path.join(state, 'kafka', 'kafka.pid'), `${pid}\n`);
  const { stdout } = await run(process.execPath, [cli, 'stack', 'down', '--only', 'kafka'], {
    env: { ...process.env, SALONWATCH_STATE_DIR: state },
  });
  assert.match(stdout, /kafka: was not running/);
  assert.ok(isAlive(pid), 'the unrelated process is still alive');
});
