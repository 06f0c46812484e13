/**
 * Optimal rectangular assignment (Hungarian method with row/column potentials, O(n^2 m)),
 * shared by the tracker's association passes and the evaluation's matching (CLEAR MOT and IDF1
 * both require an optimal, not greedy, assignment).
 */

export interface Assignment {
  /** `[row, col]` pairs whose cost is within the limit. */
  readonly matches: readonly (readonly [number, number])[];
  readonly unmatchedRows: readonly number[];
  readonly unmatchedCols: readonly number[];
}

/**
 * Minimum-cost assignment of a row-major `rows x cols` cost matrix, in which each row and each
 * column is used at most once. Pairs whose cost exceeds `maxCost` are never matched: they are
 * priced so high that the solver first maximises the number of admissible pairs, then minimises
 * their total cost (what py-motmetrics does with NaN-gated entries).
 */
export function assign(
  cost: ArrayLike<number>,
  rows: number,
  cols: number,
  maxCost = Infinity,
): Assignment {
  if (rows === 0 || cols === 0) {
    return { matches: [], unmatchedRows: range(rows), unmatchedCols: range(cols) };
  }
  let admissibleMax = 0;
  for (let i = 0; i < rows * cols; i++) {
    const c = cost[i] ?? Infinity;
    if (c <= maxCost && Math.abs(c) > admissibleMax) admissibleMax = Math.abs(c);
  }
  // Larger than any sum of admissible costs, so one extra admissible pair always wins.
  const forbidden = (admissibleMax + 1) * (Math.min(rows, cols) + 1) * 2;
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const at = (i: number, j: number): number => {
    const c = transpose ? (cost[j * cols + i] ?? Infinity) : (cost[i * cols + j] ?? Infinity);
    return c <= maxCost ? c : forbidden;
  };
  const rowOfCol = solve(n, m, at);

  const matches: [number, number][] = [];
  const usedRows = new Uint8Array(rows);
  const usedCols = new Uint8Array(cols);
  for (let j = 0; j < m; j++) {
    const i = rowOfCol[j] ?? -1;
    if (i < 0) continue;
    const r = transpose ? j : i;
    const c = transpose ? i : j;
    if ((cost[r * cols + c] ?? Infinity) > maxCost) continue;
    matches.push([r, c]);
    usedRows[r] = 1;
    usedCols[c] = 1;
  }
  matches.sort((a, b) => a[0] - b[0]);
  return {
    matches,
    unmatchedRows: range(rows).filter((r) => usedRows[r] === 0),
    unmatchedCols: range(cols).filter((c) => usedCols[c] === 0),
  };
}

/** Classic potentials-based Hungarian for n <= m; returns, for each column, its row or -1. */
function solve(n: number, m: number, at: (i: number, j: number) => number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: 1-based row assigned to column j, 0 = none
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0] ?? 0;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j] === 1) continue;
        const cur = at(i0 - 1, j - 1) - (u[i0] ?? 0) - (v[j] ?? 0);
        if (cur < (minv[j] ?? Infinity)) {
          minv[j] = cur;
          way[j] = j0;
        }
        if ((minv[j] ?? Infinity) < delta) {
          delta = minv[j] ?? Infinity;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j] === 1) {
          const row = p[j] ?? 0;
          u[row] = (u[row] ?? 0) + delta;
          v[j] = (v[j] ?? 0) - delta;
        } else {
          minv[j] = (minv[j] ?? 0) - delta;
        }
      }
      j0 = j1;
    } while ((p[j0] ?? 0) !== 0);
    do {
      const j1 = way[j0] ?? 0;
      p[j0] = p[j1] ?? 0;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowOfCol = new Int32Array(m).fill(-1);
  for (let j = 1; j <= m; j++) rowOfCol[j - 1] = (p[j] ?? 0) - 1;
  return rowOfCol;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
