/**
 * `salonwatch bench sampling`: what sampling one camera costs, against the floor of ffmpeg
 * decoding the same stream bare. For 1080p and 720p test streams (25 fps, 2 s GOP), in
 * keyframe-only and full-decode modes, N sampler cameras (the real CameraSampler in this
 * process, picture health included, its frames released as a consumer done with them would) and
 * N bare ffmpeg processes with the same decode, frame selection, scale and pixel format writing
 * to /dev/null decode the same minutes of stream at the same time, in two phases, so that both
 * sides see the same machine. CPU comes from the kernel's accounts of exited processes: the bare
 * processes' from `times` of the shell that ran each, the samplers' ffmpeg from this process's
 * cutime+cstime less those, and this process's own CPU over the phases (it is part of the
 * sampler's cost), less what it spent polling /proc and starting the bare processes.
 *
 * The figures are a camera's steady state: a camera is sampled for days between restarts, so
 * what one start costs (ffmpeg loading its libraries, about 70 ms of CPU on each side; node
 * forking ffmpeg and opening its FIFOs, about 10 ms more on the sampler's side) belongs to no
 * camera-minute. The phases are made long enough for it to weigh little: keyframe-only decoding
 * costs a sixth of full decoding, so its phases play four times as long, and a short phase
 * before the first mode, not counted, lets V8 compile the sampler's code as a running node has.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ffmpeg from 'fluent-ffmpeg';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import { numberOption, parseCommandArgs, type Command } from '../cli/command.js';
import { createLogger } from '../common/log.js';
import { DEFAULT_FRAME_SIZE } from '../config/fleet.js';
import { benchStreams, type BenchStream } from './bench-streams.js';
import { argv, samplingArgs, type DecodeMode, type SamplingSpec } from './ffmpeg-args.js';
import { exitedChildrenCpuSeconds, pssMb, rssMb } from './proc.js';
import { CameraSampler } from './sampler.js';

/** Keyframe-only phases play this many times as long as full-decoding ones (see the top). */
const KEYFRAME_PLAYS_FACTOR = 4;

const help = `usage: salonwatch bench sampling [--json] [--cameras N] [--plays P]

Measures the CPU and memory of sampling one camera at 1 fps (768x432 RGB) against bare ffmpeg
doing the same decode, for 1080p and 720p H.264 (25 fps, 2 s keyframe interval, 30 s made from
../shared/data footage into .state/bench/sampling on first run), keyframe-only and full decoding.
Both sides run at the same time, each decoding as fast as the machine allows; figures are per
minute of stream, in a camera's steady state (what a start costs is spread over the phase).

options:
  --json         print one JSON object
  --cameras N    concurrent sampler cameras and bare ffmpeg processes per phase (default 3)
  --plays P      passes over the 30 s stream per camera and phase in full decoding (default 4);
                 keyframe-only phases make ${KEYFRAME_PLAYS_FACTOR}xP, about as much CPU
`;

const SAMPLE_FPS = 1;

export interface ModeResult {
  readonly stream: BenchStream['label'];
  readonly mode: DecodeMode;
  readonly cameras: number;
  /** Passes over the stream per camera and phase. */
  readonly plays: number;
  /** Minutes of stream decoded by each side (sampler cameras and bare processes) in total. */
  readonly streamMinutesPerSide: number;
  /** Sampler: its ffmpeg plus this process's share, CPU-seconds per camera per minute of stream. */
  readonly cpuSecondsPerCameraMinute: number;
  readonly bareCpuSecondsPerCameraMinute: number;
  /** Of the sampler figure: the part spent in this node process (parsing, health, queue). */
  readonly nodeCpuSecondsPerCameraMinute: number;
  readonly camerasPerCore: number;
  readonly bareCamerasPerCore: number;
  readonly overheadRatio: number;
  /** Frames delivered per second of stream (keyframe-only on a 2 s GOP can give only 0.5). */
  readonly framesPerStreamSecond: number;
  readonly framesDropped: number;
  readonly ffmpegRssMb: number;
  readonly bareRssMb: number;
  readonly nodeRssMbPerCamera: number;
  readonly rssMbPerCamera: number;
  /** ffmpeg's proportional set size (shared libraries divided among the cameras) plus node's share. */
  readonly pssMbPerCamera: number;
  readonly bareCommand: string;
}

