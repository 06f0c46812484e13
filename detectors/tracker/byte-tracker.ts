import { blendBodyColours, bodySimilarity, type BodyColours } from '../appearance.js';
import { boxAt, PERSON_CLASS, type Box, type Detections } from '../detections.js';
import type { TrackedPerson } from '../track.js';
import { assign } from './assignment.js';
import { iou } from './geometry.js';
import { initiate, predict, stateToBox, update, type KalmanState } from './kalman.js';

/**
 * ByteTrack (Zhang et al., ECCV 2022) over the shared `Detections` record. Every detection
 * box is associated, not only confident ones: a first pass matches high-score detections to
 * all live tracks, a second pass matches the remaining low-score detections (mostly occluded
 * people) to tracks still unmatched, so an occluded person keeps their id instead of being
 * dropped and re-born. Pure: time is passed in with each frame, nothing is read from a clock.
 */
export interface TrackerConfig {
  /** Detections at or above this score take part in the first association pass. */
  readonly highScore: number;
  /** Detections in [lowScore, highScore) only extend existing tracks (second pass). */
  readonly lowScore: number;
  /** A detection starts a new (tentative) track only at or above this score. */
  readonly newTrackScore: number;
  /** Minimum IoU (against the motion-predicted box) in the first pass. */
  readonly firstMatchIou: number;
  /** Minimum IoU in the second, low-score pass: stricter, those boxes are less reliable. */
  readonly secondMatchIou: number;
  /** Minimum IoU for a tentative track to be confirmed by its next detection. */
  readonly tentativeMatchIou: number;
  /** Birth hysteresis: consecutive matched frames before a track gets an id and is reported. */
  readonly minHits: number;
  /** Death hysteresis: how long a lost track may be re-found before it is dropped. */
  readonly maxLostMs: number;
  /**
   * How long a lost track is still reported at its predicted box. A person hidden for a
   * frame or two still stands there; 0 reports only tracks matched on this frame.
   */
  readonly holdLostMs: number;
  /**
   * With body colours: how long a lost track is still reported while its predicted box lies at
   * least `OCCLUDED_COVERAGE` behind a person seen on this frame. Someone hidden behind another
   * is still there to be counted (a person who vanished in the open has most likely left); the
   * colour vetoes below stop the low-score pass from keeping them, so this does. By motion
   * alone that pass already keeps them, and holding them as well reports them twice
   * (TUD-Campus MOTA 0.65 -> 0.60).
   */
  readonly occludedHoldMs: number;
  /**
   * Lost tracks may be re-found by a high-score box whose centre lies within this many track
   * heights of where the track was last seen or is predicted, at a similar height, when IoU
   * finds nothing. 0 disables the recovery pass.
   */
  readonly recoverDistance: number;
  /**
   * A new track is not started from a box whose area lies at least this much (intersection over
   * the new box's area) inside a person tracked on this frame: such boxes are mostly a second
   * box on the same body (legs, torso), which NMS at IoU 0.6 lets through. 1 disables the check.
   */
  readonly birthMaxOverlap: number;
  /** First pass cost is 1 - IoU x score (ByteTrack's `fuse_score`), favouring confident boxes. */
  readonly fuseScore: boolean;
  /**
   * With body colours (`update`'s `describe`): a lost track is re-found only by a box whose
   * colours are at least this similar to the track's running colours (`bodySimilarity`), in the
   * IoU pass and in the recovery pass alike. 0 disables colours for lost tracks.
   */
  readonly reidMinSimilarity: number;
  /**
   * With body colours: how much longer than `maxLostMs` a lost track stays re-findable, by a
   * colour-checked box only. Without colours lost tracks end at `maxLostMs`: by motion alone,
   * longer buffers re-find the wrong person more often than the right one (PETS09 IDF1 0.64 at
   * 1 s, 0.59 at 3 s, 0.54 at 5 s).
   */
  readonly reidMaxLostMs: number;
  /**
   * With body colours: a colour-checked re-find may lie this many track heights further away
   * per second hidden, beyond `recoverDistance` (0.4 h/s is a slow walk, about 0.7 m/s).
   */
  readonly reidSpeed: number;
  /**
   * With body colours: a low-score box less similar than this does not extend a track (second
   * pass). Behind someone, the low-score box at a track's place is often the person in front.
   * 0 disables the check.
   */
  readonly lowMinSimilarity: number;
}

