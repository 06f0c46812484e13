import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameQueue } from '../../ingest/frame-queue.js';

void test('a full queue drops its oldest item and counts it', () => {
  const queue = new FrameQueue<number>(2);
  assert.equal(queue.push(1), true);
  assert.equal(queue.push(2), true);
  assert.equal(queue.push(3), false);
  assert.equal(queue.push(4), false);
  assert.equal(queue.size, 2);
  assert.equal(queue.dropped, 2);
  assert.equal(queue.pushed, 4);
});

void test('a slow consumer sees the newest items and memory stays bounded', async () => {
  const queue = new FrameQueue<number>(3);
  for (let i = 0; i < 10_000; i++) {
    queue.push(i);
    assert.ok(queue.size <= 3);
  }
  queue.close();
  const seen: number[] = [];
  for await (const item of queue) seen.push(item);
  assert.deepEqual(seen, [9997, 9998, 9999]);
  assert.equal(queue.dropped, 9997);
});

void test('a waiting consumer gets an item as soon as it is pushed, without queueing', async () => {
  const queue = new FrameQueue<string>(1);
  const next = queue.next();
  queue.push('a');
  assert.deepEqual(await next, { value: 'a', done: false });
  assert.equal(queue.size, 0);
});

void test('close ends a waiting consumer and refuses later pushes', async () => {
  const queue = new FrameQueue<string>(1);
  const next = queue.next();
  queue.close();
  assert.deepEqual(await next, { value: undefined, done: true });
  assert.equal(queue.push('late'), false);
});

void test('breaking out of for-await closes the queue', async () => {
  const queue = new FrameQueue<number>(4);
  queue.push(1);
  queue.push(2);
  for await (const item of queue) {
    assert.equal(item, 1);
    break;
  }
  assert.equal(queue.size, 0);
  assert.equal(queue.push(3), false);
});

void test('capacity must be a positive integer', () => {
  assert.throws(() => new FrameQueue(0), RangeError);
});

void test('every item the consumer never gets is handed to onDrop: displaced, refused, abandoned', async () => {
  const dropped: number[] = [];
  const queue = new FrameQueue<number>(2, (item) => dropped.push(item));
  for (let i = 1; i <= 4; i++) queue.push(i);
  assert.deepEqual(dropped, [1, 2]);
  for await (const item of queue) {
    assert.equal(item, 3);
    break;
  }
  assert.deepEqual(dropped, [1, 2, 4], 'left in the queue when the consumer stopped');
  queue.push(5);
  assert.deepEqual(dropped, [1, 2, 4, 5], 'pushed after close');
});