function bareArgs(spec: SamplingSpec): string[] {
  // Same decode, selection, scale and pixel format; no timestamp side channel, nobody reading.
  const args = samplingArgs(spec);
  const input = [...args.inputOptions];
  input[input.indexOf('-loglevel') + 1] = 'error';
  return argv({ ...args, inputOptions: input }, '/dev/null');
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/**
 * Peak RSS of a set of processes, polled until `done` settles. Returns the CPU the polling
 * itself cost this process, so it is not charged to the sampler.
 */
async function peakRss(
  pids: () => (number | undefined)[],
  done: Promise<unknown>,
): Promise<{ peaks: number[]; pssPeaks: number[]; pollCpuSeconds: number }> {
  const peaks = new Map<number, number>();
  const pssPeaks = new Map<number, number>();
  const state = { finished: false };
  void done.finally(() => (state.finished = true));
  let pollCpuSeconds = 0;
  while (!state.finished) {
    const before = process.cpuUsage();
    for (const pid of pids()) {
      if (pid === undefined) continue;
      const rss = rssMb(pid);
      if (rss !== undefined) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, rss));
      const pss = pssMb(pid);
      if (pss !== undefined) pssPeaks.set(pid, Math.max(pssPeaks.get(pid) ?? 0, pss));
    }
    const spent = process.cpuUsage(before);
    pollCpuSeconds += (spent.user + spent.system) / 1e6;
    await Promise.race([sleep(250), done]);
  }
  return { peaks: [...peaks.values()], pssPeaks: [...pssPeaks.values()], pollCpuSeconds };
}

interface Side {
  /** ffmpeg CPU-seconds of the side's processes. */
  readonly cpuSeconds: number;
  readonly rssMb: readonly number[];
  readonly pssMb: readonly number[];
}

interface Phase {
  readonly sampler: Side & {
    readonly nodeCpuSeconds: number;
    readonly nodeRssGrowthMb: number;
    readonly frames: number;
    readonly dropped: number;
  };
  readonly bare: Side;
}

/**
 * A bare ffmpeg under `sh`, whose `times` prints the CPU of the ffmpeg it waited for: that is
 * what separates the bare processes' CPU from the sampler's ffmpeg children, which all end up in
 * this process's cutime.
 */
const BARE_SCRIPT = 'ffmpeg "$@"; code=$?; times; exit $code';

interface BareRun {
  readonly shellPid: number | undefined;
  /** This process's CPU in `spawn` (fork and exec of the shell): the baseline's, not the sampler's. */
  readonly spawnCpuSeconds: number;
  /** ffmpeg's CPU, and the shell's own (also in this process's cutime). */
  readonly done: Promise<{ ffmpegCpuSeconds: number; shellCpuSeconds: number }>;
}

function spawnBare(line: readonly string[]): BareRun {
  const before = process.cpuUsage();
  const child = spawn('sh', ['-c', BARE_SCRIPT, 'bare-ffmpeg', ...line], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const spent = process.cpuUsage(before);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<{ ffmpegCpuSeconds: number; shellCpuSeconds: number }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => {
        // `times`: the shell's user and system time, then its children's ("0m1.230000s").
        const seconds = [...out.matchAll(/(\d+)m([\d.]+)s/g)].map(
          (m) => Number(m[1]) * 60 + Number(m[2]),
        );
        if (code !== 0 || seconds.length !== 4) {
          reject(new Error(`bare ffmpeg failed (exit code ${code}): ${out.trim()}`));
          return;
        }
        const [shellUser = 0, shellSys = 0, user = 0, sys = 0] = seconds;
        resolve({ ffmpegCpuSeconds: user + sys, shellCpuSeconds: shellUser + shellSys });
      });
    },
  );
  return { shellPid: child.pid, spawnCpuSeconds: (spent.user + spent.system) / 1e6, done };
}

