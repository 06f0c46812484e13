import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { connectClickHouse } from '../../../clickhouse/client.js';
import { sql } from '../../../clickhouse/sql.js';
import { REPO_ROOT } from '../../../common/paths.js';

// The full pipeline, as `salonwatch demo` runs it, for about a minute: RTSP cameras -> node
// (detection, tracking, rules, evidence) -> Kafka -> sink -> ClickHouse -> API. Needs the
// local stack (infra/test.sh brings it up). Standards are shortened so that incidents happen
// within the minute.
const PORT = 18_181;
const shortStandards = {
  greeting: { withinS: 6 },
  queue: { maxLength: 0, maxDurationS: 4, samplePeriodS: 5 },
  waiting: { maxS: 4 },
  staffPresence: { maxAbsenceS: 15, samplePeriodS: 10 },
};

const CountRow = Type.Object({ n: Type.String() });
const IdRow = Type.Object({ incidentId: Type.String() });

interface IncidentItem {
  incidentId: string;
  salonId: string;
  standard: string;
}

test('demo: node events reach ClickHouse once each, and incidents and scores agree through the API', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'salonwatch-e2e-'));
  const standardsFile = path.join(dir, 'standards.json');
  writeFileSync(standardsFile, JSON.stringify(shortStandards));
  // Whole seconds: ClickHouse 18.16 DateTime has no milliseconds.
  const since = new Date(Math.floor(Date.now() / 1000) * 1000);

  const demo = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'salonwatch.js'), 'demo', '--minutes', '1', '--cameras', '2', '--port', String(PORT), '--standards', standardsFile, '--keep-serving'],
    // Its own process group, so that a failed test can stop the demo's children with it.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => { resolve(code); }));
  let output = '';
  demo.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  demo.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const ch = connectClickHouse();
  t.after(async () => {
    if (demo.exitCode === null && demo.pid !== undefined) process.kill(-demo.pid, 'SIGKILL');
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The summary is printed once the node has stopped and the sink has caught up.
  const deadline = Date.now() + 6 * 60_000;
  while (!output.includes('serving the web app until Ctrl-C')) {
    if (demo.exitCode !== null || Date.now() > deadline) assert.fail(`demo did not reach its summary:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log(output.split('\n').filter((line) => !line.includes('token:')).join('\n'));

  const published = Number(/events published by the node: (\d+); stored in ClickHouse: (\d+)/.exec(output)?.[1]);
  assert.ok(published > 0, 'the node published events');
  const [stored] = await ch.query(sql`SELECT toString(uniqExact(eventId)) AS n FROM events WHERE nodeId = 'demo-node' AND producedAt >= ${since}`, CountRow);
  assert.equal(Number(stored?.n), published, 'every published event is in ClickHouse, once');
  const [raw] = await ch.query(sql`SELECT toString(count()) AS n FROM events FINAL WHERE nodeId = 'demo-node' AND producedAt >= ${since}`, CountRow);
  assert.equal(Number(raw?.n), published, 'and no event is stored twice');

  const incidentIds = (
    await ch.query(sql`SELECT DISTINCT incidentId FROM incidents WHERE nodeId = 'demo-node' AND occurredAt >= ${since} ORDER BY incidentId`, IdRow)
  ).map((r) => r.incidentId);
  assert.ok(incidentIds.length > 0, 'the shortened standards raised incidents');

  const reviewer = /reviewer token: (\S+)/.exec(output)?.[1] ?? assert.fail('no reviewer token printed');
  const api = async <T>(route: string): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${PORT}/api/v1${route}`, { headers: { authorization: `Bearer ${reviewer}` } });
    assert.equal(response.status, 200, `${route}: ${await response.clone().text()}`);
    return (await response.json()) as T;
  };
  const demoSalons = new Set(['salon-01', 'salon-02']);
  const listDemoIncidents = async () => {
    const listed: IncidentItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: IncidentItem[]; nextCursor: string | null } = await api(`/incidents?from=${since.toISOString()}&limit=100${cursor === null ? '' : `&cursor=${cursor}`}`);
      listed.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return listed.filter((i) => demoSalons.has(i.salonId));
  };
  const idsOf = (items: readonly IncidentItem[]) => items.map((i) => i.incidentId).sort();
  // The API's incident book polls ClickHouse every second: an incident the sink stored just
  // before the summary may take that long to be listed.
  let listed = await listDemoIncidents();
  for (let tries = 0; tries < 10 && JSON.stringify(idsOf(listed)) !== JSON.stringify(incidentIds); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    listed = await listDemoIncidents();
  }
  assert.deepEqual(idsOf(listed), incidentIds, 'the API lists exactly the incidents ClickHouse holds');

  // A salon with incidents today has a score below 100 for the standards they belong to.
  // Salon-local days: from yesterday to tomorrow in UTC covers every demo time zone.
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const withIncident = listed[0] ?? assert.fail('no incident of a demo salon');
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const scores: { days: { day: string; score: number | null }[] } = await api(`/salons/${withIncident.salonId}/scores?from=${yesterday}&to=${tomorrow}`);
  const scored = scores.days.filter((d) => d.score !== null);
  assert.ok(scored.length > 0, `scores exist for ${withIncident.salonId}: ${JSON.stringify(scores)}`);
  assert.ok(scored.some((d) => (d.score ?? 100) < 100), `an incident lowers the score: ${JSON.stringify(scores)}`);

  demo.kill('SIGINT');
  assert.equal(await exited, 0, 'the demo stops cleanly on Ctrl-C');
});
