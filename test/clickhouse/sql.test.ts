import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ident, joinSql, sql, sqlDay, sqlList, sqlLiteral } from '../../clickhouse/sql.js';
import { isSalonwatchError } from '../../common/errors.js';

const rejects = (fn: () => unknown, pattern: RegExp) => {
  assert.throws(fn, (error: unknown) => isSalonwatchError(error) && error.code === 'SQL_VALUE_INVALID' && pattern.test(error.message));
};

void test('strings escape quotes, backslashes and control bytes, and keep unicode', () => {
  assert.equal(sqlLiteral("it's"), "'it\\'s'");
  assert.equal(sqlLiteral('a\\b'), "'a\\\\b'");
  assert.equal(sqlLiteral('nul\u0000x\n\t\u007f'), "'nul\\x00x\\x0a\\x09\\x7f'");
  assert.equal(sqlLiteral('Салон №1 👋'), "'Салон №1 👋'");
  assert.equal(sqlLiteral("'; DROP TABLE events; --"), "'\\'; DROP TABLE events; --'");
});

void test('lone surrogates are refused rather than changed', () => {
  rejects(() => sqlLiteral('a\ud800b'), /surrogate/);
  rejects(() => sqlLiteral('\udc00'), /surrogate/);
});

void test('numbers, bigints, booleans and null', () => {
  assert.equal(sqlLiteral(42), '42');
  assert.equal(sqlLiteral(-1.5), '-1.5');
  assert.equal(sqlLiteral(1e-7), '1e-7');
  assert.equal(sqlLiteral(2n ** 64n - 1n), '18446744073709551615');
  assert.equal(sqlLiteral(true), '1');
  assert.equal(sqlLiteral(false), '0');
  assert.equal(sqlLiteral(null), 'NULL');
  rejects(() => sqlLiteral(Number.NaN), /not finite/);
  rejects(() => sqlLiteral(Infinity), /not finite/);
  rejects(() => sqlLiteral(2.8236281723685e-310), /subnormal/);
  assert.equal(sqlLiteral(2 ** -1022), String(2 ** -1022));
  rejects(() => sqlLiteral(2n ** 64n), /outside/);
});

void test('dates become UTC DateTime, days become Date', () => {
  assert.equal(sqlLiteral(new Date('2026-11-25T13:20:05.999Z')), "toDateTime('2026-11-25 13:20:05', 'UTC')");
  assert.equal(sqlLiteral(sqlDay('2026-02-28')), "toDate('2026-02-28')");
  rejects(() => sqlDay('2026-02-30'), /calendar day/);
  rejects(() => sqlDay("2026-01-01' OR 1"), /calendar day/);
  rejects(() => sqlLiteral(new Date(Number.NaN)), /invalid Date/);
  rejects(() => sqlLiteral(new Date('1969-12-31T23:59:59Z')), /range/);
});

void test('arrays nest, lists and fragments compose', () => {
  assert.equal(sqlLiteral(['a', "b'"]), "['a', 'b\\'']");
  assert.equal(sqlLiteral([[1, 2], []]), '[[1, 2], []]');
  assert.equal(sqlList(['x', 'y']).text, "'x', 'y'");
  assert.equal(sqlList([]).text, 'NULL');
  const q = sql`SELECT * FROM ${ident('events')} WHERE salonId = ${"o'brien"} AND ${joinSql([sql`a = ${1}`, sql`b = ${2}`], ' AND ')}`;
  assert.equal(q.text, "SELECT * FROM events WHERE salonId = 'o\\'brien' AND a = 1 AND b = 2");
});

void test('identifiers are plain names only', () => {
  assert.equal(ident('rollup_daily').text, 'rollup_daily');
  rejects(() => ident('events; DROP'), /identifier/);
  rejects(() => ident('`x`'), /identifier/);
});
