/**
 * Soak run: N cameras from the local RTSP camera simulator sampled by one process for M
 * minutes, printing per-camera frame rates and memory as it goes, then a verdict: every camera
 * within 10% of its target rate, and RSS flat after the first minute.
 *
 *   node --import tsx ingest/soak.ts [--cameras 50] [--minutes 5] [--every 30] [--json]
 *
 * It starts its own simulator on a free port (footage: a 1 s GOP clip of PETS09 made into
 * .state/ingest/clips), so it does not disturb `salonwatch stack`.
 */
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../common/log.js';
import { stateDir } from '../common/paths.js';
import { DEFAULT_FRAME_SIZE } from '../config/fleet.js';
import { startCameraSimulator } from '../infra/cameras/simulator.js';
import { cameraClip } from './clips.js';
import { cpuSeconds, pssMb, rssMb } from './proc.js';
import { CameraSampler } from './sampler.js';

interface Sample {
  /** The interval this sample covers, seconds since the start. */
  readonly fromS: number;
  readonly atS: number;
  readonly fps: readonly number[];
  readonly nodeRssMb: number;
  readonly ffmpegRssMb: number;
  /** Summed PSS of the ffmpeg processes: shared library pages counted once in total. */
  readonly ffmpegPssMb: number;
  readonly simulatorRssMb: number;
  readonly cpuPercent: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

export async function soak(options: {
  cameras: number;
  minutes: number;
  every: number;
  fps: number;
  json: boolean;
}) {
  const out = (line: string) => {
    if (!options.json) process.stdout.write(line + '\n');
  };
  const clip = await cameraClip('live');
  const port = await freePort();
  const mounts = Array.from({ length: options.cameras }, (_, i) => ({
    path: `soak/cam-${String(i + 1).padStart(2, '0')}`,
    file: clip,
  }));
  const sim = await startCameraSimulator({
    port,
    cameras: mounts,
    logFile: path.join(stateDir(), 'ingest', 'soak-simulator.log'),
    readyTimeoutMs: 120_000,
  });
  const logger = createLogger({ component: 'soak' }, 'warn');
  const samplers = mounts.map(
    (m) =>
      new CameraSampler({
        cameraId: m.path,
        source: { kind: 'rtsp', url: sim.url(m.path) },
        fps: options.fps,
        frameSize: DEFAULT_FRAME_SIZE,
        logger,
      }),
  );
  const counts = samplers.map(() => 0);
  const healthEvents: string[] = [];
  const drains = samplers.map(async (sampler, i) => {
    sampler.onHealth((status, cameraId) =>
      healthEvents.push(`${cameraId} ${status.state} ${status.reason}`),
    );
    for await (const frame of sampler.start().frames) {
      counts[i] = (counts[i] ?? 0) + (frame.data.length > 0 ? 1 : 0);
      frame.release?.();
    }
  });
  out(
    `soak: ${options.cameras} cameras at ${options.fps} fps from rtsp://127.0.0.1:${port}/soak/..., ${options.minutes} min, report every ${options.every} s`,
  );
  out(
    '   t s   fps min   median    max   node RSS MB  ffmpeg RSS MB (sum)  ffmpeg PSS MB (sum)  RSS MB/camera  PSS MB/camera  simulator RSS MB  CPU % (node+ffmpeg)',
  );
  const samples: Sample[] = [];
  const start = Date.now();
  let last = counts.slice();
  let lastAt = start;
  const cpu = () =>
    (cpuSeconds('self') ?? 0) +
    sum(
      samplers.map((s) => {
        const pid = s.status().pid;
        return pid === undefined ? 0 : (cpuSeconds(pid) ?? 0);
      }),
    );
  let lastCpu = cpu();
  try {
    while (Date.now() - start < options.minutes * 60_000) {
      await sleep(Math.min(options.every * 1000, start + options.minutes * 60_000 - Date.now()));
      const now = Date.now();
      const seconds = (now - lastAt) / 1000;
      const fps = counts.map((c, i) => (c - (last[i] ?? 0)) / seconds);
      const ffmpegRss = samplers.map((s) => {
        const pid = s.status().pid;
        return pid === undefined ? 0 : (rssMb(pid) ?? 0);
      });
      const cpuNow = cpu();
      const sample: Sample = {
        fromS: (lastAt - start) / 1000,
        atS: (now - start) / 1000,
        fps,
        nodeRssMb: rssMb('self') ?? NaN,
        ffmpegRssMb: sum(ffmpegRss),
        ffmpegPssMb: sum(
          samplers.map((s) => {
            const pid = s.status().pid;
            return pid === undefined ? 0 : (pssMb(pid) ?? 0);
          }),
        ),
        simulatorRssMb: rssMb(sim.pid) ?? NaN,
        // ffmpeg restarts would make this under-count; the verdict reports restarts separately.
        cpuPercent: ((cpuNow - lastCpu) / seconds) * 100,
      };
      samples.push(sample);
      last = counts.slice();
      lastAt = now;
      lastCpu = cpuNow;
      out(
        [
          sample.atS.toFixed(0).padStart(6),
          Math.min(...fps)
            .toFixed(2)
            .padStart(8),
          median(fps).toFixed(2).padStart(8),
          Math.max(...fps)
            .toFixed(2)
            .padStart(6),
          sample.nodeRssMb.toFixed(1).padStart(13),
          sample.ffmpegRssMb.toFixed(1).padStart(20),
          sample.ffmpegPssMb.toFixed(1).padStart(20),
          ((sample.nodeRssMb + sample.ffmpegRssMb) / options.cameras).toFixed(2).padStart(14),
          ((sample.nodeRssMb + sample.ffmpegPssMb) / options.cameras).toFixed(2).padStart(14),
          sample.simulatorRssMb.toFixed(1).padStart(17),
          sample.cpuPercent.toFixed(1).padStart(20),
        ].join(' '),
      );
    }
  } finally {
    await Promise.all(samplers.map((s) => s.stop()));
    await Promise.all(drains);
    await sim.stop();
  }
  // Verdict over the time after the first minute (connection, probing and warm-up excluded).
  const elapsedS = (Date.now() - start) / 1000;
  // A sample covers the interval since the previous one; keep those that began after minute 1.
  const steady = samples.filter((s) => s.fromS >= 60);
  const perCamera = samplers.map((sampler, i) => {
    const seconds = sum(steady.map((s) => s.atS - s.fromS));
    const frames = sum(steady.map((s) => (s.fps[i] ?? 0) * (s.atS - s.fromS)));
    const fps = frames / Math.max(1, seconds);
    const status = sampler.status();
    return {
      cameraId: sampler.cameraId,
      fps: Number(fps.toFixed(3)),
      starts: status.starts,
      dropped: status.framesDropped,
      state: status.health.state,
    };
  });
  const within = perCamera.filter((c) => Math.abs(c.fps - options.fps) <= 0.1 * options.fps).length;
  const rss = steady.map((s) => s.nodeRssMb + s.ffmpegRssMb);
  const firstSteady = steady[0];
  const lastSteady = steady.at(-1);
  const growthMbPerMin =
    firstSteady !== undefined && lastSteady !== undefined && lastSteady.atS > firstSteady.atS
      ? ((lastSteady.nodeRssMb +
          lastSteady.ffmpegRssMb -
          (firstSteady.nodeRssMb + firstSteady.ffmpegRssMb)) /
          (lastSteady.atS - firstSteady.atS)) *
        60
      : NaN;
  const summary = {
    cameras: options.cameras,
    targetFps: options.fps,
    minutes: Number((elapsedS / 60).toFixed(2)),
    camerasWithin10Percent: within,
    fpsMin: Math.min(...perCamera.map((c) => c.fps)),
    fpsMedian: median(perCamera.map((c) => c.fps)),
    fpsMax: Math.max(...perCamera.map((c) => c.fps)),
    restarts: sum(perCamera.map((c) => c.starts - 1)),
    framesDropped: sum(perCamera.map((c) => c.dropped)),
    rssMbAfterMinute1:
      firstSteady === undefined
        ? NaN
        : Number((firstSteady.nodeRssMb + firstSteady.ffmpegRssMb).toFixed(1)),
    rssMbAtEnd:
      lastSteady === undefined
        ? NaN
        : Number((lastSteady.nodeRssMb + lastSteady.ffmpegRssMb).toFixed(1)),
    rssMbMax: Number(Math.max(...rss).toFixed(1)),
    rssGrowthMbPerMinute: Number(growthMbPerMin.toFixed(2)),
    pssMbPerCamera:
      lastSteady === undefined
        ? NaN
        : Number(((lastSteady.nodeRssMb + lastSteady.ffmpegPssMb) / options.cameras).toFixed(2)),
    rssMbPerCamera:
      lastSteady === undefined
        ? NaN
        : Number(((lastSteady.nodeRssMb + lastSteady.ffmpegRssMb) / options.cameras).toFixed(2)),
    nodeRssMbAtEnd: lastSteady?.nodeRssMb,
    healthEvents: healthEvents.length,
    nonOnlineEvents: healthEvents.filter((e) => !/ online /.test(e)),
    samples: samples.map((s) => ({
      atS: Math.round(s.atS),
      fpsMin: Number(Math.min(...s.fps).toFixed(2)),
      fpsMedian: Number(median(s.fps).toFixed(2)),
      nodeRssMb: Number(s.nodeRssMb.toFixed(1)),
      ffmpegRssMb: Number(s.ffmpegRssMb.toFixed(1)),
      ffmpegPssMb: Number(s.ffmpegPssMb.toFixed(1)),
      cpuPercent: Number(s.cpuPercent.toFixed(1)),
    })),
    perCamera,
  };
  if (options.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    out('');
    out(
      `cameras within 10% of ${options.fps} fps after the first minute: ${within}/${options.cameras} (fps min ${summary.fpsMin}, median ${summary.fpsMedian}, max ${summary.fpsMax})`,
    );
    out(
      `restarts: ${summary.restarts}, frames dropped: ${summary.framesDropped}, health events: ${summary.healthEvents} (${summary.nonOnlineEvents.length} not "online")`,
    );
    out(
      `RSS (node + all ffmpeg): ${summary.rssMbAfterMinute1} MB after minute 1, ${summary.rssMbAtEnd} MB at the end, growth ${summary.rssGrowthMbPerMinute} MB/min; per camera ${summary.rssMbPerCamera} MB RSS, ${summary.pssMbPerCamera} MB PSS`,
    );
  }
  return summary;
}

const isMain =
  process.argv[1] !== undefined &&
  import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href;
const help = `usage: node --import tsx ingest/soak.ts [--cameras N] [--minutes M] [--every S] [--fps F] [--json]

N cameras from a camera simulator of its own (RTSP, a free port) sampled by this process for M
minutes; prints frame rates and memory every S seconds, then the verdict (every camera within
10% of F frames per second, RSS flat after the first minute). Exit status 1 if a camera missed.

  --cameras N   cameras (default 50)
  --minutes M   length of the run (default 5)
  --every S     seconds between reports (default 30)
  --fps F       sampling rate per camera (default 1)
  --json        print one JSON summary instead of the table
`;

/** A positive number from the command line, or a clear error naming the option. */
function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
}

if (isMain) {
  try {
    const { values } = parseArgs({
      options: {
        cameras: { type: 'string', default: '50' },
        minutes: { type: 'string', default: '5' },
        every: { type: 'string', default: '30' },
        fps: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(help);
    } else {
      const summary = await soak({
        cameras: Math.round(positive('cameras', values.cameras)),
        minutes: positive('minutes', values.minutes),
        every: positive('every', values.every),
        fps: positive('fps', values.fps),
        json: values.json,
      });
      process.exitCode = summary.camerasWithin10Percent === summary.cameras ? 0 : 1;
    }
  } catch (error) {
    process.stderr.write(
      `soak: ${error instanceof Error ? error.message : String(error)}\n${help}`,
    );
    process.exitCode = 2;
  }
}
