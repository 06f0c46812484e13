/**
 * Tracker parameter sweep over recorded detections (`salonwatch eval --save-detections`), on
 * several scenes at once, so the chosen settings are the ones that hold up across scenes rather
 * than the best for one. Development tool, run by hand:
 *
 *   node --import tsx detectors/eval/sweep.ts \
 *     --scene pets=VIDEO,GT,DETS[,SKIP] --scene tud=VIDEO,GT,DETS [--top 15] [--grid NAME]
 *
 * The ground truth's pixel size is a `_WxH` suffix of its name (gt_480x360.txt), else its
 * seqinfo.ini; SKIP drops leading decoded frames as `eval --skip` does. Grids that compare body
 * colours decode each video once and keep the colours of every box that can take part.
 *
 * Ranks settings by the worst scene's mean of MOTA and IDF1 (robustness), ties by the mean.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Frame } from '../../ingest/frame.js';
import { probeVideo, readVideoFrames } from '../../ingest/video-file.js';
import { bodyColours, type BodyColours } from '../appearance.js';
import type { Detections } from '../detections.js';
import {
  createByteTracker,
  DEFAULT_TRACKER_CONFIG,
  type DescribeDetection,
  type TrackerConfig,
  usesColours,
} from '../tracker/byte-tracker.js';
import { parseGroundTruth, parseSequenceInfo, type GroundTruth } from './mot-ground-truth.js';
import { replayDetector } from './replay.js';
import { runEval, type EvalResult } from './run-eval.js';

/**
 * Boxes below this score never reach a colour comparison in any grid below (no lowScore under
 * it); PETS09 has about 40 boxes a frame above it, 4 KB of colours each.
 */
const COLOUR_MIN_SCORE = 0.1;

interface Scene {
  readonly name: string;
  readonly video: string;
  readonly skip: number;
  readonly gt: GroundTruth;
  readonly dets: GroundTruth;
  readonly detFile: string;
  readonly sequence: { width: number; height: number };
  readonly videoSize: { width: number; height: number };
  readonly length: number;
  readonly fps: number;
  /** Per frame (1-based), body colours of the recorded boxes by index; filled on demand. */
  colours?: Map<number, Map<number, BodyColours | undefined>>;
}

async function loadScene(spec: string): Promise<Scene> {
  const [name = '', rest = ''] = spec.split('=');
  const [video = '', gtFile = '', detFile = '', skip = '0'] = rest.split(',');
  const info = await probeVideo(video);
  const gt = parseGroundTruth(await readFile(gtFile, 'utf8'), gtFile);
  const iniFile = path.join(path.dirname(path.dirname(gtFile)), 'seqinfo.ini');
  const ini = parseSequenceInfo(await readFile(iniFile, 'utf8'), iniFile);
  const suffix = /_(\d+)x(\d+)\.txt$/.exec(path.basename(gtFile));
  return {
    name,
    video,
    skip: Number(skip),
    gt,
    dets: parseGroundTruth(await readFile(detFile, 'utf8'), detFile),
    detFile,
    sequence:
      suffix === null
        ? { width: ini.width, height: ini.height }
        : { width: Number(suffix[1]), height: Number(suffix[2]) },
    videoSize: { width: info.width, height: info.height },
    length: ini.length ?? gt.lastFrame,
    fps: info.fps > 0 ? info.fps : 10,
  };
}

/** Decodes the scene once and keeps the body colours of every box that can be compared. */
async function computeColours(
  scene: Scene,
): Promise<Map<number, Map<number, BodyColours | undefined>>> {
  const out = new Map<number, Map<number, BodyColours | undefined>>();
  const sx = scene.videoSize.width / scene.sequence.width;
  const sy = scene.videoSize.height / scene.sequence.height;
  let decoded = 0;
  for await (const frame of readVideoFrames(scene.video)) {
    decoded += 1;
    const n = decoded - scene.skip;
    if (n < 1) continue;
    const perBox = new Map<number, BodyColours | undefined>();
    (scene.dets.frames.get(n) ?? []).forEach((row, i) => {
      if (row.conf < COLOUR_MIN_SCORE) return;
      const b = row.box;
      perBox.set(
        i,
        bodyColours(frame, { x1: b.x1 * sx, y1: b.y1 * sy, x2: b.x2 * sx, y2: b.y2 * sy }),
      );
    });
    out.set(n, perBox);
    if (n >= scene.length) break;
  }
  return out;
}

async function* blank(scene: Scene): AsyncGenerator<Frame> {
  const data = new Uint8Array(0);
  for (let i = 0; i < scene.length; i++) {
    yield {
      cameraId: scene.name,
      capturedAt: Math.round((i * 1000) / scene.fps),
      ...scene.sequence,
      data,
    };
    await Promise.resolve();
  }
}