/**
 * ByteTrack's MOT17 settings (scores 0.5 / 0.1 / 0.6, first-pass IoU 0.2), with time-based
 * buffers, plus what held up on PETS09-S2L1 and TUD-Campus (`detectors/eval/sweep.ts` over
 * recorded detections, ranked by the worst scene; checked with the default NanoDet int8 320x256,
 * two other NanoDet variants, and PETS09's 480x360 re-encode):
 * - part-body births suppressed at 0.8 coverage, and distance recovery of lost tracks within
 *   one track height (PETS09 IDF1 0.54 -> 0.66 with NanoDet, 0.66 -> 0.70 with CenterNet);
 * - with body colours: lost tracks re-found only by a box that looks like them (0.85: at 0.8
 *   wrong re-finds cost PETS09 0.10 IDF1 and TUD-Campus 0.11, at 0.9 missed ones cost PETS09
 *   0.06), for up to 3 s past the 1 s buffer; low-score boxes that do not look like the track
 *   (0.8) left alone; people hidden behind someone reported for 300 ms (without that hold the
 *   vetoes raised PETS09 count MAE 0.53 -> 0.62). PETS09 IDF1 0.64 -> 0.75, TUD-Campus 0.60 -> 0.78; over the four PETS09 and three
 *   TUD-Campus recordings IDF1 0.57 -> 0.70 and 0.63 -> 0.72, MOTA 0.799 -> 0.810 and
 *   0.635 -> 0.632.
 * Longer buffers without colours, and holding every lost track, did not help both scenes.
 * Low-score boxes from 0.2 rather than 0.1 gave the PETS09 recordings +0.03 IDF1, TUD-Campus
 * -0.02 MOTA, and a worse worst scene.
 */
export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  highScore: 0.5,
  lowScore: 0.1,
  newTrackScore: 0.6,
  firstMatchIou: 0.2,
  secondMatchIou: 0.5,
  tentativeMatchIou: 0.3,
  minHits: 2,
  maxLostMs: 1000,
  holdLostMs: 0,
  occludedHoldMs: 300,
  birthMaxOverlap: 0.8,
  recoverDistance: 1,
  fuseScore: false,
  reidMinSimilarity: 0.85,
  reidMaxLostMs: 3000,
  reidSpeed: 0.4,
  lowMinSimilarity: 0.8,
};

/**
 * Body colours of detection `index` of the frame being tracked (`bodyColours(frame, box)`).
 * Asked lazily, only for boxes the tracker compares or learns from (about 5 a frame on PETS09,
 * 0.07 ms each), not for the dozens of low-score boxes nobody overlaps; undefined when a box
 * has none (off-frame).
 */
export type DescribeDetection = (index: number) => BodyColours | undefined;

/** Whether these settings compare body colours, so the caller should pass `describe`. */
export function usesColours(config: TrackerConfig): boolean {
  return config.reidMinSimilarity > 0 || config.lowMinSimilarity > 0;
}

export interface Tracker {
  /**
   * Feeds one frame's detections taken at `timeMs`; returns the people tracked on it. Without
   * `describe` the tracker uses motion alone.
   */
  update(detections: Detections, timeMs: number, describe?: DescribeDetection): TrackedPerson[];
}

type Status = 'tentative' | 'tracked' | 'lost';

interface Track {
  /** 0 while tentative: ids are handed out on confirmation, so they stay dense and stable. */
  id: number;
  status: Status;
  state: KalmanState;
  hits: number;
  lastSeenMs: number;
  score: number;
  box: Box;
  /** The last detection box that refreshed the track (box moves with the prediction when lost). */
  lastBox: Box;
  /** Running body colours from unoccluded confident sightings; undefined without `describe`. */
  colours: BodyColours | undefined;
}

interface Candidate {
  readonly box: Box;
  readonly score: number;
  /** Index in the frame's `Detections`, for `describe`. */
  readonly index: number;
  /** Whether another confident box overlaps this one: its colours are partly someone else's. */
  occluded: boolean;
}

/** Share of a lost track's predicted box that must lie behind a seen person to hold it. */
const OCCLUDED_COVERAGE = 0.5;
/** Weight of the newest clean sighting in a track's running colours (DeepSORT-style EMA). */
const COLOUR_RATE = 0.1;
/**
 * A confident box covered this much by another confident box is not used to learn colours:
 * half of it may be the person in front.
 */
const COLOUR_OCCLUSION = 0.2;