/** The ffmpeg a bare run's shell started, while it runs. */
function bareFfmpegPid(shellPid: number | undefined): number | undefined {
  if (shellPid === undefined) return undefined;
  try {
    const children = readFileSync(`/proc/${shellPid}/task/${shellPid}/children`, 'utf8').trim();
    return children === '' ? undefined : Number(children.split(' ')[0]);
  } catch {
    return undefined;
  }
}

/**
 * N sampler cameras and N bare ffmpeg processes decode `plays` passes of the file at the same
 * time, as fast as the machine allows; the phase ends when every ffmpeg has exited. Running both
 * sides together means both see the same machine: on a shared host whose speed drifts by 10%
 * from one minute to the next, sides measured one after the other differed by as much as the
 * overhead being measured. CPU of exited children is exact (a window over live processes would
 * be cut short by a loaded machine reading slower than real time).
 */
async function phase(
  spec: SamplingSpec,
  bareLine: readonly string[],
  cameras: number,
  label: string,
): Promise<Phase> {
  const logger = createLogger({ component: 'bench' }, 'error');
  const nodeRss0 = rssMb('self') ?? 0;
  const children0 = exitedChildrenCpuSeconds();
  const node0 = process.cpuUsage();
  const samplers = Array.from(
    { length: cameras },
    (_, i) =>
      new CameraSampler({
        cameraId: `bench-${label}-${i}`,
        ...spec,
        ...(spec.loops === undefined ? {} : { loops: spec.loops }),
        logger,
        queueCapacity: 2,
      }),
  );
  const ended = samplers.map(
    (sampler) =>
      new Promise<void>((resolve) => {
        sampler.onHealth((status) => {
          // The file has been played through: stop before the sampler reconnects.
          if (status.state === 'offline') void sampler.stop().then(resolve);
        });
      }),
  );
  const consumers = samplers.map(async (sampler) => {
    let n = 0;
    for await (const frame of sampler.start().frames) {
      n += frame.data.length > 0 ? 1 : 0;
      frame.release?.();
    }
    return n;
  });
  const bare = Array.from({ length: cameras }, () => spawnBare(bareLine));
  let nodeRssPeak = nodeRss0;
  const all = Promise.all([...ended, ...bare.map((b) => b.done)]);
  const [samplerRss, bareRss] = await Promise.all([
    peakRss(() => {
      nodeRssPeak = Math.max(nodeRssPeak, rssMb('self') ?? 0);
      return samplers.map((s) => s.status().pid);
    }, all),
    peakRss(() => bare.map((b) => bareFfmpegPid(b.shellPid)), all),
  ]);
  const bareRuns = await Promise.all(bare.map((b) => b.done));
  const frames = (await Promise.all(consumers)).reduce((a, b) => a + b, 0);
  const node = process.cpuUsage(node0);
  const failures = samplers
    .map((s) => s.status().health.reason)
    .filter((reason) => !reason.startsWith('ended'));
  if (failures.length > 0) throw new Error(`${label}: sampler failed: ${failures.join('; ')}`);
  const bareCpu = sum(bareRuns.map((r) => r.ffmpegCpuSeconds));
  const shellsCpu = sum(bareRuns.map((r) => r.ffmpegCpuSeconds + r.shellCpuSeconds));
  return {
    sampler: {
      // Every child this process reaped in the phase, less the bare shells and their ffmpeg:
      // the samplers' ffmpeg processes.
      cpuSeconds: exitedChildrenCpuSeconds() - children0 - shellsCpu,
      nodeCpuSeconds:
        (node.user + node.system) / 1e6 -
        samplerRss.pollCpuSeconds -
        bareRss.pollCpuSeconds -
        sum(bare.map((b) => b.spawnCpuSeconds)),
      rssMb: samplerRss.peaks,
      pssMb: samplerRss.pssPeaks,
      nodeRssGrowthMb: nodeRssPeak - nodeRss0,
      frames,
      dropped: samplers.reduce((n, s) => n + s.status().framesDropped, 0),
    },
    bare: { cpuSeconds: bareCpu, rssMb: bareRss.peaks, pssMb: bareRss.pssPeaks },
  };
}

