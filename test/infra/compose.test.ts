import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ENDPOINT_VARIABLES } from '../../common/env.js';
import { REPO_ROOT } from '../../common/paths.js';

// The production files cannot run here (no Docker engine); these checks keep them parseable
// and consistent with the local stack.
const infra = path.join(REPO_ROOT, 'infra');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
}

const compose = parse(readFileSync(path.join(infra, 'compose.yaml'), 'utf8'), { merge: true }) as Compose;
const salonwatchServices = Object.entries(compose.services).filter(([, s]) => s.image === 'salonwatch:latest');

test('compose: the central services and an edge node are defined', () => {
  for (const name of ['kafka', 'clickhouse', 'grafana', 'migrate', 'sink', 'api', 'node']) {
    assert.ok(compose.services[name], `service ${name}`);
  }
  assert.match(compose.services['kafka']?.image ?? '', /^apache\/kafka:4\.1\./, 'the same Kafka line as the local stack');
});

test('compose: every salonwatch service gets every endpoint variable, with the local topic names', () => {
  assert.ok(salonwatchServices.length >= 4);
  for (const [name, service] of salonwatchServices) {
    const env = service.environment ?? {};
    for (const variable of Object.keys(ENDPOINT_VARIABLES)) assert.ok(variable in env, `${name} lacks ${variable}`);
    assert.equal(env['SALONWATCH_EVENTS_TOPIC'], ENDPOINT_VARIABLES.SALONWATCH_EVENTS_TOPIC, `${name}: events topic`);
    assert.equal(env['SALONWATCH_DEAD_LETTER_TOPIC'], ENDPOINT_VARIABLES.SALONWATCH_DEAD_LETTER_TOPIC, `${name}: dead-letter topic`);
  }
});

test('compose: single-node Kafka sets replication factor 1 for its internal topics, as the local stack does', () => {
  const env = compose.services['kafka']?.environment ?? {};
  assert.equal(env['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR'], 1);
  assert.equal(env['KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR'], 1);
  const local = readFileSync(path.join(infra, 'stack', 'kafka.ts'), 'utf8');
  assert.match(local, /offsets\.topic\.replication\.factor=1/);
});

test('compose: Grafana is provisioned from dashboards/', () => {
  const volumes = compose.services['grafana']?.volumes ?? [];
  assert.ok(volumes.some((v) => v.startsWith('../dashboards/provisioning:')), volumes.join(', '));
});

test('Dockerfile: copies every source folder the CLI needs and installs without dev dependencies', () => {
  const dockerfile = readFileSync(path.join(infra, 'Dockerfile'), 'utf8');
  const copied = [...dockerfile.matchAll(/^COPY (\S+) \.\/\S+$/gm)].map((m) => m[1] ?? '');
  for (const source of copied) assert.ok(existsSync(path.join(REPO_ROOT, source)), `COPY ${source}: no such folder`);
  // Every top-level folder with TypeScript, except tests and the local-only stack, ships.
  const codeFolders = readdirSync(REPO_ROOT).filter(
    (entry) =>
      !['test', 'infra', 'node_modules', '.state', '.git', 'artifacts', 'dashboards'].includes(entry) &&
      statSync(path.join(REPO_ROOT, entry)).isDirectory() &&
      readdirSync(path.join(REPO_ROOT, entry), { recursive: true }).some((f) => String(f).endsWith('.ts')),
  );
  for (const folder of codeFolders) assert.ok(copied.includes(folder), `Dockerfile does not COPY ${folder}/`);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /ENTRYPOINT \["node", "bin\/salonwatch\.js"\]/);
});