export function createByteTracker(overrides: Partial<TrackerConfig> = {}): Tracker {
  const config: TrackerConfig = { ...DEFAULT_TRACKER_CONFIG, ...overrides };
  validate(config);
  let tracks: Track[] = [];
  let nextId = 1;
  let lastTimeMs: number | undefined;

  const confirm = (track: Track): void => {
    if (track.id === 0) track.id = nextId++;
    track.status = 'tracked';
  };

  return {
    update(detections, timeMs, describe) {
      if (lastTimeMs !== undefined && timeMs < lastTimeMs) {
        throw new RangeError(`tracker time went backwards: ${timeMs} after ${lastTimeMs}`);
      }
      const dt = lastTimeMs === undefined ? 0 : (timeMs - lastTimeMs) / 1000;
      lastTimeMs = timeMs;

      const high: Candidate[] = [];
      const low: Candidate[] = [];
      for (let i = 0; i < detections.count; i++) {
        if (detections.classIds[i] !== PERSON_CLASS) continue;
        const score = detections.scores[i] ?? 0;
        const box = boxAt(detections, i);
        if (box.x2 <= box.x1 || box.y2 <= box.y1) continue;
        const det = { box, score, index: i, occluded: false };
        if (score >= config.highScore) high.push(det);
        else if (score >= config.lowScore) low.push(det);
      }
      for (const det of high) {
        det.occluded = high.some(
          (other) => other !== det && coverage(det.box, other.box) >= COLOUR_OCCLUSION,
        );
      }

      // Colours are computed at most once per box, and only for boxes compared or learned from.
      const described = new Map<number, BodyColours | undefined>();
      const coloursOf = (det: Candidate): BodyColours | undefined => {
        if (describe === undefined) return undefined;
        if (!described.has(det.index)) described.set(det.index, describe(det.index));
        return described.get(det.index);
      };
      const similarityOf = (track: Track, det: Candidate): number | undefined => {
        if (track.colours === undefined) return undefined;
        const colours = coloursOf(det);
        return colours === undefined ? undefined : bodySimilarity(track.colours, colours);
      };
      /** Colours known on both sides and less similar than `min` (never when `min` is 0). */
      const unlike = (track: Track, det: Candidate, min: number): boolean => {
        if (min === 0) return false;
        const sim = similarityOf(track, det);
        return sim !== undefined && sim < min;
      };
      const refresh = (track: Track, det: Candidate): void => {
        track.state = update(track.state, det.box);
        track.box = det.box;
        track.lastBox = det.box;
        track.score = det.score;
        track.lastSeenMs = timeMs;
        track.hits += 1;
        if (det.score >= config.highScore && !det.occluded) {
          const colours = coloursOf(det);
          if (colours !== undefined) {
            track.colours =
              track.colours === undefined
                ? colours
                : blendBodyColours(track.colours, colours, COLOUR_RATE);
          }
        }
      };
      // Long-lost tracks (past maxLostMs) are kept only while colours can check a re-find.
      const reid =
        describe !== undefined && config.reidMaxLostMs > 0 && config.reidMinSimilarity > 0;
      const lostMs = (t: Track): number => timeMs - t.lastSeenMs;
      const longLost = (t: Track): boolean => t.status === 'lost' && lostMs(t) > config.maxLostMs;

      for (const track of tracks) {
        track.state = predict(track.state, dt);
        // A lost track reports its predicted box; tracked ones are refreshed below or lost.
        if (track.status === 'lost') track.box = stateToBox(track.state);
      }
      const predicted = new Map(tracks.map((t) => [t, stateToBox(t.state)]));
      const boxOf = (t: Track): Box => predicted.get(t) ?? t.box;

      // Pass 1: confirmed (tracked or lost within maxLostMs) tracks against high-score
      // detections. A lost track's prediction has coasted for a while: where colours are known,
      // a box that does not look like the track is someone else walking through that place.
      const pool = tracks.filter((t) => t.status !== 'tentative' && !longLost(t));
      const first = match(
        pool,
        high,
        boxOf,
        config.firstMatchIou,
        config.fuseScore,
        (t, d) => t.status === 'lost' && unlike(t, d, config.reidMinSimilarity),
      );
      for (const [ti, di] of first.matches) {
        const track = pool[ti];
        const det = high[di];
        if (track === undefined || det === undefined) continue;
        refresh(track, det);
        confirm(track);
      }

      // Pass 2: tracks that were being followed on the previous frame against low-score boxes.
      // Colours veto low-score boxes that are someone else's (the person in front).
      const stillTracked = first.unmatchedRows
        .map((i) => pool[i])
        .filter((t): t is Track => t !== undefined && t.status === 'tracked');
      const second = match(stillTracked, low, boxOf, config.secondMatchIou, false, (t, d) =>
        unlike(t, d, config.lowMinSimilarity),
      );
      for (const [ti, di] of second.matches) {
        const track = stillTracked[ti];
        const det = low[di];
        if (track !== undefined && det !== undefined) refresh(track, det);
      }
      for (const ti of second.unmatchedRows) {
        const track = stillTracked[ti];
        if (track !== undefined) track.status = 'lost';
      }

      // Recovery: lost tracks against the high-score boxes nobody claimed, by distance rather
      // than IoU. A small, far person's box shifts by more than its own width across a short
      // occlusion, so IoU with the predicted box is 0 although it is the same person standing
      // where the track left off (PETS09: people of 30x75 px crossing each other). With colours
      // the reach grows with the time hidden, and long-lost tracks take part too.
      let unclaimed = first.unmatchedCols
        .map((i) => high[i])
        .filter((d): d is Candidate => d !== undefined);
      if (config.recoverDistance > 0 || reid) {
        const lost = [
          ...first.unmatchedRows
            .map((i) => pool[i])
            .filter((t): t is Track => t !== undefined && t.status === 'lost'),
          ...(reid ? tracks.filter((t) => longLost(t) && t.colours !== undefined) : []),
        ];
        const cost = new Float64Array(lost.length * unclaimed.length);
        lost.forEach((t, r) => {
          const long = longLost(t);
          unclaimed.forEach((d, c) => {
            let value = Infinity;
            const sim = config.reidMinSimilarity > 0 ? similarityOf(t, d) : undefined;
            // Unchecked (no colours on either side), only motion speaks: the fixed reach.
            if (sim === undefined ? !long : sim >= config.reidMinSimilarity) {
              const reach =
                config.recoverDistance +
                (sim === undefined ? 0 : (config.reidSpeed * lostMs(t)) / 1000);
              const distance = recoveryDistance(t.lastBox, boxOf(t), d.box);
              if (distance <= reach) value = (reach > 0 ? distance / reach : 0) + (1 - (sim ?? 1));
            }
            cost[r * unclaimed.length + c] = value;
          });
        });
        const recovered = assign(cost, lost.length, unclaimed.length, 2);
        for (const [ti, di] of recovered.matches) {
          const track = lost[ti];
          const det = unclaimed[di];
          if (track === undefined || det === undefined) continue;
          refresh(track, det);
          confirm(track);
        }
        unclaimed = recovered.unmatchedCols
          .map((i) => unclaimed[i])
          .filter((d): d is Candidate => d !== undefined);
      }

      // Pass 3: tentative tracks against the high-score detections nobody claimed.
      const leftover = unclaimed;
      const tentative = tracks.filter((t) => t.status === 'tentative');
      const third = match(tentative, leftover, boxOf, config.tentativeMatchIou, config.fuseScore);
      const dead = new Set<Track>();
      for (const [ti, di] of third.matches) {
        const track = tentative[ti];
        const det = leftover[di];
        if (track === undefined || det === undefined) continue;
        refresh(track, det);
        if (track.hits >= config.minHits) confirm(track);
      }
      // Birth needs consecutive hits: a tentative track that misses a frame was noise.
      for (const ti of third.unmatchedRows) {
        const track = tentative[ti];
        if (track !== undefined) dead.add(track);
      }

      const born: Track[] = [];
      // Everyone seen on this frame, births included, most confident first: a body is born
      // before the part-body boxes that lie inside it.
      const present = tracks.filter((t) => t.lastSeenMs === timeMs).map((t) => t.box);
      const births = third.unmatchedCols
        .map((i) => leftover[i])
        .filter((d): d is Candidate => d !== undefined && d.score >= config.newTrackScore)
        .sort((a, b) => b.score - a.score);
      for (const det of births) {
        if (
          config.birthMaxOverlap < 1 &&
          present.some((box) => coverage(det.box, box) >= config.birthMaxOverlap)
        ) {
          continue;
        }
        present.push(det.box);
        const track: Track = {
          id: 0,
          status: 'tentative',
          state: initiate(det.box),
          hits: 1,
          lastSeenMs: timeMs,
          score: det.score,
          box: det.box,
          lastBox: det.box,
          colours: det.occluded ? undefined : coloursOf(det),
        };
        if (config.minHits <= 1) confirm(track);
        born.push(track);
      }

      for (const track of tracks) {
        if (track.status !== 'lost') continue;
        const keepMs =
          config.maxLostMs + (reid && track.colours !== undefined ? config.reidMaxLostMs : 0);
        if (lostMs(track) > keepMs) dead.add(track);
      }
      tracks = [...tracks.filter((t) => !dead.has(t)), ...born];

      const out: TrackedPerson[] = [];
      const seen = tracks.filter((t) => t.lastSeenMs === timeMs && t.id !== 0).map((t) => t.box);
      const hidden = (t: Track): boolean =>
        describe !== undefined &&
        lostMs(t) <= config.occludedHoldMs &&
        seen.some((box) => coverage(t.box, box) >= OCCLUDED_COVERAGE);
      for (const track of tracks) {
        const seenNow = track.lastSeenMs === timeMs;
        const report =
          (track.status === 'tracked' && seenNow) ||
          (track.status === 'lost' && (lostMs(track) <= config.holdLostMs || hidden(track)));
        if (report && track.id !== 0)
          out.push({ trackId: track.id, box: track.box, score: track.score });
      }
      return out.sort((a, b) => a.trackId - b.trackId);
    },
  };
}

