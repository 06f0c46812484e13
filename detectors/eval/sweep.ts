/**
 * Tracker parameter sweep over recorded detections (`salonwatch eval --save-detections`), on
 * several scenes at once, so the chosen settings are the ones that hold up across scenes rather
 * than the best for one. Development tool, run by hand:
 *
 *   node --import tsx detectors/eval/sweep.ts \
 *     --scene pets=VIDEO,GT,DETS --scene tud=VIDEO,GT,DETS [--top 15]
 *
 * Ranks settings by the worst scene's mean of MOTA and IDF1 (robustness), ties by the mean.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Frame } from '../../ingest/frame.js';
import { probeVideo } from '../../ingest/video-file.js';
import {
  createByteTracker,
  DEFAULT_TRACKER_CONFIG,
  type TrackerConfig,
} from '../tracker/byte-tracker.js';
import { parseGroundTruth, parseSequenceInfo, type GroundTruth } from './mot-ground-truth.js';
import { replayDetector } from './replay.js';
import { runEval, type EvalResult } from './run-eval.js';

interface Scene {
  readonly name: string;
  readonly gt: GroundTruth;
  readonly dets: GroundTruth;
  readonly detFile: string;
  readonly sequence: { width: number; height: number };
  readonly length: number;
  readonly fps: number;
}

async function loadScene(spec: string): Promise<Scene> {
  const [name = '', rest = ''] = spec.split('=');
  const [video = '', gtFile = '', detFile = ''] = rest.split(',');
  const info = await probeVideo(video);
  const gt = parseGroundTruth(await readFile(gtFile, 'utf8'), gtFile);
  const iniFile = path.join(path.dirname(path.dirname(gtFile)), 'seqinfo.ini');
  const ini = parseSequenceInfo(await readFile(iniFile, 'utf8'), iniFile);
  return {
    name,
    gt,
    dets: parseGroundTruth(await readFile(detFile, 'utf8'), detFile),
    detFile,
    sequence: { width: ini.width, height: ini.height },
    length: ini.length ?? gt.lastFrame,
    fps: info.fps > 0 ? info.fps : 10,
  };
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

function evaluate(scene: Scene, config: TrackerConfig): Promise<EvalResult> {
  return runEval({
    frames: blank(scene),
    detector: replayDetector(scene.dets, scene.sequence, scene.detFile),
    tracker: createByteTracker(config),
    groundTruth: scene.gt,
    sequence: scene.sequence,
    rawScoreThreshold: config.highScore,
    limit: scene.length,
    now: () => 0,
  });
}

function* grid(): Generator<TrackerConfig> {
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
            };
          }
}

const { values } = parseArgs({
  options: { scene: { type: 'string', multiple: true }, top: { type: 'string', default: '15' } },
});
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
  const settings = `high ${c.highScore} new ${c.newTrackScore} low ${c.lowScore} hits ${c.minHits} buffer ${c.maxLostMs} hold ${c.holdLostMs} birth ${c.birthMaxOverlap} recover ${c.recoverDistance}`;
  const perScene = row.results
    .map(
      (r, i) =>
        `${scenes[i]?.name ?? '?'}: P ${f(r.precision)} R ${f(r.recall)} MAE ${f(r.countMae)} MOTA ${f(r.mota)} IDF1 ${f(r.idf1)} IDSW ${r.idSwitches}`,
    )
    .join(' | ');
  process.stdout.write(`${f(row.worst)} ${f(row.mean)}  ${settings}  ${perScene}\n`);
}
