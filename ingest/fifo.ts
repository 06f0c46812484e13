/**
 * ffmpeg's output through named pipes (FIFOs) instead of its stdout and stderr. Node reads a
 * child's stdout into a fresh 64 KiB buffer per read and hands it over to be copied again; a FIFO
 * opened here is a socket whose reads go where `onread` says, so the kernel copies pipe data
 * straight into the picture being assembled. The picture FIFO is enlarged to hold half a
 * picture or more (pipe-capacity.ts), so that ffmpeg seldom waits on a full pipe and node reads a
 * picture in fewer, larger pieces. The capture times come through a second FIFO, one short line
 * per picture, so stderr carries only ffmpeg's own messages. Linux only, like the rest of the
 * edge node.
 *
 * The FIFOs of a sampler are made once in a directory of their own and removed with the sampler.
 * Runs take turns: the sampler starts the next ffmpeg only after the last one exited and its
 * readers drained and closed, and a FIFO's buffer (and the capacity given to it) lives only while
 * one of its ends is open, so a new run never reads bytes left over from the one before.
 */
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SalonwatchError, describeError } from '../common/errors.js';
import { mkfifo, setPipeSize } from './libc.js';
import {
  budgetBytesFor,
  DEFAULT_PIPE_BYTES,
  pictureFifoBytes,
  PipeBudget,
} from './pipe-capacity.js';

/** Where the bytes go and how many came: `RawFrameAssembler`'s side of the reader. */
export interface ByteSink {
  /** The size of one picture, which the picture FIFO is sized for. */
  readonly pictureBytes: number;
  target(): Uint8Array;
  advance(n: number): void;
}

/** The capacity a FIFO was given, and why not more. */
export interface PipeCapacity {
  readonly bytes: number;
  /** Why the FIFO kept a smaller capacity than asked for. */
  readonly shortfall?: string;
}

let processBudget: PipeBudget | undefined;

/** This process's budget of enlarged pipe capacity, from the kernel's per-user limit. */
function processPipeBudget(): PipeBudget {
  if (processBudget !== undefined) return processBudget;
  // The kernel's default, if the limit cannot be read.
  let softLimitPages = 16_384;
  try {
    const read = Number(readFileSync('/proc/sys/fs/pipe-user-pages-soft', 'utf8').trim());
    if (Number.isInteger(read) && read >= 0) softLimitPages = read;
  } catch {
    // Not Linux, or /proc not mounted: keep the default.
  }
  processBudget = new PipeBudget(budgetBytesFor(softLimitPages));
  return processBudget;
}

/** Enlarges the pipe behind `fd` to `bytes` if the budget allows; never fails the camera. */
function enlarge(fd: number, bytes: number, budget: PipeBudget): PipeCapacity {
  if (bytes <= DEFAULT_PIPE_BYTES) return { bytes: DEFAULT_PIPE_BYTES };
  if (!budget.reserve(bytes))
    return {
      bytes: DEFAULT_PIPE_BYTES,
      shortfall: `this process's enlarged pipes already take ${budget.used / 1024} of ${budget.limitBytes / 1024} KiB (half the kernel's per-user limit)`,
    };
  try {
    return { bytes: setPipeSize(fd, bytes) };
  } catch (error) {
    budget.release(bytes);
    return { bytes: DEFAULT_PIPE_BYTES, shortfall: describeError(error) };
  }
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
  private reserved: number;

  private constructor(
    readonly fifoPath: string,
    readonly socket: net.Socket,
    writer: number,
    readonly capacity: PipeCapacity,
    private readonly budget: PipeBudget | undefined,
    reserved: number,
  ) {
    this.writer = writer;
    this.reserved = reserved;
    socket.on('error', (error) => {
      this.error = describeError(error);
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        resolve();
      }),
    );
  }

  /**
   * Opens `fifoPath` for reading; ffmpeg opens it for writing later. `enlargeTo`: the capacity
   * to give the pipe, if the budget allows.
   */
  static open(
    fifoPath: string,
    options: net.SocketConstructorOpts & net.ConnectOpts,
    enlargeTo?: { readonly bytes: number; readonly budget: PipeBudget },
  ): FifoEnd {
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
    // The pipe exists from the first open to the last close, so it is sized here, before ffmpeg
    // opens it.
    const capacity =
      enlargeTo === undefined
        ? { bytes: DEFAULT_PIPE_BYTES }
        : enlarge(fd, enlargeTo.bytes, enlargeTo.budget);
    const socket = new net.Socket({ ...options, fd, readable: true, writable: false });
    // What the budget lent this pipe, to give back when it closes.
    const reserved =
      enlargeTo !== undefined && capacity.shortfall === undefined
        ? enlargeTo.bytes
        : DEFAULT_PIPE_BYTES;
    return new FifoEnd(fifoPath, socket, writer, capacity, enlargeTo?.budget, reserved);
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
    // Both ends of this side are closed, and ffmpeg's went with its process: the pipe is gone.
    this.budget?.release(this.reserved);
    this.reserved = DEFAULT_PIPE_BYTES;
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

  /** What the picture FIFO holds. */
  get pictureCapacity(): PipeCapacity {
    return this.pictures.capacity;
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
  private constructor(
    private readonly dir: string,
    private readonly budget: PipeBudget,
  ) {}

  get picturesPath(): string {
    return path.join(this.dir, 'frames.rgb');
  }

  get timestampsPath(): string {
    return path.join(this.dir, 'timestamps.txt');
  }

  /** `budget`: what enlarged picture FIFOs may take in all (by default this process's). */
  static create(budget = processPipeBudget()): SamplerFifos {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'salonwatch-frames-'));
    const fifos = new SamplerFifos(dir, budget);
    try {
      mkfifo(fifos.picturesPath, 0o600);
      mkfifo(fifos.timestampsPath, 0o600);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new SalonwatchError(
        'INTERNAL',
        `cannot create the frame FIFOs in ${dir}: ${describeError(error)}`,
        { cause: error },
      );
    }
    return fifos;
  }

  /** Readers for the next run; the previous run's must be closed. */
  open(sink: ByteSink, onTimestampLine: (line: string) => void): RunPipes {
    // `onread` is a documented option of `new net.Socket` (Node >= 12.10) that @types/node
    // declares only for `net.connect`: the intersection type carries it without a cast.
    const pictures = FifoEnd.open(
      this.picturesPath,
      {
        onread: {
          buffer: () => sink.target(),
          callback: (n) => {
            sink.advance(n);
            return true;
          },
        },
      },
      { bytes: pictureFifoBytes(sink.pictureBytes), budget: this.budget },
    );
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