/**
 * IoU association of `tracks` (at their predicted boxes) with `dets`, cost 1 - IoU: pairs below
 * `minIou`, and pairs `forbid` rules out, are never matched.
 */
function match(
  tracks: readonly Track[],
  dets: readonly Candidate[],
  boxOf: (t: Track) => Box,
  minIou: number,
  fuseScore: boolean,
  forbid: (t: Track, d: Candidate) => boolean = () => false,
) {
  const cost = new Float64Array(tracks.length * dets.length);
  for (let r = 0; r < tracks.length; r++) {
    const t = tracks[r];
    if (t === undefined) continue;
    const a = boxOf(t);
    for (let c = 0; c < dets.length; c++) {
      const d = dets[c];
      if (d === undefined) continue;
      const overlap = iou(a, d.box);
      // Gate on the raw IoU; fusing the score only ranks admissible pairs. The IoU gate comes
      // first, so colours are only computed for pairs that could match.
      cost[r * dets.length + c] =
        overlap < minIou || forbid(t, d) ? Infinity : 1 - (fuseScore ? overlap * d.score : overlap);
    }
  }
  return assign(cost, tracks.length, dets.length, 1);
}

/**
 * Centre distance from `box` to the nearer of the last-seen and predicted boxes, in track
 * heights; Infinity when the heights differ by more than 1.4x (a different person's scale).
 */
