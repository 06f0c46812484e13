import { readFile, writeFile } from 'node:fs/promises';
import { DEFAULT_PERSON_DETECTOR } from '../person-detector.js';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { numberOption, parseCommandArgs, type Command } from '../../cli/command.js';
import { isSalonwatchError, SalonwatchError } from '../../common/errors.js';
import type { Frame } from '../../ingest/frame.js';
import { probeVideo, readVideoFrames } from '../../ingest/video-file.js';
import type { PersonDetector } from '../person-detector.js';
import { bodyColours } from '../appearance.js';
import { boxAt, type Detections } from '../detections.js';
import {
  createByteTracker,
  DEFAULT_TRACKER_CONFIG,
  usesColours,
  type DescribeDetection,
  type TrackerConfig,
} from '../tracker/byte-tracker.js';
import { createGtOracle, GT_ORACLE } from './gt-oracle.js';
import { parseGroundTruth, parseSequenceInfo, type SequenceInfo } from './mot-ground-truth.js';
import { runEval, type EvalResult } from './run-eval.js';
import { recordingDetector, replayDetector } from './replay.js';
import { parseZone } from './zone.js';

/**
 * The person model eval runs when --model is not given: NanoDet, int8-quantised, at 320x256.
 * Of the candidates measured (closing note of issue 4) it is the only one within 30 ms per frame
 * on one core here (about 4x faster than float NanoDet at 416x320), and it still meets the
 * PETS09-S2L1 targets for recall, precision, count MAE and MOTA; at 416x320 the float model is
 * a few points better on PETS09 but worse on TUD-Campus and 4-5x slower.
 */
export const DEFAULT_EVAL_MODEL = DEFAULT_PERSON_DETECTOR;

const help = `usage: salonwatch eval --video V --gt G.txt [--json] [--model NAME] [--zone x1,y1,x2,y2,...] [--threads N]

Runs person detection and tracking on every frame of a video and scores the tracks against
MOTChallenge ground truth (boxes with conf 0 are ignored): detection precision and recall at
IoU 0.5, per-frame person-count MAE, MOTA, IDF1, ID switches, and ms per frame.

options:
  --video FILE         video to decode (frame n of the file is frame n of the ground truth)
  --gt FILE            MOTChallenge gt.txt (frame,id,left,top,width,height,conf,...)
  --json               print one JSON object instead of a table
  --model NAME         person detector (default: ${DEFAULT_EVAL_MODEL}; see detectors/person/factory.ts);
                       "${GT_ORACLE}" feeds the ground truth back as detections (NOT a model:
                       it measures the tracker alone)
  --zone X1,Y1,...     normalised polygon (>= 3 points); also report counts of people whose
                       feet (bottom centre of the box) are inside it
  --threads N          ONNX Runtime intra-op threads (default 1)
  --decode-size WxH    have ffmpeg scale frames to this size before detection (default: the
                       video's own); scaling in the decoder takes it out of the detector's time
  --gt-size WxH        pixel size of the ground truth; default: a "_WxH" suffix of the gt file
                       name, else seqinfo.ini beside gt/, else the video's size
  --limit N            stop after N frames (default: seqLength of seqinfo.ini, else the last
                       annotated frame; later frames of the video are not scored)
  --track-high S       tracker: first-pass score threshold (default ${DEFAULT_TRACKER_CONFIG.highScore})
  --track-low S        tracker: lowest score used in the second pass (default ${DEFAULT_TRACKER_CONFIG.lowScore})
  --track-new S        tracker: score needed to start a track (default ${DEFAULT_TRACKER_CONFIG.newTrackScore})
  --track-match-iou X  tracker: first-pass minimum IoU (default ${DEFAULT_TRACKER_CONFIG.firstMatchIou})
  --track-min-hits N   tracker: frames before a track is reported (default ${DEFAULT_TRACKER_CONFIG.minHits})
  --track-buffer-ms T  tracker: how long a lost track can be re-found (default ${DEFAULT_TRACKER_CONFIG.maxLostMs})
  --track-hold-ms T    tracker: how long a lost track is still reported (default ${DEFAULT_TRACKER_CONFIG.holdLostMs})
  --track-occluded-hold-ms T  tracker: how long a lost track hidden behind a seen person is
                       still reported (default ${DEFAULT_TRACKER_CONFIG.occludedHoldMs})
  --skip N             drop the first N decoded frames, for a re-encode that starts earlier than
                       its ground truth (pets09_s2l1_480x360_10fps_gop20.mp4 carries 2 extra
                       leading frames: its frame n + 2 is vtest.avi's frame n, measured)
  --save-detections F  also write the detector's raw person boxes to F (MOT det.txt form)
  --replay F           instead of running a model, replay detections saved with
                       --save-detections (tunes the tracker in seconds; no timing figures).
                       The tracker's body colours need pixels: with colours on (the default)
                       the video is still decoded, with both similarities 0 it is not
  --track-birth-overlap X  tracker: no new track from a box this much inside a tracked
                       person (default ${DEFAULT_TRACKER_CONFIG.birthMaxOverlap}; 1 = off)
  --track-recover D    tracker: re-find a lost track within D track heights (default ${DEFAULT_TRACKER_CONFIG.recoverDistance}; 0 = off)
  --track-reid-similarity S  tracker: body-colour similarity a re-found lost track needs
                       (default ${DEFAULT_TRACKER_CONFIG.reidMinSimilarity}; 0 = colours off)
  --track-reid-ms T    tracker: how much longer than the buffer a lost track can be re-found
                       when colours agree (default ${DEFAULT_TRACKER_CONFIG.reidMaxLostMs})
  --track-reid-speed V tracker: reach of a colour-checked re-find, track heights per second
                       hidden (default ${DEFAULT_TRACKER_CONFIG.reidSpeed})
  --track-low-similarity S  tracker: body-colour similarity a low-score box needs to extend a
                       track (default ${DEFAULT_TRACKER_CONFIG.lowMinSimilarity}; 0 = off)
  --oracle-drop R      ${GT_ORACLE} only: share of boxes dropped per frame (default 0)
  --oracle-low R       ${GT_ORACLE} only: share of boxes given a low score (default 0)
`;

