/**
 * The two libc calls the sampler needs and Node has no API for, through koffi (an FFI whose
 * binaries come prebuilt from npm, so nothing is compiled at install): `mkfifo(3)`, so that a
 * camera's FIFOs are made without starting a process, and `fcntl(2)` with `F_SETPIPE_SZ`, so that
 * a FIFO holds more of a picture (pipe-capacity.ts). Linux only, like the rest of the edge node.
 * The library is opened on first use: a process that never samples a camera never loads it.
 */
import koffi from 'koffi';
import { getSystemErrorName } from 'node:util';

/** From <linux/fcntl.h>: F_LINUX_SPECIFIC_BASE (1024) + 7 and + 8. */
const F_SETPIPE_SZ = 1031;
const F_GETPIPE_SZ = 1032;

interface Libc {
  readonly mkfifo: (path: string, mode: number) => number;
  readonly fcntl: (fd: number, command: number, argType: 'int', arg: number) => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc !== undefined) return libc;
  // `null` opens the running program, which has libc linked in: no library name to guess
  // (glibc's libc.so.6, musl's libc.musl-*.so.1).
  const lib = koffi.load(null);
  libc = {
    mkfifo: lib.func('int mkfifo(const char *path, uint32_t mode)') as Libc['mkfifo'],
    // fcntl is variadic: each extra argument is passed with its C type.
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)') as Libc['fcntl'],
  };
  return libc;
}

/** An OSError-like failure of a libc call: `EEXIST`, `EPERM`... in `code`, as Node's own errors. */
export class LibcError extends Error {
  constructor(
    readonly call: string,
    readonly code: string,
  ) {
    super(`${call} failed: ${code}`);
    this.name = 'LibcError';
  }
}

function check(call: string, result: number): number {
  if (result !== -1) return result;
  let code: string;
  try {
    code = getSystemErrorName(-koffi.errno());
  } catch {
    code = `errno ${koffi.errno()}`;
  }
  throw new LibcError(call, code);
}

/** Makes a FIFO at `path` (which must not exist) with permission bits `mode`. */
export function mkfifo(path: string, mode: number): void {
  check(`mkfifo ${path}`, load().mkfifo(path, mode));
}

/**
 * Sets the capacity of the pipe behind `fd` (either end) to at least `bytes`; the kernel rounds
 * up to a power-of-two number of pages. Returns the capacity it set.
 */
export function setPipeSize(fd: number, bytes: number): number {
  return check('fcntl F_SETPIPE_SZ', load().fcntl(fd, F_SETPIPE_SZ, 'int', bytes));
}

/** The capacity of the pipe behind `fd`. */
export function pipeSize(fd: number): number {
  return check('fcntl F_GETPIPE_SZ', load().fcntl(fd, F_GETPIPE_SZ, 'int', 0));
}
