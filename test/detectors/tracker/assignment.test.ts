import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign } from '../../../detectors/tracker/assignment.js';

function total(
  cost: readonly number[],
  cols: number,
  matches: readonly (readonly [number, number])[],
): number {
  return matches.reduce((s, [r, c]) => s + (cost[r * cols + c] ?? 0), 0);
}

describe('assign (Hungarian)', () => {
  it('finds the optimum where greedy does not', () => {
    // Greedy takes (0,0)=1 then is forced into (1,1)=10: 11. Optimal is (0,1)+(1,0) = 2+3 = 5.
    const cost = [1, 2, 3, 10];
    const { matches } = assign(cost, 2, 2);
    assert.deepEqual(matches, [
      [0, 1],
      [1, 0],
    ]);
    assert.equal(total(cost, 2, matches), 5);
  });

  it('solves a 4x4 instance against brute force', () => {
    const cost = [9, 2, 7, 8, 6, 4, 3, 7, 5, 8, 1, 8, 7, 6, 9, 4];
    const { matches } = assign(cost, 4, 4);
    let best = Infinity;
    const perm = (rest: number[], acc: number[]): void => {
      if (rest.length === 0) {
        best = Math.min(
          best,
          acc.reduce((s, c, r) => s + (cost[r * 4 + c] ?? 0), 0),
        );
        return;
      }
      rest.forEach((c, i) => {
        perm([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, c]);
      });
    };
    perm([0, 1, 2, 3], []);
    assert.equal(total(cost, 4, matches), best);
    assert.equal(best, 13);
  });

  it('handles more rows than columns and reports the unmatched', () => {
    const cost = [5, 1, 2, 9, 1, 8];
    const r = assign(cost, 3, 2);
    assert.deepEqual(r.matches, [
      [0, 1],
      [2, 0],
    ]);
    assert.deepEqual(r.unmatchedRows, [1]);
    assert.deepEqual(r.unmatchedCols, []);
  });

  it('never matches a pair above maxCost, and prefers more admissible pairs', () => {
    const cost = [0.1, 0.4, 0.3, Infinity];
    const r = assign(cost, 2, 2, 0.5);
    // (0,0) alone costs 0.1 but leaves row 1 unmatched; (0,1)+(1,0) matches both.
    assert.deepEqual(r.matches, [
      [0, 1],
      [1, 0],
    ]);
    const gated = assign([0.9, 0.2], 1, 2, 0.5);
    assert.deepEqual(gated.matches, [[0, 1]]);
    assert.deepEqual(gated.unmatchedCols, [0]);
  });

  it('handles empty sides', () => {
    assert.deepEqual(assign([], 0, 3).unmatchedCols, [0, 1, 2]);
    assert.deepEqual(assign([], 2, 0).unmatchedRows, [0, 1]);
  });
});
