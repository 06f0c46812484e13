/**
 * The sampler's FIFOs with real named pipes (no ffmpeg): a writer that closes and reopens, as
 * ffmpeg does with its timestamp file when it rebuilds the filter graph, and end-of-file on drain.
 */
import assert from 'node:assert/strict';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { lineSplitter, SamplerFifos } from '../../ingest/fifo.js';
import { pipeSize } from '../../ingest/libc.js';
import { PipeBudget } from '../../ingest/pipe-capacity.js';

const nowhere = { pictureBytes: 16, target: () => new Uint8Array(16), advance: () => undefined };

/** Non-blocking: with no reader left the open fails (ENXIO) instead of waiting for one. */
function writeOnce(path: string, text: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  writeSync(fd, text);
  closeSync(fd);
}

void test(
  'a writer that closes and reopens loses no line, and drain ends the reading',
  { timeout: 10_000 },
  async (t) => {
    const fifos = SamplerFifos.create();
    t.after(() => {
      fifos.remove();
    });
    const lines: string[] = [];
    const pipes = fifos.open(nowhere, (line) => lines.push(line));
    writeOnce(fifos.timestampsPath, 'frame:0    pts:0       pts_time:0\n');
    // Long enough for the reader to see the close before the next writer comes.
    await sleep(200);
    writeOnce(fifos.timestampsPath, 'frame:0    pts:90000   pts_time:1\n');
    const started = Date.now();
    await pipes.drain(5000);
    assert.ok(Date.now() - started < 2000, 'end-of-file came once this side let go of its writer');
    assert.deepEqual(lines, [
      'frame:0    pts:0       pts_time:0',
      'frame:0    pts:90000   pts_time:1',
    ]);
    assert.equal(pipes.failure, undefined);
  },
);

void test('drain returns at once when nobody ever wrote', { timeout: 10_000 }, async (t) => {
  const fifos = SamplerFifos.create();
  t.after(() => {
    fifos.remove();
  });
  const pipes = fifos.open(nowhere, () => undefined);
  const started = Date.now();
  await pipes.drain(5000);
  assert.ok(Date.now() - started < 1000);
});

void test(
  'the picture FIFO is enlarged within the budget, and gives its share back once drained',
  { timeout: 10_000 },
  async (t) => {
    const KiB = 1024;
    // Room for one 512 KiB pipe (448 KiB beyond the default 64).
    const budget = new PipeBudget(448 * KiB);
    const first = SamplerFifos.create(budget);
    const second = SamplerFifos.create(budget);
    t.after(() => {
      first.remove();
      second.remove();
    });
    const picture = { ...nowhere, pictureBytes: 768 * 432 * 3 };
    const a = first.open(picture, () => undefined);
    assert.deepEqual(a.pictureCapacity, { bytes: 512 * KiB });
    // What ffmpeg will find when it opens the FIFO: the pipe it shares with this side.
    const probe = openSync(first.picturesPath, constants.O_RDONLY | constants.O_NONBLOCK);
    assert.equal(pipeSize(probe), 512 * KiB);
    closeSync(probe);

    const b = second.open(picture, () => undefined);
    assert.equal(b.pictureCapacity.bytes, 64 * KiB, 'over budget: the default');
    assert.match(b.pictureCapacity.shortfall ?? '', /already take 448 of 448 KiB/);
    const unenlarged = openSync(second.picturesPath, constants.O_RDONLY | constants.O_NONBLOCK);
    assert.equal(pipeSize(unenlarged), 64 * KiB);
    closeSync(unenlarged);
    const timestampsOnly = openSync(
      second.timestampsPath,
      constants.O_RDONLY | constants.O_NONBLOCK,
    );
    assert.equal(pipeSize(timestampsOnly), 64 * KiB, 'the timestamp FIFO is never enlarged');
    closeSync(timestampsOnly);

    await a.drain(1000);
    await b.drain(1000);
    assert.equal(budget.used, 0);
    const c = second.open(picture, () => undefined);
    assert.deepEqual(c.pictureCapacity, { bytes: 512 * KiB }, 'room again');
    await c.drain(1000);
    assert.equal(budget.used, 0);
  },
);

void test('lines are split across chunk boundaries, and a partial line waits for its end', () => {
  const lines: string[] = [];
  const split = lineSplitter((line) => lines.push(line));
  split('fra');
  split('me:1\nkey=1\nframe:');
  assert.deepEqual(lines, ['frame:1', 'key=1']);
  split('2\n');
  assert.deepEqual(lines, ['frame:1', 'key=1', 'frame:2']);
});
