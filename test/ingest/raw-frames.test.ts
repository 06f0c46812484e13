import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FramePool, RawFrameAssembler } from '../../ingest/raw-frames.js';

const bytes = (from: number, n: number) =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);

void test('chunks that straddle picture boundaries become whole pictures, in order', () => {
  const assembler = new RawFrameAssembler(new FramePool(6));
  const out: number[][] = [];
  const emit = (f: Uint8Array) => out.push([...f]);
  assembler.push(bytes(0, 4), emit);
  assembler.push(bytes(4, 10), emit);
  assert.deepEqual(out, [
    [0, 1, 2, 3, 4, 5],
    [6, 7, 8, 9, 10, 11],
  ]);
  assert.equal(assembler.pending, 2);
  assembler.push(bytes(14, 4), emit);
  assert.equal(out.length, 3);
  assert.equal(assembler.pending, 0);
});

void test('reads land in the picture itself: target() is the unfilled rest, advance() counts', () => {
  const assembler = new RawFrameAssembler(new FramePool(5));
  const out: Uint8Array[] = [];
  const first = assembler.target();
  assert.equal(first.length, 5);
  first.set([1, 2]);
  assembler.advance(2, (f) => out.push(f));
  const rest = assembler.target();
  assert.equal(rest.length, 3);
  assert.equal(rest.buffer, first.buffer, 'the same picture buffer, further on');
  rest.set([3, 4, 5]);
  assembler.advance(3, (f) => out.push(f));
  assert.deepEqual(
    out.map((f) => [...f]),
    [[1, 2, 3, 4, 5]],
  );
  assert.throws(() => {
    assembler.advance(1, () => undefined);
  }, /advance\(1\)/);
  assembler.target();
  assert.throws(() => {
    assembler.advance(6, () => undefined);
  }, /5 bytes of the picture left/);
});

void test('each picture owns its buffer until released; a released one is reused', () => {
  const pool = new FramePool(2);
  const assembler = new RawFrameAssembler(pool);
  const out: Uint8Array[] = [];
  assembler.push(Uint8Array.of(1, 2, 3, 4), (f) => out.push(f));
  assert.deepEqual(
    out.map((f) => [...f]),
    [
      [1, 2],
      [3, 4],
    ],
  );
  assert.notEqual(out[0]?.buffer, out[1]?.buffer);
  assert.equal(pool.allocated, 2);
  const [first] = out;
  assert.ok(first !== undefined);
  pool.give(first);
  assembler.push(Uint8Array.of(5, 6), (f) => out.push(f));
  assert.equal(out[2], first, 'the released buffer carries the next picture');
  assert.equal(pool.allocated, 2);
});

void test('the pool keeps a bounded number of idle buffers and never the same one twice', () => {
  const pool = new FramePool(3, 2);
  const a = pool.take();
  const b = pool.take();
  const c = pool.take();
  pool.give(a);
  pool.give(a);
  assert.equal(pool.idle, 1, 'a double release is ignored');
  pool.give(b);
  pool.give(c);
  assert.equal(pool.idle, 2, 'beyond maxFree, buffers are left to the garbage collector');
  pool.give(new Uint8Array(4));
  assert.equal(pool.idle, 2, 'a buffer of another size is not taken');
  assert.notEqual(pool.take(), pool.take());
  assert.throws(() => new FramePool(0), RangeError);
});

void test('reset discards a torn picture and returns its buffer', () => {
  const pool = new FramePool(4);
  const assembler = new RawFrameAssembler(pool);
  const out: number[][] = [];
  assembler.push(Uint8Array.of(9, 9), (f) => out.push([...f]));
  assembler.reset();
  assert.equal(pool.idle, 1);
  assembler.push(Uint8Array.of(1, 2, 3, 4), (f) => out.push([...f]));
  assert.deepEqual(out, [[1, 2, 3, 4]]);
  assert.equal(pool.allocated, 1);
});