function recoveryDistance(lastBox: Box, predictedBox: Box, box: Box): number {
  const h = lastBox.y2 - lastBox.y1;
  const hd = box.y2 - box.y1;
  if (h <= 0 || hd / h > 1.4 || h / hd > 1.4) return Infinity;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const dist = (b: Box): number => Math.hypot((b.x1 + b.x2) / 2 - cx, (b.y1 + b.y2) / 2 - cy) / h;
  return Math.min(dist(lastBox), dist(predictedBox));
}

/** Share of `inner`'s area that lies inside `outer`. */
function coverage(inner: Box, outer: Box): number {
  const iw = Math.min(inner.x2, outer.x2) - Math.max(inner.x1, outer.x1);
  const ih = Math.min(inner.y2, outer.y2) - Math.max(inner.y1, outer.y1);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / Math.max((inner.x2 - inner.x1) * (inner.y2 - inner.y1), 1e-9);
}

function validate(c: TrackerConfig): void {
  const unit = [
    'highScore',
    'lowScore',
    'newTrackScore',
    'firstMatchIou',
    'secondMatchIou',
    'tentativeMatchIou',
    'birthMaxOverlap',
    'reidMinSimilarity',
    'lowMinSimilarity',
  ] as const;
  for (const key of unit) {
    const v = c[key];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`tracker ${key} must be in [0, 1], got ${v}`);
  }
  if (c.lowScore > c.highScore) throw new RangeError('tracker lowScore must not exceed highScore');
  if (!Number.isInteger(c.minHits) || c.minHits < 1)
    throw new RangeError(`tracker minHits must be an integer >= 1`);
  if (!(c.recoverDistance >= 0)) throw new RangeError('tracker recoverDistance must be >= 0');
  for (const key of ['maxLostMs', 'holdLostMs', 'occludedHoldMs', 'reidMaxLostMs'] as const) {
    if (!(c[key] >= 0)) throw new RangeError(`tracker ${key} must be >= 0, got ${c[key]}`);
  }
  if (!(c.reidSpeed >= 0)) throw new RangeError('tracker reidSpeed must be >= 0');
}
