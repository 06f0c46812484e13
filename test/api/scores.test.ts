import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScoreSource } from '../../api/clickhouse-store.js';
import { sharedScores } from '../../api/scores.js';

function counting() {
  const calls: string[] = [];
  let fail = false;
  let invalidated = 0;
  const source: ScoreSource = {
    dailyScores: async (salonId) => {
      calls.push(`d:${salonId}`);
      await Promise.resolve();
      if (fail) throw new Error('down');
      return [
        {
          day: '2026-11-01',
          score: calls.length,
          standards: {
            greeting: 1,
            queue_length: 1,
            waiting_time: 1,
            staff_presence: 1,
            camera_coverage: 1,
          },
        },
      ];
    },
    salonRanking: async () => {
      calls.push('s');
      await Promise.resolve();
      return [];
    },
    regionRanking: async () => {
      calls.push('r');
      await Promise.resolve();
      return [];
    },
    invalidate: () => {
      invalidated += 1;
    },
  };
  return {
    source,
    calls,
    setFail: (value: boolean) => (fail = value),
    invalidations: () => invalidated,
  };
}

test('concurrent identical requests share one query; answers live for the TTL', async () => {
  let clock = 0;
  const { source, calls } = counting();
  const shared = sharedScores(source, 5000, () => clock);
  const [a, b] = await Promise.all([
    shared.dailyScores('s1', 'x', 'y'),
    shared.dailyScores('s1', 'x', 'y'),
  ]);
  assert.equal(a, b);
  assert.deepEqual(calls, ['d:s1']);
  await shared.dailyScores('s2', 'x', 'y');
  clock = 4999;
  await shared.dailyScores('s1', 'x', 'y');
  assert.deepEqual(calls, ['d:s1', 'd:s2']);
  clock = 5000;
  await shared.dailyScores('s1', 'x', 'y');
  assert.deepEqual(calls, ['d:s1', 'd:s2', 'd:s1']);
});

test('a stored review or standards change (invalidate) empties the cache at once', async () => {
  const { source, calls, invalidations } = counting();
  const shared = sharedScores(source, 60_000, () => 0);
  await shared.salonRanking('a', 'b', null);
  await shared.salonRanking('a', 'b', null);
  shared.invalidate();
  await shared.salonRanking('a', 'b', null);
  assert.deepEqual(calls, ['s', 's']);
  assert.equal(invalidations(), 1, 'the weights are re-read too');
});

test('a failed query is not remembered', async () => {
  const { source, calls, setFail } = counting();
  const shared = sharedScores(source, 60_000, () => 0);
  setFail(true);
  await assert.rejects(shared.dailyScores('s1', 'x', 'y'));
  setFail(false);
  await shared.dailyScores('s1', 'x', 'y');
  assert.deepEqual(calls, ['d:s1', 'd:s1']);
});
