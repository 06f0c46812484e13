/**
 * A schema fuzzer over the OpenAPI document: schemathesis (PyPI) generates requests for every
 * operation, valid and invalid, as an admin and as an owner, against the real API and ClickHouse;
 * no response may be a 5xx, and responses must match their documented schemas.
 *
 * schemathesis lives in a virtualenv under .state (bootstrap: python3 -m venv .state/api-venv &&
 * .state/api-venv/bin/pip install schemathesis); SALONWATCH_SCHEMATHESIS names another `st`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../common/paths.js';
import { startWorld } from './harness.js';

const st =
  process.env['SALONWATCH_SCHEMATHESIS'] ?? path.join(REPO_ROOT, '.state', 'api-venv', 'bin', 'st');

function run(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      resolve({ code, output });
    });
  });
}

test(
  'schemathesis finds no 5xx and no response off its schema',
  { skip: existsSync(st) ? false : `no schemathesis at ${st}` },
  async (t) => {
    const world = await startWorld(t, { days: 5 });
    const address = await world.app.listen({ host: '127.0.0.1', port: 0 });
    for (const [who, token] of [
      ['admin', world.tokens.admin],
      ['owner', world.tokens.ownerA],
    ] as const) {
      const { code, output } = await run([
        'run',
        `${address}/docs/json`,
        '--header',
        `Authorization: Bearer ${token}`,
        '--checks',
        'not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance',
        '--phases',
        'examples,coverage,fuzzing',
        '--max-examples',
        '40',
        // One worker: with two, Python 3.11's ast.parse (called by hypothesis) is not thread-safe.
        '--workers',
        '1',
        '--seed',
        '1',
      ]);
      t.diagnostic(
        `${who}: ${output
          .split('\n')
          .filter((line) => /passed|failed|errored|skipped|Operations|Test cases/i.test(line))
          .join(' | ')}`,
      );
      assert.equal(code, 0, `${who}:\n${output.slice(-6000)}`);
    }
  },
);
