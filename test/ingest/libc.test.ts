/** The libc calls through koffi, on real FIFOs (Linux). */
import assert from 'node:assert/strict';
import { closeSync, constants, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LibcError, mkfifo, pipeSize, setPipeSize } from '../../ingest/libc.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'salonwatch-libc-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

void test('mkfifo makes a FIFO with the mode asked for', (t) => {
  const fifo = path.join(tempDir(t), 'pictures');
  const umask = process.umask(0);
  try {
    mkfifo(fifo, 0o640);
  } finally {
    process.umask(umask);
  }
  const stat = statSync(fifo);
  assert.ok(stat.isFIFO());
  assert.equal(stat.mode & 0o777, 0o640);
});

void test('a failing call throws with the errno name and the path', (t) => {
  const fifo = path.join(tempDir(t), 'pictures');
  mkfifo(fifo, 0o600);
  assert.throws(
    () => {
      mkfifo(fifo, 0o600);
    },
    (error: unknown) =>
      error instanceof LibcError &&
      error.code === 'EEXIST' &&
      error.message === `mkfifo ${fifo} failed: EEXIST`,
  );
  assert.throws(
    () => {
      mkfifo(path.join(fifo + '-missing', 'x'), 0o600);
    },
    (error: unknown) => error instanceof LibcError && error.code === 'ENOENT',
  );
});

void test('a pipe is enlarged to a power of two of pages, read back the same', (t) => {
  const fifo = path.join(tempDir(t), 'pictures');
  mkfifo(fifo, 0o600);
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  t.after(() => {
    closeSync(fd);
  });
  assert.equal(pipeSize(fd), 64 * 1024, 'the default');
  assert.equal(setPipeSize(fd, 300 * 1024), 512 * 1024, 'rounded up');
  assert.equal(pipeSize(fd), 512 * 1024);
});

void test('fcntl on a file that is not a pipe fails with EBADF', (t) => {
  const fd = openSync(path.join(tempDir(t), 'plain'), 'w');
  t.after(() => {
    closeSync(fd);
  });
  assert.throws(
    () => setPipeSize(fd, 512 * 1024),
    (error: unknown) => error instanceof LibcError && error.code === 'EBADF',
  );
});