async function measureMode(
  stream: BenchStream,
  mode: DecodeMode,
  cameras: number,
  plays: number,
): Promise<ModeResult> {
  const spec: SamplingSpec = {
    source: { kind: 'file', url: stream.file },
    fps: SAMPLE_FPS,
    frameSize: DEFAULT_FRAME_SIZE,
    mode,
    realtime: false,
    loops: plays - 1,
  };
  const bareLine = bareArgs(spec);
  const label = `${stream.label}-${mode}`;
  const phases = [
    await phase(spec, bareLine, cameras, label),
    await phase(spec, bareLine, cameras, label),
  ];
  const samplers = phases.map((p) => p.sampler);
  const bares = phases.map((p) => p.bare);
  const streamMinutes = (phases.length * cameras * plays * stream.durationS) / 60;
  const nodeCpu = sum(samplers.map((p) => p.nodeCpuSeconds));
  const samplerPerMin = (sum(samplers.map((p) => p.cpuSeconds)) + nodeCpu) / streamMinutes;
  const barePerMin = sum(bares.map((p) => p.cpuSeconds)) / streamMinutes;
  const mean = (values: readonly number[]) =>
    values.length === 0 ? NaN : sum(values) / values.length;
  const ffmpegRssMb = mean(samplers.flatMap((p) => p.rssMb));
  const nodeRssPerCamera = Math.max(0, ...samplers.map((p) => p.nodeRssGrowthMb)) / cameras;
  const frames = sum(samplers.map((p) => p.frames));
  return {
    stream: stream.label,
    mode,
    cameras,
    plays,
    streamMinutesPerSide: round(streamMinutes, 2),
    cpuSecondsPerCameraMinute: round(samplerPerMin, 3),
    bareCpuSecondsPerCameraMinute: round(barePerMin, 3),
    nodeCpuSecondsPerCameraMinute: round(nodeCpu / streamMinutes, 3),
    camerasPerCore: round(60 / samplerPerMin, 1),
    bareCamerasPerCore: round(60 / barePerMin, 1),
    overheadRatio: round(samplerPerMin / barePerMin, 3),
    framesPerStreamSecond: round(frames / (streamMinutes * 60), 2),
    framesDropped: sum(samplers.map((p) => p.dropped)),
    ffmpegRssMb: round(ffmpegRssMb, 1),
    bareRssMb: round(mean(bares.flatMap((p) => p.rssMb)), 1),
    nodeRssMbPerCamera: round(nodeRssPerCamera, 1),
    rssMbPerCamera: round(ffmpegRssMb + nodeRssPerCamera, 1),
    pssMbPerCamera: round(mean(samplers.flatMap((p) => p.pssMb)) + nodeRssPerCamera, 1),
    bareCommand: ['ffmpeg', ...bareLine]
      .map((a) => (/[^\w/.,:=+-]/.test(a) ? `'${a.replaceAll("'", "'\\''")}'` : a))
      .join(' '),
  };
}

export interface SamplingBenchResult {
  readonly keyframe1080pCamerasPerCore: number;
  readonly full1080pCamerasPerCore: number;
  readonly keyframe720pCamerasPerCore: number;
  readonly full720pCamerasPerCore: number;
  /** Sampler CPU over bare ffmpeg CPU, in the mode where it is worst. */
  readonly overheadRatio: number;
  /** ffmpeg RSS plus this process's growth per camera, in the mode where it is largest. */
  readonly rssMbPerCamera: number;
  readonly pssMbPerCamera: number;
  readonly modes: readonly ModeResult[];
  readonly machine: {
    readonly cpus: number;
    readonly loadAverage1m: number;
    readonly ffmpeg: string;
  };
  readonly streams: readonly { readonly label: string; readonly file: string }[];
}

