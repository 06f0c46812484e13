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
}

/**
 * ByteTrack's MOT17 settings (scores 0.5 / 0.1 / 0.6, first-pass IoU 0.2), with time-based
 * buffers, plus the two additions that held up on both PETS09-S2L1 and TUD-Campus with NanoDet
 * and CenterNet (`detectors/eval/sweep.ts` over recorded detections): part-body births
 * suppressed at 0.8 coverage, and distance recovery of lost tracks within one track height
 * (PETS09 IDF1 0.54 -> 0.66 with NanoDet, 0.66 -> 0.70 with CenterNet). Longer buffers and
 * holding lost tracks did not help both scenes.
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
  birthMaxOverlap: 0.8,
  recoverDistance: 1,
  fuseScore: false,
};

export interface Tracker {
  /** Feeds one frame's detections taken at `timeMs`; returns the people tracked on it. */
  update(detections: Detections, timeMs: number): TrackedPerson[];
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
}

interface Candidate {
  readonly box: Box;
  readonly score: number;
}

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

  const refresh = (track: Track, det: Candidate, timeMs: number): void => {
    track.state = update(track.state, det.box);
    track.box = det.box;
    track.lastBox = det.box;
    track.score = det.score;
    track.lastSeenMs = timeMs;
    track.hits += 1;
  };

  return {
    update(detections, timeMs) {
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
        if (score >= config.highScore) high.push({ box, score });
        else if (score >= config.lowScore) low.push({ box, score });
      }

      for (const track of tracks) {
        track.state = predict(track.state, dt);
        // A lost track reports its predicted box; tracked ones are refreshed below or lost.
        if (track.status === 'lost') track.box = stateToBox(track.state);
      }
      const predicted = new Map(tracks.map((t) => [t, stateToBox(t.state)]));
      const boxOf = (t: Track): Box => predicted.get(t) ?? t.box;

      // Pass 1: confirmed (tracked or lost) tracks against high-score detections.
      const pool = tracks.filter((t) => t.status !== 'tentative');
      const first = match(pool.map(boxOf), high, config.firstMatchIou, config.fuseScore);
      for (const [ti, di] of first.matches) {
        const track = pool[ti];
        const det = high[di];
        if (track === undefined || det === undefined) continue;
        refresh(track, det, timeMs);
        confirm(track);
      }

      // Pass 2: tracks that were being followed on the previous frame against low-score boxes.
      const stillTracked = first.unmatchedRows
        .map((i) => pool[i])
        .filter((t): t is Track => t !== undefined && t.status === 'tracked');
      const second = match(stillTracked.map(boxOf), low, config.secondMatchIou, false);
      for (const [ti, di] of second.matches) {
        const track = stillTracked[ti];
        const det = low[di];
        if (track !== undefined && det !== undefined) refresh(track, det, timeMs);
      }
      for (const ti of second.unmatchedRows) {
        const track = stillTracked[ti];
        if (track !== undefined) track.status = 'lost';
      }

      // Recovery: lost tracks against the high-score boxes nobody claimed, by distance rather
      // than IoU. A small, far person's box shifts by more than its own width across a short
      // occlusion, so IoU with the predicted box is 0 although it is the same person standing
      // where the track left off (PETS09: people of 30x75 px crossing each other).
      let unclaimed = first.unmatchedCols
        .map((i) => high[i])
        .filter((d): d is Candidate => d !== undefined);
      if (config.recoverDistance > 0) {
        const lost = first.unmatchedRows
          .map((i) => pool[i])
          .filter((t): t is Track => t !== undefined && t.status === 'lost');
        const cost = new Float64Array(lost.length * unclaimed.length);
        lost.forEach((t, r) => {
          unclaimed.forEach((d, c) => {
            cost[r * unclaimed.length + c] = recoveryCost(
              t,
              boxOf(t),
              d.box,
              config.recoverDistance,
            );
          });
        });
        const recovered = assign(cost, lost.length, unclaimed.length, config.recoverDistance);
        for (const [ti, di] of recovered.matches) {
          const track = lost[ti];
          const det = unclaimed[di];
          if (track === undefined || det === undefined) continue;
          refresh(track, det, timeMs);
          confirm(track);
        }
        unclaimed = recovered.unmatchedCols
          .map((i) => unclaimed[i])
          .filter((d): d is Candidate => d !== undefined);
      }

      // Pass 3: tentative tracks against the high-score detections nobody claimed.
      const leftover = unclaimed;
      const tentative = tracks.filter((t) => t.status === 'tentative');
      const third = match(
        tentative.map(boxOf),
        leftover,
        config.tentativeMatchIou,
        config.fuseScore,
      );
      const dead = new Set<Track>();
      for (const [ti, di] of third.matches) {
        const track = tentative[ti];
        const det = leftover[di];
        if (track === undefined || det === undefined) continue;
        refresh(track, det, timeMs);
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
        };
        if (config.minHits <= 1) confirm(track);
        born.push(track);
      }

      for (const track of tracks) {
        if (track.status === 'lost' && timeMs - track.lastSeenMs > config.maxLostMs)
          dead.add(track);
      }
      tracks = [...tracks.filter((t) => !dead.has(t)), ...born];

      const out: TrackedPerson[] = [];
      for (const track of tracks) {
        const seenNow = track.lastSeenMs === timeMs;
        const report =
          (track.status === 'tracked' && seenNow) ||
          (track.status === 'lost' && timeMs - track.lastSeenMs <= config.holdLostMs);
        if (report && track.id !== 0)
          out.push({ trackId: track.id, box: track.box, score: track.score });
      }
      return out.sort((a, b) => a.trackId - b.trackId);
    },
  };
}

