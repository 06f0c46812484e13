import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConditionalAll, expandMacros, interpolateVariables, renderQuery, variableReferences, type QueryContext } from '../../dashboards/macros.js';

// 2026-11-01T00:00:00Z .. 2026-11-25T12:34:56Z
const ctx: QueryContext = {
  from: new Date('2026-11-01T00:00:00.000Z'),
  to: new Date('2026-11-25T12:34:56.789Z'),
  intervalMs: 3_600_000,
  variables: {},
};
const FROM = 1793491200;
const TO = 1795610096;

test('macros: the time macros expand to toDateTime of unix seconds, as pkg/macros/macros.go writes them', () => {
  assert.equal(expandMacros('$__fromTime', ctx), `toDateTime(${FROM})`);
  assert.equal(expandMacros('$__toTime', ctx), `toDateTime(${TO})`);
  assert.equal(expandMacros('WHERE $__timeFilter(hour)', ctx), `WHERE hour >= toDateTime(${FROM}) AND hour <= toDateTime(${TO})`);
  assert.equal(expandMacros('$__dateFilter(localDate)', ctx), "localDate >= toDate('2026-11-01') AND localDate <= toDate('2026-11-25')");
});

test('macros: $__interval_s is whole seconds, at least 1 (Go int() truncates)', () => {
  assert.equal(expandMacros('$__interval_s', ctx), '3600');
  assert.equal(expandMacros('$__interval_s', { ...ctx, intervalMs: 1500 }), '1');
  assert.equal(expandMacros('$__interval_s', { ...ctx, intervalMs: 200 }), '1');
  assert.equal(expandMacros('$__interval_s', { ...ctx, intervalMs: 90_999 }), '90');
});

test('macros: arguments are split at top-level commas and trimmed, nested brackets kept (sqlds parseArgs)', () => {
  assert.equal(
    expandMacros("$__timeFilter( toDateTime(localDate, 'UTC') )", ctx),
    `toDateTime(localDate, 'UTC') >= toDateTime(${FROM}) AND toDateTime(localDate, 'UTC') <= toDateTime(${TO})`,
  );
  assert.throws(() => expandMacros('$__timeFilter(a, b)', ctx), /expected 1 argument, received 2/);
  assert.throws(() => expandMacros('$__timeFilter(a', ctx), /missing close bracket/);
});

test('macros: every occurrence is replaced, and a longer name is never eaten by a shorter one', () => {
  assert.equal(expandMacros('$__fromTime, $__fromTime', ctx), `toDateTime(${FROM}), toDateTime(${FROM})`);
  assert.throws(() => expandMacros('$__fromTime_ms', ctx), /DateTime64/);
});

test('macros: macros that do not run on ClickHouse 18.16, and unknown ones, are refused', () => {
  assert.throws(() => expandMacros('$__timeInterval(hour)', ctx), /toStartOfInterval/);
  assert.throws(() => expandMacros('$__timeFilter_ms(t)', ctx), /DateTime64/);
  assert.throws(() => expandMacros('$__conditionalAll(a, $b)', ctx), /not a macro/);
});

test('variables: singlequote quotes each value and escapes a quote with a backslash (Grafana formatRegistry)', () => {
  assert.equal(interpolateVariables('IN (${r:singlequote})', { r: ['a', "o'b"] }), "IN ('a','o\\'b')");
  assert.equal(interpolateVariables('= ${s:singlequote}', { s: "x'y" }), "= 'x\\'y'");
  assert.equal(interpolateVariables('= ${s:sqlstring}', { s: "x'y" }), "= 'x''y'");
});

test("variables: without a format the plugin's own format applies: arrays quoted and joined, single values raw", () => {
  assert.equal(interpolateVariables('IN ($r)', { r: ['a', 'b'] }), "IN ('a','b')");
  assert.equal(interpolateVariables('$t AS threshold', { t: '3' }), '3 AS threshold');
  assert.equal(interpolateVariables('[[t]] and ${t}', { t: '3' }), '3 and 3');
});

test('variables: unknown names stay for the backend, unknown formats are refused', () => {
  assert.equal(interpolateVariables('$__timeFilter(x) AND $missing', { t: '1' }), '$__timeFilter(x) AND $missing');
  assert.throws(() => interpolateVariables('${t:lucene}', { t: '1' }), /lucene/);
});

test('variables: references are found in every syntax Grafana knows', () => {
  const refs = variableReferences("a = $x AND b IN (${y:singlequote}) AND c = [[z]] AND $__timeFilter(t)");
  assert.deepEqual(
    refs.map((r) => [r.name, r.format]),
    [
      ['x', undefined],
      ['y', 'singlequote'],
      ['z', undefined],
      ['__timeFilter', undefined],
    ],
  );
});

test('renderQuery: variables first (browser), then macros (backend)', () => {
  const sql = renderQuery('SELECT $q FROM t WHERE s = ${s:singlequote} AND $__timeFilter(t) GROUP BY intDiv(x, $__interval_s)', {
    ...ctx,
    variables: { q: 'count()', s: 'salon-1' },
  });
  assert.equal(sql, `SELECT count() FROM t WHERE s = 'salon-1' AND t >= toDateTime(${FROM}) AND t <= toDateTime(${TO}) GROUP BY intDiv(x, 3600)`);
});

test('conditionalAll: 1=1 at All or an empty value, the condition otherwise (CHDatasource.applyConditionalAll)', () => {
  const sql = 'WHERE $__conditionalAll(salonId IN (SELECT s FROM t WHERE f(a, b) IN (${r:singlequote})), $r) AND x';
  assert.equal(applyConditionalAll(sql, { variables: { r: ['a', 'b'] }, allSelected: new Set(['r']) }), 'WHERE 1=1 AND x');
  assert.equal(applyConditionalAll(sql, { variables: { r: [] } }), 'WHERE 1=1 AND x');
  assert.equal(
    applyConditionalAll(sql, { variables: { r: ['a'] } }),
    'WHERE salonId IN (SELECT s FROM t WHERE f(a, b) IN (${r:singlequote})) AND x',
  );
  assert.equal(
    renderQuery(sql, { ...ctx, variables: { r: ['a', "b'"] } }),
    "WHERE salonId IN (SELECT s FROM t WHERE f(a, b) IN ('a','b\\'')) AND x",
  );
  // Two in one query, and a malformed one left as the plugin leaves it.
  assert.equal(
    applyConditionalAll('$__conditionalAll(a = 1, $x) AND $__conditionalAll(b = 2, $y)', { variables: { x: 'v', y: '' } }),
    'a = 1 AND 1=1',
  );
  assert.equal(applyConditionalAll('$__conditionalAll(a = 1)', { variables: {} }), '$__conditionalAll(a = 1)');
});