export async function runSamplingBench(options: {
  cameras: number;
  plays: number;
}): Promise<SamplingBenchResult> {
  const streams = await benchStreams();
  // fluent-ffmpeg runs `ffmpeg -formats` and `-encoders` once per process before its first
  // command; a node serving cameras pays that once at start-up, so keep it out of the figures.
  await new Promise((resolve) => {
    ffmpeg.getAvailableFormats(resolve);
  });
  await new Promise((resolve) => {
    ffmpeg.getAvailableEncoders(resolve);
  });
  const modes: ModeResult[] = [];
  const loadBefore = os.loadavg()[0] ?? NaN;
  const warmUp = streams[streams.length - 1];
  if (warmUp !== undefined) await measureMode(warmUp, 'keyframe', options.cameras, 1);
  for (const stream of streams) {
    for (const mode of ['keyframe', 'full'] as const) {
      const plays = mode === 'keyframe' ? options.plays * KEYFRAME_PLAYS_FACTOR : options.plays;
      modes.push(await measureMode(stream, mode, options.cameras, plays));
    }
  }
  const find = (label: string, mode: DecodeMode) =>
    modes.find((m) => m.stream === label && m.mode === mode)?.camerasPerCore ?? NaN;
  const version = await new Promise<string>((resolve) => {
    const child = spawn('ffmpeg', ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', () => {
      resolve(out.split('\n')[0] ?? '');
    });
  });
  return {
    keyframe1080pCamerasPerCore: find('1080p', 'keyframe'),
    full1080pCamerasPerCore: find('1080p', 'full'),
    keyframe720pCamerasPerCore: find('720p', 'keyframe'),
    full720pCamerasPerCore: find('720p', 'full'),
    overheadRatio: Math.max(...modes.map((m) => m.overheadRatio)),
    rssMbPerCamera: Math.max(...modes.map((m) => m.rssMbPerCamera)),
    pssMbPerCamera: Math.max(...modes.map((m) => m.pssMbPerCamera)),
    modes,
    machine: { cpus: os.cpus().length, loadAverage1m: round(loadBefore), ffmpeg: version },
    streams: streams.map((s) => ({ label: s.label, file: s.file })),
  };
}

function table(result: SamplingBenchResult): string {
  const header = [
    'stream',
    'mode',
    'CPU-s/cam-min',
    'bare',
    'node part',
    'overhead',
    'cams/core',
    'bare',
    'fps',
    'RSS MB/cam',
    'dropped',
  ];
  const rows = result.modes.map((m) => [
    m.stream,
    m.mode,
    m.cpuSecondsPerCameraMinute.toFixed(2),
    m.bareCpuSecondsPerCameraMinute.toFixed(2),
    m.nodeCpuSecondsPerCameraMinute.toFixed(2),
    `${((m.overheadRatio - 1) * 100).toFixed(1)}%`,
    m.camerasPerCore.toFixed(1),
    m.bareCamerasPerCore.toFixed(1),
    m.framesPerStreamSecond.toFixed(2),
    m.rssMbPerCamera.toFixed(1),
    String(m.framesDropped),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [
    line(header),
    ...rows.map(line),
    '',
    `worst overhead over bare ffmpeg: ${((result.overheadRatio - 1) * 100).toFixed(1)}% (ratio ${result.overheadRatio})`,
    `RSS per camera (ffmpeg + node share, worst mode): ${result.rssMbPerCamera} MB; PSS (shared libraries divided among cameras): ${result.pssMbPerCamera} MB`,
    `machine: ${result.machine.cpus} CPUs, load average ${result.machine.loadAverage1m} at start; ${result.machine.ffmpeg}`,
    'bare commands:',
    ...result.modes.map((m) => `  ${m.stream} ${m.mode}: ${m.bareCommand}`),
  ].join('\n');
}

export const command: Command = {
  name: 'sampling',
  summary: 'CPU and RSS of frame sampling per camera vs bare ffmpeg',
  help,
  async run(args) {
    const parsed = parseCommandArgs(command, args, {
      json: { type: 'boolean' },
      cameras: { type: 'string' },
      plays: { type: 'string' },
    });
    if (parsed === undefined) return 0;
    const { values } = parsed;
    const result = await runSamplingBench({
      cameras: numberOption('cameras', values.cameras, 3, { min: 1, max: 100, integer: true }),
      plays: numberOption('plays', values.plays, 4, { min: 1, max: 100, integer: true }),
    });
    process.stdout.write(
      values.json === true ? JSON.stringify(result) + '\n' : table(result) + '\n',
    );
    return 0;
  },
};