function match(
  boxes: readonly Box[],
  dets: readonly Candidate[],
  minIou: number,
  fuseScore: boolean,
) {
  const cost = new Float64Array(boxes.length * dets.length);
  for (let r = 0; r < boxes.length; r++) {
    const a = boxes[r];
    for (let c = 0; c < dets.length; c++) {
      const d = dets[c];
      if (a === undefined || d === undefined) continue;
      const overlap = iou(a, d.box);
      // Gate on the raw IoU; fusing the score only ranks admissible pairs.
      cost[r * dets.length + c] =
        overlap < minIou ? Infinity : 1 - (fuseScore ? overlap * d.score : overlap);
    }
  }
  return assign(cost, boxes.length, dets.length, 1);
}

/** Centre distance in track heights (the nearer of last-seen and predicted), or Infinity if gated out. */
function recoveryCost(track: Track, predictedBox: Box, box: Box, limit: number): number {
  const h = track.lastBox.y2 - track.lastBox.y1;
  const hd = box.y2 - box.y1;
  if (h <= 0 || hd / h > 1.4 || h / hd > 1.4) return Infinity;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const dist = (b: Box): number => Math.hypot((b.x1 + b.x2) / 2 - cx, (b.y1 + b.y2) / 2 - cy) / h;
  const d = Math.min(dist(track.lastBox), dist(predictedBox));
  return d <= limit ? d : Infinity;
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
  ] as const;
  for (const key of unit) {
    const v = c[key];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`tracker ${key} must be in [0, 1], got ${v}`);
  }
  if (c.lowScore > c.highScore) throw new RangeError('tracker lowScore must not exceed highScore');
  if (!Number.isInteger(c.minHits) || c.minHits < 1)
    throw new RangeError(`tracker minHits must be an integer >= 1`);
  if (!(c.recoverDistance >= 0)) throw new RangeError('tracker recoverDistance must be >= 0');
  if (!(c.maxLostMs >= 0) || !(c.holdLostMs >= 0))
    throw new RangeError('tracker maxLostMs and holdLostMs must be >= 0');
}
