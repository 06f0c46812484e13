/**
 * ffmpeg's pictures through a named pipe (FIFO) instead of its stdout. Node reads a child's stdout
 * into a fresh 64 KiB buffer per read and hands it over to be copied again; a FIFO opened here is
 * a socket whose reads go where `onread` says, so the kernel copies pipe data straight into the
 * picture being assembled. Linux only, like the rest of the edge node (`mkfifo` is coreutils).
 *
 * One FIFO per sampler, made once (each `mkfifo` is a process to spawn) in a directory of its own
 * and removed with the sampler. Runs take turns: the sampler starts the next ffmpeg only after the
 * last one exited and its reader drained and closed, and a FIFO's buffer lives only while one of
 * its ends is open, so a new run never reads bytes left over from the one before.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SalonwatchError, describeError } from '../common/errors.js';

/** Where the bytes go and how many came: `RawFrameAssembler`'s side of the reader. */
export interface ByteSink {
  target(): Uint8Array;
  advance(n: number): void;
}

export class FifoReader {
  private readonly socket: net.Socket;
  private readonly closed: Promise<void>;
  private error: string | undefined;

  /** Starts reading the FIFO at `fifoPath`; ffmpeg opens it for writing later. */
  constructor(
    readonly fifoPath: string,
    sink: ByteSink,
  ) {
    // Non-blocking, so the open does not wait for a writer; until one has come and gone, the
    // kernel reports neither data nor end-of-file.
    const fd = openSync(fifoPath, constants.O_RDONLY | constants.O_NONBLOCK);
    // `onread` is a documented option of `new net.Socket` (Node >= 12.10) that @types/node
    // declares only for `net.connect`: the intersection type carries it without a cast.
    const options: net.SocketConstructorOpts & net.ConnectOpts = {
      fd,
      readable: true,
      writable: false,
      onread: {
        buffer: () => sink.target(),
        callback: (n) => {
          sink.advance(n);
          return true;
        },
      },
    };
    this.socket = new net.Socket(options);
    this.socket.on('error', (error) => {
      this.error = describeError(error);
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        resolve();
      }),
    );
  }

  /** Why reading failed, if it did. */
  get failure(): string | undefined {
    return this.error;
  }

  /**
   * After the writer has exited: resolves once everything it wrote was read. A writer that never
   * opened the FIFO (ffmpeg failed first) would leave the reader waiting forever, so this opens
   * and closes a writer end of its own, which makes the reader see end-of-file once drained.
   */
  async drain(timeoutMs = 2000): Promise<void> {
    try {
      closeSync(openSync(this.fifoPath, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: the reader is already closed, nothing to drain.
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    this.close();
  }

  /** Stops reading. */
  close(): void {
    this.socket.destroy();
  }
}

/** A sampler's FIFO, in a private directory. */
export class FrameFifo {
  private constructor(
    private readonly dir: string,
    readonly path: string,
  ) {}

  static create(): FrameFifo {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'salonwatch-frames-'));
    const fifoPath = path.join(dir, 'frames.rgb');
    try {
      execFileSync('mkfifo', ['-m', '600', fifoPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new SalonwatchError(
        'INTERNAL',
        `cannot create the frame FIFO ${fifoPath} (mkfifo): ${describeError(error)}`,
        { cause: error },
      );
    }
    return new FrameFifo(dir, fifoPath);
  }

  /** A reader for the next run; the previous run's must be closed. */
  open(sink: ByteSink): FifoReader {
    return new FifoReader(this.path, sink);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
