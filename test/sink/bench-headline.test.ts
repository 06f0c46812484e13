import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headline, type RunResult } from '../../sink/bench.js';

const run = (
  offeredRate: number | null,
  eventsPerSecond: number,
  p99LatencyMs: number,
): RunResult => ({
  offeredRate,
  producerEventsPerSecond: offeredRate ?? 80_000,
  producerCpuUsPerEvent: 10,
  sinkCpuUsPerEvent: 12,
  eventsPerSecond,
  p50LatencyMs: p99LatencyMs / 2,
  p99LatencyMs,
  maxLatencyMs: p99LatencyMs + 100,
  producerPrepareMs: 9000,
  sinkBatches: 50,
});

void test('the headline is the fastest run end to end that kept up', () => {
  const runs = [
    run(30_000, 29_500, 800),
    run(40_000, 39_000, 1200),
    run(50_000, 48_000, 5200),
    run(null, 51_000, 7900),
  ];
  assert.equal(headline(runs), runs[1]);
  const flatOutMet = [run(30_000, 29_500, 800), run(null, 61_000, 4100)];
  assert.equal(headline(flatOutMet), flatOutMet[1]);
});

void test('a run that fell 10% behind what was offered does not count, even with p99 under the target', () => {
  const runs = [run(60_000, 57_500, 2800), run(65_000, 57_600, 4300), run(null, 55_000, 6700)];
  assert.equal(headline(runs), runs[0]);
});

void test('when no run met the target, the headline is the first (slowest) run, which shows it', () => {
  const runs = [run(30_000, 22_000, 9000), run(null, 25_000, 14_000)];
  assert.equal(headline(runs), runs[0]);
  assert.equal(headline([]), undefined);
});