export const command: Command = {
  name: 'eval',
  summary: 'score person detection and tracking against MOT ground truth',
  help,
  async run(argv) {
    const parsed = parseCommandArgs(command, argv, {
      video: { type: 'string' },
      gt: { type: 'string' },
      json: { type: 'boolean', default: false },
      model: { type: 'string' },
      zone: { type: 'string' },
      threads: { type: 'string' },
      'gt-size': { type: 'string' },
      'decode-size': { type: 'string' },
      limit: { type: 'string' },
      'track-high': { type: 'string' },
      'track-low': { type: 'string' },
      'track-new': { type: 'string' },
      'track-match-iou': { type: 'string' },
      'track-min-hits': { type: 'string' },
      'track-buffer-ms': { type: 'string' },
      'track-hold-ms': { type: 'string' },
      'track-occluded-hold-ms': { type: 'string' },
      'track-birth-overlap': { type: 'string' },
      'track-recover': { type: 'string' },
      'track-reid-similarity': { type: 'string' },
      'track-reid-ms': { type: 'string' },
      'track-reid-speed': { type: 'string' },
      'track-low-similarity': { type: 'string' },
      'save-detections': { type: 'string' },
      skip: { type: 'string' },
      replay: { type: 'string' },
      'oracle-drop': { type: 'string' },
      'oracle-low': { type: 'string' },
    });
    if (parsed === undefined) return 0;
    const v = parsed.values;
    if (v.video === undefined || v.gt === undefined) {
      throw new SalonwatchError('USAGE', `--video and --gt are required\n\n${help.trimEnd()}`);
    }
    const threads = numberOption('threads', v.threads, 1, { min: 1, max: 64, integer: true });
    const limitValue = numberOption('limit', v.limit, 0, { min: 1, integer: true });
    const zone = v.zone === undefined ? undefined : parseZone(v.zone, '--zone');
    const unit = { min: 0, max: 1 };
    const tracker: TrackerConfig = {
      ...DEFAULT_TRACKER_CONFIG,
      highScore: numberOption(
        'track-high',
        v['track-high'],
        DEFAULT_TRACKER_CONFIG.highScore,
        unit,
      ),
      lowScore: numberOption('track-low', v['track-low'], DEFAULT_TRACKER_CONFIG.lowScore, unit),
      newTrackScore: numberOption(
        'track-new',
        v['track-new'],
        DEFAULT_TRACKER_CONFIG.newTrackScore,
        unit,
      ),
      firstMatchIou: numberOption(
        'track-match-iou',
        v['track-match-iou'],
        DEFAULT_TRACKER_CONFIG.firstMatchIou,
        unit,
      ),
      minHits: numberOption('track-min-hits', v['track-min-hits'], DEFAULT_TRACKER_CONFIG.minHits, {
        min: 1,
        max: 100,
        integer: true,
      }),
      maxLostMs: numberOption(
        'track-buffer-ms',
        v['track-buffer-ms'],
        DEFAULT_TRACKER_CONFIG.maxLostMs,
        { min: 0 },
      ),
      holdLostMs: numberOption(
        'track-hold-ms',
        v['track-hold-ms'],
        DEFAULT_TRACKER_CONFIG.holdLostMs,
        { min: 0 },
      ),
      occludedHoldMs: numberOption(
        'track-occluded-hold-ms',
        v['track-occluded-hold-ms'],
        DEFAULT_TRACKER_CONFIG.occludedHoldMs,
        { min: 0 },
      ),
      birthMaxOverlap: numberOption(
        'track-birth-overlap',
        v['track-birth-overlap'],
        DEFAULT_TRACKER_CONFIG.birthMaxOverlap,
        unit,
      ),
      recoverDistance: numberOption(
        'track-recover',
        v['track-recover'],
        DEFAULT_TRACKER_CONFIG.recoverDistance,
        { min: 0, max: 10 },
      ),
      reidMinSimilarity: numberOption(
        'track-reid-similarity',
        v['track-reid-similarity'],
        DEFAULT_TRACKER_CONFIG.reidMinSimilarity,
        unit,
      ),
      reidMaxLostMs: numberOption(
        'track-reid-ms',
        v['track-reid-ms'],
        DEFAULT_TRACKER_CONFIG.reidMaxLostMs,
        { min: 0 },
      ),
      reidSpeed: numberOption(
        'track-reid-speed',
        v['track-reid-speed'],
        DEFAULT_TRACKER_CONFIG.reidSpeed,
        { min: 0, max: 10 },
      ),
      lowMinSimilarity: numberOption(
        'track-low-similarity',
        v['track-low-similarity'],
        DEFAULT_TRACKER_CONFIG.lowMinSimilarity,
        unit,
      ),
    };
    if (tracker.lowScore > tracker.highScore)
      throw new SalonwatchError('USAGE', '--track-low must not exceed --track-high');

    const video = await probeVideo(v.video);
    const gtText = await readText(v.gt);
    const groundTruth = parseGroundTruth(gtText, v.gt);
    const decodeSize =
      v['decode-size'] === undefined ? video : parseSize('decode-size', v['decode-size']);
    const { length: seqLength, ...sequence } = await sequenceOf(v.gt, v['gt-size'], video);
    const frameLimit = Math.min(
      limitValue > 0 ? limitValue : Infinity,
      seqLength ?? groundTruth.lastFrame,
    );

    const model = v.model ?? DEFAULT_EVAL_MODEL;
    let detector: PersonDetector;
    const colours = usesColours(tracker);
    // The oracle never looks at pixels (its tracker runs by motion alone), replays only when
    // the tracker compares colours: otherwise skip decoding, keep the video's timing.
    let pixels = true;
    if (v.replay !== undefined) {
      const recorded = parseGroundTruth(await readText(v.replay), v.replay);
      detector = replayDetector(recorded, sequence, v.replay);
      pixels = colours;
    } else if (model === GT_ORACLE) {
      detector = createGtOracle(groundTruth, sequence, {
        dropRate: numberOption('oracle-drop', v['oracle-drop'], 0, unit),
        lowScoreRate: numberOption('oracle-low', v['oracle-low'], 0, unit),
      });
      pixels = false;
    } else {
      detector = await loadDetector(model, threads, tracker.lowScore);
    }
    const saved: string[] = [];
    if (v['save-detections'] !== undefined) detector = recordingDetector(detector, sequence, saved);
    const skip = numberOption('skip', v.skip, 0, { min: 0, integer: true });
    const size = { width: decodeSize.width, height: decodeSize.height };
    try {
      const result = await runEval({
        frames: pixels
          ? skipFrames(readVideoFrames(v.video, size), skip)
          : blankFrames(frameLimit, size, video.fps > 0 ? video.fps : 10),
        detector,
        tracker: createByteTracker(tracker),
        groundTruth,
        sequence,
        rawScoreThreshold: tracker.highScore,
        ...(zone === undefined ? {} : { zone }),
        limit: frameLimit,
        now: () => performance.now(),
        ...(colours && pixels ? { describe: describeBodies } : {}),
      });
      if (v['save-detections'] !== undefined) {
        await writeFile(v['save-detections'], saved.join('\n') + '\n');
      }
      const report = {
        video: v.video,
        gt: v.gt,
        model: detector.name,
        threads,
        decodedAt: { width: decodeSize.width, height: decodeSize.height },
        sequence,
        tracker,
        ...result,
      };
      process.stdout.write(v.json ? JSON.stringify(report) + '\n' : formatTable(report));
    } finally {
      await detector.close();
    }
    return 0;
  },
};