async function evaluate(scene: Scene, config: TrackerConfig): Promise<EvalResult> {
  let describe: ((frame: Frame, detections: Detections) => DescribeDetection) | undefined;
  if (usesColours(config)) {
    scene.colours ??= await computeColours(scene);
    const colours = scene.colours;
    let frameNumber = 0;
    describe = () => {
      frameNumber += 1;
      const perBox = colours.get(frameNumber);
      return (index) => {
        if (perBox === undefined || !perBox.has(index))
          throw new RangeError(
            `${scene.name}: colours of box ${index} on frame ${frameNumber} not kept`,
          );
        return perBox.get(index);
      };
    };
  }
  return runEval({
    frames: blank(scene),
    detector: replayDetector(scene.dets, scene.sequence, scene.detFile),
    tracker: createByteTracker(config),
    groundTruth: scene.gt,
    sequence: scene.sequence,
    rawScoreThreshold: config.highScore,
    limit: scene.length,
    now: () => 0,
    ...(describe === undefined ? {} : { describe }),
  });
}

const grids: Record<string, () => Generator<TrackerConfig>> = {
  /** The motion-only grid the defaults were first chosen from (colours off). */
  *motion() {
    for (const [highScore, newTrackScore] of [
      [0.5, 0.6],
      [0.6, 0.6],
    ] as const)
      for (const lowScore of [0.1, 0.2])
        for (const maxLostMs of [1000, 3000])
          for (const holdLostMs of [0, 200])
            for (const recoverDistance of [0, 0.75, 1.5]) {
              yield {
                ...DEFAULT_TRACKER_CONFIG,
                highScore,
                newTrackScore,
                lowScore,
                minHits: 2,
                maxLostMs,
                holdLostMs,
                birthMaxOverlap: 0.8,
                recoverDistance,
                reidMinSimilarity: 0,
                lowMinSimilarity: 0,
              };
            }
  },
  /**
   * Body colours around the defaults: re-identification of lost tracks (similarity, how long,
   * how far) and the veto on low-score boxes, with the low-score threshold they interact with.
   */
  *colours() {
    for (const lowScore of [0.1, 0.15, 0.2, 0.25])
      for (const lowMinSimilarity of [0, 0.7, 0.8])
        for (const reidMinSimilarity of [0, 0.8, 0.85, 0.9])
          for (const reidMaxLostMs of [0, 3000, 6000])
            for (const reidSpeed of [0.4, 1.2]) {
              if (reidMinSimilarity === 0 && (reidMaxLostMs > 0 || reidSpeed !== 0.4)) continue;
              yield {
                ...DEFAULT_TRACKER_CONFIG,
                lowScore,
                lowMinSimilarity,
                reidMinSimilarity,
                reidMaxLostMs,
                reidSpeed,
              };
            }
  },
};

const { values } = parseArgs({
  options: {
    scene: { type: 'string', multiple: true },
    top: { type: 'string', default: '15' },
    grid: { type: 'string', default: 'motion' },
  },
});
const grid = grids[values.grid];
if (grid === undefined)
  throw new Error(`unknown grid ${values.grid}: ${Object.keys(grids).join(', ')}`);
const scenes = await Promise.all((values.scene ?? []).map(loadScene));
const rows: { config: TrackerConfig; results: EvalResult[]; worst: number; mean: number }[] = [];
for (const config of grid()) {
  const results: EvalResult[] = [];
  for (const scene of scenes) results.push(await evaluate(scene, config));
  const scores = results.map((r) => (r.mota + r.idf1) / 2);
  rows.push({
    config,
    results,
    worst: Math.min(...scores),
    mean: scores.reduce((a, b) => a + b, 0) / Math.max(scores.length, 1),
  });
}
rows.sort((a, b) => b.worst - a.worst || b.mean - a.mean);
const f = (x: number): string => x.toFixed(3);
for (const row of rows.slice(0, Number(values.top))) {
  const c = row.config;
  const settings = `high ${c.highScore} new ${c.newTrackScore} low ${c.lowScore} hits ${c.minHits} buffer ${c.maxLostMs} hold ${c.holdLostMs} birth ${c.birthMaxOverlap} recover ${c.recoverDistance} reid ${c.reidMinSimilarity}/${c.reidMaxLostMs}/${c.reidSpeed} low-colour ${c.lowMinSimilarity}`;
  const perScene = row.results
    .map(
      (r, i) =>
        `${scenes[i]?.name ?? '?'}: P ${f(r.precision)} R ${f(r.recall)} MAE ${f(r.countMae)} MOTA ${f(r.mota)} IDF1 ${f(r.idf1)} IDSW ${r.idSwitches}`,
    )
    .join(' | ');
  process.stdout.write(`${f(row.worst)} ${f(row.mean)}  ${settings}  ${perScene}\n`);
}
