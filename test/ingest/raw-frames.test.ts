import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawFrameSplitter } from '../../ingest/raw-frames.js';

const bytes = (from: number, n: number) =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);

void test('chunks that straddle picture boundaries become whole pictures, in order', () => {
  const splitter = new RawFrameSplitter(6);
  const out: number[][] = [];
  const emit = (f: Uint8Array) => out.push([...f]);
  splitter.push(bytes(0, 4), emit);
  splitter.push(bytes(4, 10), emit);
  assert.deepEqual(out, [
    [0, 1, 2, 3, 4, 5],
    [6, 7, 8, 9, 10, 11],
  ]);
  assert.equal(splitter.pending, 2);
  splitter.push(bytes(14, 4), emit);
  assert.equal(out.length, 3);
  assert.equal(splitter.pending, 0);
});

void test('each picture owns its buffer (later chunks do not overwrite it)', () => {
  const splitter = new RawFrameSplitter(2);
  const out: Uint8Array[] = [];
  splitter.push(Uint8Array.of(1, 2, 3, 4), (f) => out.push(f));
  assert.deepEqual(
    out.map((f) => [...f]),
    [
      [1, 2],
      [3, 4],
    ],
  );
  assert.notEqual(out[0]?.buffer, out[1]?.buffer);
});

void test('reset discards a torn picture', () => {
  const splitter = new RawFrameSplitter(4);
  const out: number[][] = [];
  splitter.push(Uint8Array.of(9, 9), (f) => out.push([...f]));
  splitter.reset();
  splitter.push(Uint8Array.of(1, 2, 3, 4), (f) => out.push([...f]));
  assert.deepEqual(out, [[1, 2, 3, 4]]);
});
