import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Spool, type SpoolClass, type SpoolInput } from '../../events/spool.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'salonwatch-spool-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const input = (cls: SpoolClass, n: number, type = cls === 'low' ? 'queue_sample' : cls === 'incident' ? 'incident' : 'visit'): SpoolInput => ({
  cls,
  key: `salon-${n % 3}`,
  value: Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(60) })),
  type,
});
const ns = (records: readonly { value: Buffer }[]) => records.map((r) => (JSON.parse(r.value.toString()) as { n: number }).n);

void test('records come back in append order across classes, and an ack forgets them', async (t) => {
  const dir = tempDir(t);
  const spool = Spool.open(dir, { maxBytes: 1 << 20 });
  await spool.append([input('low', 1), input('incident', 2), input('normal', 3), input('low', 4)]);
  const first = await spool.peek(10);
  assert.deepEqual(ns(first), [1, 2, 3, 4]);
  assert.deepEqual(
    first.map((r) => r.key),
    ['salon-1', 'salon-2', 'salon-0', 'salon-1'],
  );
  await spool.ack(first[1]?.seq ?? 0);
  assert.deepEqual(ns(await spool.peek(10)), [3, 4]);
  assert.equal(spool.stats().records, 2);
  await spool.close();
});

void test('a reopened spool holds exactly the records not acknowledged, in order, and continues the sequence', async (t) => {
  const dir = tempDir(t);
  const a = Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 300 });
  await a.append(Array.from({ length: 20 }, (_, i) => input(i % 4 === 0 ? 'incident' : i % 2 === 0 ? 'normal' : 'low', i)));
  const head = await a.peek(5);
  await a.ack(head[4]?.seq ?? 0);
  await a.close();

  const b = Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 300 });
  assert.deepEqual(ns(await b.peek(100)), Array.from({ length: 15 }, (_, i) => i + 5));
  await b.append([input('low', 99)]);
  const all = await b.peek(100);
  assert.deepEqual(ns(all).slice(-1), [99]);
  assert.ok((all.at(-1)?.seq ?? 0) > (all.at(-2)?.seq ?? Infinity), 'sequence continues after a restart');
  await b.ack(all.at(-1)?.seq ?? 0);
  assert.equal(b.stats().records, 0);
  await b.close();
  for (const cls of ['low', 'normal', 'incident']) {
    assert.ok(readdirSync(path.join(dir, cls)).length <= 1, `acknowledged segments of ${cls} are deleted`);
  }
});

void test('a torn record at the tail (crash mid-write) is cut off; the records before it survive', async (t) => {
  const dir = tempDir(t);
  const a = Spool.open(dir, { maxBytes: 1 << 20 });
  await a.append([input('normal', 1), input('normal', 2)]);
  await a.close();
  const [segment] = readdirSync(path.join(dir, 'normal'));
  assert.ok(segment !== undefined);
  appendFileSync(path.join(dir, 'normal', segment), Buffer.from([0, 0, 0, 200, 1, 2, 3]));
  const b = Spool.open(dir, { maxBytes: 1 << 20 });
  assert.deepEqual(ns(await b.peek(10)), [1, 2]);
  await b.append([input('normal', 3)]);
  await b.close();
  const c = Spool.open(dir, { maxBytes: 1 << 20 });
  assert.deepEqual(ns(await c.peek(10)), [1, 2, 3]);
  await c.close();
});

void test('when full, the oldest samples go first, then visits; incidents never, and drops are counted by type', async (t) => {
  const dir = tempDir(t);
  const size = 8 + 19 + 'salon-0'.length + 'queue_sample'.length + input('low', 10).value.length;
  // Room for exactly 5 sample-sized records.
  const spool = Spool.open(dir, { maxBytes: size * 5 + 10 });
  await spool.append([input('low', 10), input('incident', 11), input('low', 12), input('normal', 13), input('low', 14)]);
  assert.equal(spool.stats().records, 5);

  await spool.append([input('normal', 15)]);
  assert.deepEqual(ns(await spool.peek(10)), [11, 12, 13, 14, 15], 'the oldest sample made room');

  await spool.append([input('incident', 16), input('incident', 17)]);
  assert.deepEqual(ns(await spool.peek(10)), [11, 13, 15, 16, 17], 'samples went first, one visit after them');
  assert.deepEqual(spool.stats().dropped, { queue_sample: 3 });
  await spool.append([input('normal', 18)]);
  assert.deepEqual(ns(await spool.peek(10)), [11, 15, 16, 17, 18]);

  await spool.append([input('low', 19)]);
  assert.deepEqual(ns(await spool.peek(10)), [11, 15, 16, 17, 18], 'a new sample never pushes out a visit');

  await spool.append([input('incident', 20), input('incident', 21), input('incident', 22), input('incident', 23)]);
  const left = await spool.peek(20);
  assert.deepEqual(ns(left), [11, 16, 17, 20, 21, 22, 23], 'incidents are kept even beyond the budget');
  assert.ok(spool.stats().bytes > spool.stats().maxBytes);
  assert.deepEqual(spool.stats().dropped, { queue_sample: 4, visit: 3 });
  await spool.close();

  const reopened = Spool.open(dir, { maxBytes: size * 5 + 10 });
  assert.deepEqual(ns(await reopened.peek(20)), [11, 16, 17, 20, 21, 22, 23], 'evictions survive a restart');
  assert.deepEqual(reopened.stats().dropped, { queue_sample: 4, visit: 3 });
  await reopened.close();
});

void test('stats report size and the enqueue time of the oldest record', async (t) => {
  let clock = 1000;
  const spool = Spool.open(tempDir(t), { maxBytes: 1 << 20, now: () => clock });
  assert.equal(spool.stats().oldestEnqueuedAtMs, null);
  await spool.append([input('normal', 1)]);
  clock = 5000;
  await spool.append([input('low', 2)]);
  assert.equal(spool.stats().oldestEnqueuedAtMs, 1000);
  assert.equal(spool.stats().records, 2);
  assert.ok(spool.stats().bytes > 0);
  await spool.close();
});
