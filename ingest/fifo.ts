/**
 * ffmpeg's output through named pipes (FIFOs) instead of its stdout and stderr. Node reads a
 * child's stdout into a fresh 64 KiB buffer per read and hands it over to be copied again; a FIFO
 * opened here is a socket whose reads go where `onread` says, so the kernel copies pipe data
 * straight into the picture being assembled. The capture times come through a second FIFO, one
 * short line per picture, so stderr carries only ffmpeg's own messages. Linux only, like the rest
 * of the edge node (`mkfifo` is coreutils).
 *
 * The FIFOs of a sampler are made once (each `mkfifo` is a process to spawn) in a directory of
 * their own and removed with the sampler. Runs take turns: the sampler starts the next ffmpeg only
 * after the last one exited and its readers drained and closed, and a FIFO's buffer lives only
 * while one of its ends is open, so a new run never reads bytes left over from the one before.
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

/**
 * The read end of one FIFO, as a socket, and a write end held by this side. ffmpeg closes and
 * reopens an output file when it rebuilds its filter graph (the stream's picture size changed),
 * and the timestamp file is one: with only ffmpeg's write end, the reader would see end-of-file
 * at the close and stop reading before the reopen. Holding a writer means end-of-file comes only
 * when `drain` lets go of it, after ffmpeg exited.
 */
class FifoEnd {
  private readonly closed: Promise<void>;
  private error: string | undefined;
  private writer: number | undefined;

  private constructor(
    readonly fifoPath: string,
    readonly socket: net.Socket,
    writer: number,
  ) {
    this.writer = writer;
    socket.on('error', (error) => {
      this.error = describeError(error);
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        resolve();
      }),
    );
  }

  /** Opens `fifoPath` for reading; ffmpeg opens it for writing later. */
  static open(fifoPath: string, options: net.SocketConstructorOpts & net.ConnectOpts): FifoEnd {
    // Non-blocking, so the open does not wait for a writer.
    const fd = openSync(fifoPath, constants.O_RDONLY | constants.O_NONBLOCK);
    let writer: number;
    try {
      // Cannot block either: the FIFO has a reader now.
      writer = openSync(fifoPath, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    const socket = new net.Socket({ ...options, fd, readable: true, writable: false });
    return new FifoEnd(fifoPath, socket, writer);
  }

  get failure(): string | undefined {
    return this.error === undefined ? undefined : `${path.basename(this.fifoPath)}: ${this.error}`;
  }

  /**
   * After the writer has exited: resolves once everything it wrote was read. Letting go of this
   * side's write end makes the reader see end-of-file once drained (at once if ffmpeg never
   * opened the FIFO because it failed first).
   */
  async drain(timeoutMs: number): Promise<void> {
    this.releaseWriter();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    this.close();
  }

  close(): void {
    this.releaseWriter();
    this.socket.destroy();
  }

  private releaseWriter(): void {
    if (this.writer === undefined) return;
    closeSync(this.writer);
    this.writer = undefined;
  }
}

/** One run's readers: pictures into the sink, timestamp lines to a callback. */
export class RunPipes {
  constructor(
    private readonly pictures: FifoEnd,
    private readonly timestamps: FifoEnd,
  ) {}

  get picturesPath(): string {
    return this.pictures.fifoPath;
  }

  /** Why reading failed, if it did. */
  get failure(): string | undefined {
    const failures = [this.pictures.failure, this.timestamps.failure].filter(
      (failure) => failure !== undefined,
    );
    return failures.length === 0 ? undefined : failures.join('; ');
  }

  /** After ffmpeg exited: reads what it left in both FIFOs, then closes them. */
  async drain(timeoutMs = 2000): Promise<void> {
    await Promise.all([this.pictures.drain(timeoutMs), this.timestamps.drain(timeoutMs)]);
  }
}

/** Splits a stream of text into lines (without their newline), across chunk boundaries. */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      onLine(partial + chunk.slice(start, end));
      partial = '';
      start = end + 1;
    }
    partial += chunk.slice(start);
  };
}

/** A sampler's FIFOs, in a private directory. */
export class SamplerFifos {
  private constructor(private readonly dir: string) {}

  get picturesPath(): string {
    return path.join(this.dir, 'frames.rgb');
  }

  get timestampsPath(): string {
    return path.join(this.dir, 'timestamps.txt');
  }

  static create(): SamplerFifos {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'salonwatch-frames-'));
    const fifos = new SamplerFifos(dir);
    try {
      execFileSync('mkfifo', ['-m', '600', fifos.picturesPath, fifos.timestampsPath], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new SalonwatchError(
        'INTERNAL',
        `cannot create the frame FIFOs in ${dir} (mkfifo): ${describeError(error)}`,
        { cause: error },
      );
    }
    return fifos;
  }

  /** Readers for the next run; the previous run's must be closed. */
  open(sink: ByteSink, onTimestampLine: (line: string) => void): RunPipes {
    // `onread` is a documented option of `new net.Socket` (Node >= 12.10) that @types/node
    // declares only for `net.connect`: the intersection type carries it without a cast.
    const pictures = FifoEnd.open(this.picturesPath, {
      onread: {
        buffer: () => sink.target(),
        callback: (n) => {
          sink.advance(n);
          return true;
        },
      },
    });
    let timestamps: FifoEnd;
    try {
      timestamps = FifoEnd.open(this.timestampsPath, {});
    } catch (error) {
      pictures.close();
      throw error;
    }
    const split = lineSplitter(onTimestampLine);
    // The lines are ASCII (numbers and names), so no character straddles two chunks.
    timestamps.socket.on('data', (chunk: Buffer) => {
      split(chunk.toString('latin1'));
    });
    return new RunPipes(pictures, timestamps);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