/** Body colours of a frame's boxes, for the tracker (computed when it asks). */
function describeBodies(frame: Frame, detections: Detections): DescribeDetection {
  return (index) => bodyColours(frame, boxAt(detections, index));
}

async function loadDetector(
  name: string,
  threads: number,
  scoreThreshold: number,
): Promise<PersonDetector> {
  // Imported lazily: the oracle and replays must not pay for loading onnxruntime.
  const { createPersonDetector } = await import('../person/factory.js');
  return createPersonDetector(name, { threads, scoreThreshold });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new SalonwatchError('INPUT_INVALID', `${file}: cannot read ground truth`, {
      cause: error,
    });
  }
}

/**
 * The pixel size ground-truth boxes are expressed in (see --gt-size in the help) and the
 * sequence length from seqinfo.ini when there is one: a re-encoded video may carry a few more
 * frames than were annotated, and those must not be scored as all false positives.
 */
async function sequenceOf(
  gtFile: string,
  explicit: string | undefined,
  video: { width: number; height: number },
): Promise<{ width: number; height: number; length?: number }> {
  const iniFile = path.join(path.dirname(path.dirname(gtFile)), 'seqinfo.ini');
  let info: SequenceInfo | undefined;
  try {
    info = parseSequenceInfo(await readFile(iniFile, 'utf8'), iniFile);
  } catch (error) {
    if (isSalonwatchError(error)) throw error;
  }
  const length = info?.length === undefined ? {} : { length: info.length };
  if (explicit !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(explicit);
    if (m === null)
      throw new SalonwatchError('USAGE', `--gt-size must look like 768x576, got "${explicit}"`);
    return { width: Number(m[1]), height: Number(m[2]), ...length };
  }
  const suffix = /_(\d+)x(\d+)\.txt$/.exec(path.basename(gtFile));
  if (suffix !== null) return { width: Number(suffix[1]), height: Number(suffix[2]), ...length };
  if (info !== undefined) return { width: info.width, height: info.height, ...length };
  return { width: video.width, height: video.height };
}

