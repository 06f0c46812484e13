/**
 * The sampler of one camera: an ffmpeg process (built and spawned with fluent-ffmpeg) that
 * decodes the stream, keeps `fps` frames per second, scales them to the model size and writes
 * RGB24 to a FIFO; this side reads the FIFO straight into pooled picture buffers (fifo.ts,
 * raw-frames.ts), stamps each Frame with its capture time from the stream's timestamps (a second
 * FIFO, one line per picture), checks picture health and hands frames to the consumer through a
 * bounded queue. A consumer done with a frame releases it, and its buffer carries a later
 * picture. It reconnects with capped, jittered backoff, and a watchdog restarts a process that
 * stopped delivering frames. The adapter owns all I/O and the clock; the decisions it applies
 * (backoff, timestamps, health, failure causes, decode mode) are pure modules.
 */
import ffmpeg from 'fluent-ffmpeg';
import type { ChildProcess } from 'node:child_process';
import type { Camera, FrameSize, StreamSource } from '../config/fleet.js';
import { describeError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/log.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { keyframeIntervalFromGaps, modeFor } from './decode-mode.js';
import { samplingArgs, type DecodeMode } from './ffmpeg-args.js';
import { classifyFailure, isDiagnostic, parseTimestampLine, type Failure } from './ffmpeg-log.js';
import { SamplerFifos, type RunPipes } from './fifo.js';
import { FrameQueue } from './frame-queue.js';
import type { Frame } from './frame.js';
import { CameraHealth, type HealthStatus, type HealthThresholds } from './health.js';
import { FramePool, RawFrameAssembler } from './raw-frames.js';
import { StreamClock } from './stream-clock.js';

export interface SamplerOptions {
  readonly cameraId: string;
  readonly source: StreamSource;
  readonly fps: number;
  readonly frameSize: FrameSize;
  /** Known keyframe interval; when absent it is measured from the stream. */
  readonly keyframeIntervalS?: number;
  /** Force a decode mode (benchmarks); normally chosen from the keyframe interval. */
  readonly mode?: DecodeMode;
  /** Frames held for a slow consumer before the oldest is dropped. */
  readonly queueCapacity?: number;
  readonly backoff?: BackoffPolicy;
  /** No frame for this many expected intervals means the stream stalled. */
  readonly stallIntervals?: number;
  /** How long a new connection may take to deliver its first frame. */
  readonly firstFrameTimeoutMs?: number;
  readonly ioTimeoutMs?: number;
  /** Files: read at native rate (default true), play `loops` extra times (-1: forever). */
  readonly realtime?: boolean;
  readonly loops?: number;
  /** Skip the per-frame picture checks (the benchmark measures them separately). */
  readonly analysePictures?: boolean;
  readonly health?: Partial<HealthThresholds>;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** What `salonwatch node status` shows per camera. */
export interface CameraStatus {
  readonly cameraId: string;
  readonly health: HealthStatus;
  readonly decodeMode: DecodeMode;
  readonly keyframeIntervalS: number | undefined;
  readonly framesReceived: number;
  readonly framesDropped: number;
  /** Frames per second received over the last `FPS_WINDOW_MS`. */
  readonly fps: number;
  readonly lastCapturedAt: number | undefined;
  /** ffmpeg processes started (first connection included). */
  readonly starts: number;
  readonly pid: number | undefined;
}

/** Sampler options for a camera of the fleet config; `extra` adds logger, thresholds, etc. */
export function samplerOptionsFor(
  camera: Camera,
  extra: Omit<
    SamplerOptions,
    'cameraId' | 'source' | 'fps' | 'frameSize' | 'keyframeIntervalS'
  > = {},
): SamplerOptions {
  return {
    cameraId: camera.id,
    source: camera.source,
    fps: camera.fps,
    frameSize: camera.frameSize,
    ...(camera.keyframeIntervalS === undefined
      ? {}
      : { keyframeIntervalS: camera.keyframeIntervalS }),
    ...extra,
  };
}

type HealthListener = (status: HealthStatus, cameraId: string) => void;

const FPS_WINDOW_MS = 30_000;
/** stderr lines kept to explain a failure. */
const DIAGNOSTIC_LINES = 40;
/** Frames held while waiting for their timestamp line (pictures and timestamps are separate FIFOs). */
const MAX_UNMATCHED = 8;

interface Run {
  readonly command: ffmpeg.FfmpegCommand;
  readonly startedAt: number;
  readonly assembler: RawFrameAssembler;
  readonly pipes: RunPipes;
  readonly frames: { data: Uint8Array; arrivedAt: number }[];
  /** Seconds; undefined for a frame without a pts. */
  readonly pts: (number | undefined)[];
  readonly diagnostics: string[];
  /** Set when this side ended the process, so its exit is not treated as a camera failure. */
  endedBy: 'stop' | 'restart' | Failure | undefined;
  sawInput: boolean;
  framesOut: number;
  pid: number | undefined;
  exited: Promise<void>;
}

export class CameraSampler {
  readonly cameraId: string;
  readonly frames: FrameQueue<Frame>;
  private readonly options: SamplerOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly health: CameraHealth;
  private readonly clock = new StreamClock();
  private readonly listeners = new Set<HealthListener>();
  private mode: DecodeMode;
  private keyframeIntervalS: number | undefined;
  private readonly gaps: number[] = [];
  private lastPts: number | undefined;
  private run: Run | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Set once a quick probe failed to find the stream's parameters: probe for ffmpeg's full 5 s. */
  private longProbe = false;
  private warnedPipeCapacity = false;
  private starts = 0;
  private received = 0;
  private lastFrameAt: number | undefined;
  private lastCapturedAt: number | undefined;
  private readonly arrivals: number[] = [];
  private pool: FramePool;
  private fifos: SamplerFifos | undefined;

  constructor(options: SamplerOptions) {
    this.options = options;
    this.cameraId = options.cameraId;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? createLogger({ component: 'sampler', cameraId: options.cameraId });
    const { width, height } = options.frameSize;
    this.pool = new FramePool(width * height * 3);
    // A frame the consumer never saw is released here.
    this.frames = new FrameQueue<Frame>(options.queueCapacity ?? 2, (frame) => frame.release?.());
    this.health = new CameraHealth(this.now(), options.health);
    this.keyframeIntervalS = options.keyframeIntervalS;
    this.mode =
      options.mode ??
      (this.keyframeIntervalS === undefined
        ? 'keyframe'
        : modeFor(1 / options.fps, this.keyframeIntervalS));
  }

  onHealth(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): this {
    if (this.watchdog !== undefined || this.stopped) return this;
    this.spawn();
    // One timer per camera, once a second: cheap, and a stall is detected within a second.
    this.watchdog = setInterval(() => {
      this.tick();
    }, 1000);
    this.watchdog.unref();
    return this;
  }

  /** Stops the process, ends the frame queue, and resolves once ffmpeg has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    clearTimeout(this.retryTimer);
    const run = this.run;
    if (run !== undefined) {
      run.endedBy = 'stop';
      run.command.kill('SIGKILL');
      await run.exited;
    }
    this.frames.close();
    this.fifos?.remove();
  }

  status(): CameraStatus {
    const now = this.now();
    while (this.arrivals.length > 0 && (this.arrivals[0] ?? 0) < now - FPS_WINDOW_MS)
      this.arrivals.shift();
    return {
      cameraId: this.cameraId,
      health: this.health.status,
      decodeMode: this.mode,
      keyframeIntervalS: this.keyframeIntervalS,
      framesReceived: this.received,
      framesDropped: this.frames.dropped,
      fps:
        this.arrivals.length /
        (Math.max(1000, Math.min(FPS_WINDOW_MS, now - (this.firstArrival ?? now))) / 1000),
      lastCapturedAt: this.lastCapturedAt,
      starts: this.starts,
      pid: this.run?.pid,
    };
  }

  private firstArrival: number | undefined;

  private emit(change: HealthStatus | undefined): void {
    if (change === undefined) return;
    this.log.info('camera health', {
      state: change.state,
      since: new Date(change.since).toISOString(),
      reason: change.reason,
    });
    for (const listener of this.listeners) listener(change, this.cameraId);
  }

  private spawn(): void {
    const assembler = new RawFrameAssembler(this.pool);
    let fifos: SamplerFifos;
    let pipes: RunPipes;
    try {
      fifos = this.fifos ??= SamplerFifos.create();
      pipes = fifos.open(
        {
          pictureBytes: assembler.frameBytes,
          target: () => assembler.target(),
          advance: (n) => {
            assembler.advance(n, (data) => {
              this.onRawFrame(run, data);
            });
          },
        },
        (line) => {
          this.onTimestampLine(run, line);
        },
      );
    } catch (error) {
      // No FIFO, no pictures (a full or read-only temporary directory): the camera is offline
      // for a reason of this node's, and the next attempt may find room.
      this.retryLater({ cause: 'failed', detail: describeError(error) });
      return;
    }
    const { shortfall } = pipes.pictureCapacity;
    if (shortfall !== undefined && !this.warnedPipeCapacity) {
      this.warnedPipeCapacity = true;
      this.log.warn('picture FIFO not enlarged: pictures cross it in 64 KiB pieces, at more CPU', {
        reason: shortfall,
      });
    }
    const args = samplingArgs(
      {
        source: this.options.source,
        fps: this.options.fps,
        frameSize: this.options.frameSize,
        mode: this.mode,
        ...(this.options.realtime === undefined ? {} : { realtime: this.options.realtime }),
        ...(this.options.loops === undefined ? {} : { loops: this.options.loops }),
        ...(this.options.ioTimeoutMs === undefined
          ? {}
          : { ioTimeoutMs: this.options.ioTimeoutMs }),
        quickProbe: !this.longProbe,
      },
      fifos.timestampsPath,
    );
    // fluent-ffmpeg keeps a ring of stderr lines for its error message; a short one is enough.
    const command = ffmpeg({ stdoutLines: 20 })
      .input(args.input)
      .inputOptions(...args.inputOptions)
      .outputOptions(...args.outputOptions);
    let resolveExited: () => void = () => undefined;
    const run: Run = {
      command,
      startedAt: this.now(),
      assembler,
      pipes,
      frames: [],
      pts: [],
      diagnostics: [],
      endedBy: undefined,
      sawInput: false,
      framesOut: 0,
      pid: undefined,
      exited: new Promise<void>((resolve) => {
        resolveExited = resolve;
      }),
    };
    this.run = run;
    this.starts++;
    this.clock.reset();
    this.lastPts = undefined;

    command.on('start', (line: string) => {
      // fluent-ffmpeg exposes the child only as an undocumented field; the pid is for status and
      // for the benchmark's /proc accounting.
      run.pid = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc?.pid;
      this.log.debug('ffmpeg started', {
        pid: run.pid,
        mode: this.mode,
        pictureFifoBytes: pipes.pictureCapacity.bytes,
        command: line,
      });
      // fluent-ffmpeg spawns asynchronously; a kill asked for before the spawn was a no-op.
      if (run.endedBy !== undefined) command.kill('SIGKILL');
    });
    command.on('stderr', (line: string) => {
      this.onStderr(run, line);
    });
    const finished = (error: Error | undefined) => {
      // The pictures ffmpeg wrote before it exited are still in the FIFOs: read them first.
      void pipes.drain().then(() => {
        if (pipes.failure !== undefined)
          this.log.warn('reading the frame FIFOs failed', { error: pipes.failure });
        run.assembler.reset();
        resolveExited();
        this.onExit(run, error);
      });
    };
    command.on('error', (error: Error) => {
      finished(error);
    });
    command.on('end', () => {
      finished(undefined);
    });
    // Pictures are consumed as they complete, so ffmpeg is never blocked by this side.
    command.output(pipes.picturesPath).run();
  }

  private onTimestampLine(run: Run, line: string): void {
    if (run !== this.run) return;
    const timestamp = parseTimestampLine(line);
    if (timestamp === undefined) return;
    run.pts.push(timestamp.ptsTime);
    this.match(run);
  }

  private onStderr(run: Run, line: string): void {
    if (run !== this.run) return;
    if (line.startsWith('Input #0')) run.sawInput = true;
    if (isDiagnostic(line)) {
      run.diagnostics.push(line);
      if (run.diagnostics.length > DIAGNOSTIC_LINES) run.diagnostics.shift();
    }
  }

  private onRawFrame(run: Run, data: Uint8Array): void {
    if (run !== this.run) {
      this.pool.give(data);
      return;
    }
    run.frames.push({ data, arrivedAt: this.now() });
    if (run.frames.length > MAX_UNMATCHED) {
      // Timestamps stopped matching pictures (should not happen); drop rather than grow.
      const dropped = run.frames.shift();
      if (dropped !== undefined) this.pool.give(dropped.data);
      this.log.warn('frame without a timestamp dropped');
    }
    this.match(run);
  }

  /** Pairs pictures with their timestamps, both in output order. */
  private match(run: Run): void {
    while (run.frames.length > 0 && run.pts.length > 0) {
      const picture = run.frames.shift();
      const pts = run.pts.shift();
      if (picture === undefined) return;
      run.framesOut++;
      this.deliver(run, picture.data, pts, picture.arrivedAt);
    }
  }

  private deliver(run: Run, data: Uint8Array, ptsS: number | undefined, arrivedAt: number): void {
    const capturedAt =
      ptsS === undefined
        ? this.clock.withoutPts(arrivedAt)
        : this.clock.capturedAt(ptsS, arrivedAt);
    const pool = this.pool;
    let released = false;
    const frame: Frame = {
      cameraId: this.cameraId,
      capturedAt,
      width: this.options.frameSize.width,
      height: this.options.frameSize.height,
      data,
      release: () => {
        if (released) return;
        released = true;
        pool.give(data);
      },
    };
    this.received++;
    this.attempt = 0;
    this.lastFrameAt = arrivedAt;
    this.lastCapturedAt = capturedAt;
    this.firstArrival ??= arrivedAt;
    this.arrivals.push(arrivedAt);
    while ((this.arrivals[0] ?? arrivedAt) < arrivedAt - FPS_WINDOW_MS) this.arrivals.shift();
    this.emit(
      (this.options.analysePictures ?? true)
        ? this.health.frame(frame, capturedAt)
        : this.health.alive(capturedAt),
    );
    this.frames.push(frame);
    if (ptsS !== undefined) this.probeKeyframeInterval(run, ptsS);
  }

  private probeKeyframeInterval(run: Run, ptsS: number): void {
    const previous = this.lastPts;
    this.lastPts = ptsS;
    if (
      this.mode !== 'keyframe' ||
      this.options.mode !== undefined ||
      this.options.keyframeIntervalS !== undefined
    )
      return;
    if (previous === undefined || this.gaps.length >= 3) return;
    this.gaps.push(ptsS - previous);
    const interval = keyframeIntervalFromGaps(this.gaps);
    if (interval === undefined) return;
    this.keyframeIntervalS = interval;
    const mode = modeFor(1 / this.options.fps, interval);
    this.log.info('keyframe interval measured', { keyframeIntervalS: interval, mode });
    if (mode !== this.mode) {
      this.mode = mode;
      this.restart(run);
    }
  }

  private restart(run: Run): void {
    run.endedBy = 'restart';
    run.command.kill('SIGKILL');
  }

  private expectedIntervalMs(): number {
    const sampling = 1000 / this.options.fps;
    // In keyframe mode with a GOP not yet measured, assume 2 s, a common camera default; the
    // budget is k of these, so a 4 s GOP still fits.
    const keyframe = this.mode === 'keyframe' ? (this.keyframeIntervalS ?? 2) * 1000 : 0;
    return Math.max(sampling, keyframe);
  }

  private tick(): void {
    const run = this.run;
    const now = this.now();
    this.emit(this.health.update(now));
    if (run === undefined || run.endedBy !== undefined) return;
    const k = this.options.stallIntervals ?? 5;
    const since = Math.max(run.startedAt, this.lastFrameAt ?? 0);
    const budget =
      run.framesOut === 0
        ? (this.options.firstFrameTimeoutMs ?? 15_000)
        : Math.max(5_000, k * this.expectedIntervalMs());
    if (now - since <= budget) return;
    // ffmpeg is alive but delivers nothing. A source that talks (or ffmpeg's socket timeout
    // would have ended it) yet never yields a stream description is not a video stream; one
    // that was described but produced no frames, or stopped producing them, has stalled.
    const known = classifyFailure(run.diagnostics);
    const silentFor = `${((now - since) / 1000).toFixed(0)} s`;
    run.endedBy =
      known?.cause === 'invalid-stream'
        ? known
        : run.sawInput
          ? { cause: 'stalled', detail: `no frame for ${silentFor}` }
          : {
              cause: 'invalid-stream',
              detail: `the source answers but no playable stream after ${silentFor}`,
            };
    run.command.kill('SIGKILL');
  }

  private onExit(run: Run, error: Error | undefined): void {
    if (run !== this.run) return;
    this.run = undefined;
    if (this.stopped || run.endedBy === 'stop') return;
    if (run.endedBy === 'restart') {
      this.spawn();
      return;
    }
    const failure = run.endedBy ?? this.explain(run, error);
    if (
      failure.cause === 'invalid-stream' &&
      run.framesOut === 0 &&
      !this.longProbe &&
      this.options.source.kind === 'rtsp'
    ) {
      this.longProbe = true;
      this.log.info('probing the stream for longer on the next attempt', {
        detail: failure.detail,
      });
    }
    this.retryLater(failure);
  }

  private retryLater(failure: Failure): void {
    this.emit(this.health.offline(`${failure.cause}: ${failure.detail}`, this.now()));
    const delay = backoffDelay(
      this.attempt++,
      this.random(),
      this.options.backoff ?? DEFAULT_BACKOFF,
    );
    this.log.warn('camera stream ended; reconnecting', {
      cause: failure.cause,
      detail: failure.detail,
      retryInMs: delay,
    });
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.spawn();
    }, delay);
  }

  private explain(run: Run, error: Error | undefined): Failure {
    const ioTimeoutMs = this.options.ioTimeoutMs ?? 5_000;
    if (error === undefined) {
      if (this.options.source.kind === 'file') return { cause: 'ended', detail: 'end of file' };
      // ffmpeg treats a live stream whose socket timed out as a normal end of input.
      const quietMs = this.now() - Math.max(run.startedAt, this.lastFrameAt ?? 0);
      return quietMs >= ioTimeoutMs * 0.9
        ? { cause: 'timeout', detail: `no data for ${(quietMs / 1000).toFixed(0)} s` }
        : { cause: 'ended', detail: 'the server ended the stream' };
    }
    const known = classifyFailure(run.diagnostics);
    // An RTSP server that accepts the connection and then says nothing makes ffmpeg 5 report only
    // "Invalid data found" once its socket timeout expires; a server talking nonsense makes it
    // complain about the replies first (e.g. "CSeq 1 expected, 0 received").
    const onlyGeneric = run.diagnostics.every((line) => line.includes('Invalid data found'));
    if (
      this.options.source.kind === 'rtsp' &&
      known?.cause === 'invalid-stream' &&
      onlyGeneric &&
      !run.sawInput &&
      this.now() - run.startedAt >= ioTimeoutMs * 0.9
    ) {
      return { cause: 'timeout', detail: `no answer within ${ioTimeoutMs} ms` };
    }
    return (
      known ?? {
        cause: 'failed',
        detail: error.message.split('\n')[0]?.slice(0, 300) ?? 'ffmpeg failed',
      }
    );
  }
}
