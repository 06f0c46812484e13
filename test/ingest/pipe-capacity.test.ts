import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  budgetBytesFor,
  DEFAULT_PIPE_BYTES,
  MAX_PICTURE_PIPE_BYTES,
  pictureFifoBytes,
  PipeBudget,
} from '../../ingest/pipe-capacity.js';

const KiB = 1024;

void test('a picture FIFO is a power of two that holds the picture, up to 512 KiB', () => {
  assert.equal(pictureFifoBytes(768 * 432 * 3), 512 * KiB);
  assert.equal(pictureFifoBytes(1920 * 1080 * 3), MAX_PICTURE_PIPE_BYTES);
  assert.equal(pictureFifoBytes(320 * 240 * 3), 256 * KiB);
  assert.equal(pictureFifoBytes(256 * 128 * 3), 128 * KiB);
  assert.equal(pictureFifoBytes(128 * KiB), 128 * KiB);
  assert.equal(pictureFifoBytes(128 * KiB + 1), 256 * KiB);
  // Never smaller than a pipe already is.
  assert.equal(pictureFifoBytes(160 * 120 * 3), DEFAULT_PIPE_BYTES);
  assert.equal(pictureFifoBytes(1), DEFAULT_PIPE_BYTES);
});

void test('the budget is half the per-user soft limit, and unlimited without one', () => {
  assert.equal(budgetBytesFor(16_384), 32 * KiB * KiB);
  assert.equal(budgetBytesFor(0), Infinity);
});

void test('a budget counts what pipes take beyond the default and refuses past its limit', () => {
  // Room for two 512 KiB pipes: each takes 448 KiB beyond the default 64.
  const budget = new PipeBudget(2 * 448 * KiB);
  assert.equal(budget.reserve(512 * KiB), true);
  assert.equal(budget.reserve(512 * KiB), true);
  assert.equal(budget.used, 896 * KiB);
  assert.equal(budget.reserve(512 * KiB), false, 'a third does not fit');
  assert.equal(budget.used, 896 * KiB, 'a refusal takes nothing');
  // A pipe left at the default size costs the budget nothing.
  assert.equal(budget.reserve(DEFAULT_PIPE_BYTES), true);
  assert.equal(budget.used, 896 * KiB);
  budget.release(512 * KiB);
  assert.equal(budget.used, 448 * KiB);
  assert.equal(budget.reserve(512 * KiB), true, 'a closed pipe makes room');
  budget.release(DEFAULT_PIPE_BYTES);
  assert.equal(budget.used, 896 * KiB);
  budget.release(512 * KiB);
  budget.release(512 * KiB);
  budget.release(512 * KiB);
  assert.equal(budget.used, 0, 'never below zero');
});
