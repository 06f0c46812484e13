import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPart } from '../../../infra/stack/stack.js';
import type { StackPart } from '../../../infra/stack/part.js';
import {
  isAlive,
  startDetached,
  stopProcess,
  type ManagedProcess,
} from '../../../infra/stack/process.js';

// A part made of plain shell commands: the n-th start runs the n-th script. "Ready" means a
// file the script writes exists. No servers needed.
function scriptedPart(
  dir: string,
  scripts: readonly string[],
): StackPart & { starts: () => number } {
  const ready = path.join(dir, 'ready');
  const proc: ManagedProcess = {
    name: 'fake',
    pidFile: path.join(dir, 'fake.pid'),
    logFile: path.join(dir, 'fake.log'),
    marker: dir,
  };
  let starts = 0;
  return {
    name: 'fake',
    ports: [],
    process: proc,
    readyTimeoutMs: 10_000,
    prepare: () => undefined,
    start() {
      const script = scripts[starts] ?? assert.fail(`started ${starts + 1} times`);
      starts += 1;
      // The marker (the directory) is on the command line, as the real parts' are.
      return startDetached(proc, 'sh', ['-c', script, 'fake', dir]);
    },
    ready: () => Promise.resolve(existsSync(ready)),
    version: () => 'fake',
    starts: () => starts,
  };
}

function withDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'salonwatch-part-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('a part killed by a signal during start-up is started once more, and the result says why', async (t) => {
  const dir = withDir(t);
  const part = scriptedPart(dir, [
    'echo "first try"; kill -SEGV $$',
    'touch "$1/ready"; exec sleep 30',
  ]);
  const result = await startPart(part);
  t.after(() => stopProcess(part.process, { graceMs: 1000 }));
  assert.equal(part.starts(), 2);
  assert.equal(result.outcome, 'started');
  assert.ok(isAlive(result.pid));
  assert.match(
    result.restarted ?? '',
    /killed by SIGSEGV during start-up; its log said: first try/,
  );
});

test('a part that exits with a code during start-up fails at once, naming the code and the log', async (t) => {
  const dir = withDir(t);
  const part = scriptedPart(dir, ['echo "bad setting: port"; exit 3']);
  await assert.rejects(startPart(part), (error: Error) => {
    assert.match(error.message, /fake \(pid \d+\) ended during start-up \(exit code 3\)/);
    assert.match(error.message, /bad setting: port/);
    return true;
  });
  assert.equal(part.starts(), 1, 'a refusal is not retried');
});

test('a part that crashes twice fails with the second crash', async (t) => {
  const dir = withDir(t);
  const part = scriptedPart(dir, ['kill -KILL $$', 'kill -KILL $$']);
  await assert.rejects(
    startPart(part),
    /ended during start-up \(killed by SIGKILL\); log .*fake\.log:\n\(the log is empty\)/,
  );
  assert.equal(part.starts(), 2);
});