async function* skipFrames(frames: AsyncIterable<Frame>, count: number): AsyncGenerator<Frame> {
  let seen = 0;
  for await (const frame of frames) {
    seen += 1;
    if (seen > count) yield frame;
  }
}

async function* blankFrames(
  count: number,
  size: { width: number; height: number },
  fps: number,
): AsyncGenerator<Frame> {
  const data = new Uint8Array(size.width * size.height * 3);
  for (let i = 0; i < count; i++) {
    yield { cameraId: 'replay', capturedAt: Math.round((i * 1000) / fps), ...size, data };
    await Promise.resolve();
  }
}

function parseSize(option: string, text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  const width = Number(m?.[1] ?? 0);
  const height = Number(m?.[2] ?? 0);
  if (width <= 0 || height <= 0) {
    throw new SalonwatchError('USAGE', `--${option} must look like 768x576, got "${text}"`);
  }
  return { width, height };
}

type Report = EvalResult & {
  video: string;
  gt: string;
  model: string;
  threads: number;
  decodedAt: { width: number; height: number };
  sequence: { width: number; height: number };
  tracker: TrackerConfig;
};

function formatTable(r: Report): string {
  const f = (x: number, digits = 3): string => x.toFixed(digits);
  const rows: [string, string][] = [
    ['video', r.video],
    ['ground truth', `${r.gt} (${r.sequence.width}x${r.sequence.height}, ${r.gtLastFrame} frames)`],
    ['model', `${r.model}, ${r.threads} thread(s)`],
    ['frames decoded at', `${r.decodedAt.width}x${r.decodedAt.height}`],
    ['frames scored', String(r.frames)],
    ['precision', f(r.precision)],
    ['recall', f(r.recall)],
    ['count MAE', f(r.countMae)],
    ['count exact', `${f(r.countExact * 100, 1)}% of frames`],
    ['MOTA', f(r.mota)],
    ['IDF1', f(r.idf1)],
    ['ID switches', String(r.idSwitches)],
    ['tracks (gt / predicted)', `${r.gtTracks} / ${r.predictedTracks}`],
    [
      'detector alone P / R / MAE',
      `${f(r.raw.precision)} / ${f(r.raw.recall)} / ${f(r.raw.countMae)}`,
    ],
    ['ms per frame (detect+track)', f(r.msPerFrame, 2)],
    ['  inside session.run', f(r.inferenceMsPerFrame, 2)],
    ['  tracker', f(r.trackerMsPerFrame, 3)],
    ['  overhead share', `${f(r.overheadShare * 100, 1)}%`],
    ['decode ms per frame', f(r.decodeMsPerFrame, 2)],
  ];
  if (r.zone !== undefined) {
    rows.push(['zone count MAE', f(r.zone.countMae)]);
    rows.push([
      'zone mean count (gt / pred)',
      `${f(r.zone.gtMeanCount, 2)} / ${f(r.zone.predictedMeanCount, 2)}`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, val]) => `${k.padEnd(width)}  ${val}`).join('\n') + '\n';
}
