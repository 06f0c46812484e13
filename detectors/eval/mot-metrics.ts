import type { Box } from '../detections.js';
import { assign } from '../tracker/assignment.js';
import { iou, iouMatrix } from '../tracker/geometry.js';
import type { GroundTruthBox } from './mot-ground-truth.js';
import { feetInZone, type Zone } from './zone.js';

/**
 * Scores tracker output against ground truth, frame by frame, the way MOTChallenge does:
 * a prediction matches a ground-truth box at IoU >= 0.5, matches are optimal (Hungarian), not
 * greedy. Predictions that match no scored box but overlap an "ignore" box (conf 0) are
 * removed before anything is counted, so they are neither false positives nor counted people.
 *
 * - precision, recall: per-frame optimal matching of boxes, identities disregarded.
 * - countMae: mean over frames of |predicted people - ground-truth people|.
 * - MOTA (CLEAR MOT, Bernardin and Stiefelhagen 2008): 1 - (misses + false positives + ID
 *   switches) / ground-truth boxes, where a match made on an earlier frame is kept while its IoU
 *   stays >= 0.5, and an ID switch is a ground-truth person matched to a different track id
 *   than the last time they were matched.
 * - IDF1 (Ristani et al. 2016): one global optimal matching between ground-truth ids and track
 *   ids maximising the frames in which the pair overlaps at IoU >= 0.5; IDF1 = 2 IDTP /
 *   (ground-truth boxes + predicted boxes).
 */
export const MATCH_IOU = 0.5;

export interface PredictedBox {
  readonly id: number;
  readonly box: Box;
}

export interface MotMetrics {
  readonly frames: number;
  readonly gtBoxes: number;
  readonly predictedBoxes: number;
  /** Predictions dropped because they sat on an ignore box. */
  readonly ignoredPredictions: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly misses: number;
  readonly precision: number;
  readonly recall: number;
  readonly countMae: number;
  /** Share of frames whose predicted count equals the ground-truth count. */
  readonly countExact: number;
  readonly mota: number;
  readonly idSwitches: number;
  readonly idtp: number;
  readonly idf1: number;
  readonly idPrecision: number;
  readonly idRecall: number;
  readonly gtTracks: number;
  readonly predictedTracks: number;
  /** Present when a zone was given: counts of people whose feet are inside it. */
  readonly zone?: {
    readonly countMae: number;
    readonly gtMeanCount: number;
    readonly predictedMeanCount: number;
  };
}

export interface MotAccumulator {
  /** Adds one frame; ground truth and predictions in the same (sequence) pixel space. */
  addFrame(gt: readonly GroundTruthBox[], predicted: readonly PredictedBox[]): void;
  result(): MotMetrics;
}

export interface AccumulatorOptions {
  /** Normalised zone and the sequence size its coordinates are relative to. */
  readonly zone?: { readonly polygon: Zone; readonly width: number; readonly height: number };
}

export function createMotAccumulator(options: AccumulatorOptions = {}): MotAccumulator {
  let frames = 0;
  let gtBoxes = 0;
  let predictedBoxes = 0;
  let ignoredPredictions = 0;
  let truePositives = 0;
  let countErrorSum = 0;
  let countExactFrames = 0;
  let motMatches = 0;
  let idSwitches = 0;
  let zoneErrorSum = 0;
  let zoneGtSum = 0;
  let zonePredSum = 0;
  /** Ground-truth id -> track id it was last matched to (CLEAR MOT continuity). */
  const lastMatch = new Map<number, number>();
  /** Ground-truth id -> track id -> frames in which the pair overlaps at IoU >= 0.5. */
  const pairFrames = new Map<number, Map<number, number>>();
  const gtIds = new Set<number>();
  const predIds = new Set<number>();

  return {
    addFrame(gt, predicted) {
      frames += 1;
      const real = gt.filter((g) => !g.ignore);
      const ignored = gt.filter((g) => g.ignore);

      const det = matchBoxes(
        real.map((g) => g.box),
        predicted.map((p) => p.box),
      );
      const matchedPred = new Set(det.matches.map(([, p]) => p));
      const kept = predicted.filter(
        (p, i) => matchedPred.has(i) || !ignored.some((g) => iou(g.box, p.box) >= MATCH_IOU),
      );
      ignoredPredictions += predicted.length - kept.length;
      gtBoxes += real.length;
      predictedBoxes += kept.length;
      truePositives += det.matches.length;

      const countError = Math.abs(kept.length - real.length);
      countErrorSum += countError;
      if (countError === 0) countExactFrames += 1;

      if (options.zone !== undefined) {
        const { polygon, width, height } = options.zone;
        const gtIn = real.filter((g) => feetInZone(g.box, polygon, width, height)).length;
        const predIn = kept.filter((p) => feetInZone(p.box, polygon, width, height)).length;
        zoneErrorSum += Math.abs(gtIn - predIn);
        zoneGtSum += gtIn;
        zonePredSum += predIn;
      }

      // CLEAR MOT: keep last correspondences that still hold, then match the rest optimally.
      const usedGt = new Set<number>();
      const usedPred = new Set<number>();
      const pairs: [number, number][] = [];
      real.forEach((g, gi) => {
        const trackId = lastMatch.get(g.id);
        if (trackId === undefined) return;
        const pi = kept.findIndex((p, k) => p.id === trackId && !usedPred.has(k));
        const p = kept[pi];
        if (p !== undefined && iou(g.box, p.box) >= MATCH_IOU) {
          usedGt.add(gi);
          usedPred.add(pi);
          pairs.push([gi, pi]);
        }
      });
      const restGt = real.map((_, i) => i).filter((i) => !usedGt.has(i));
      const restPred = kept.map((_, i) => i).filter((i) => !usedPred.has(i));
      const rest = matchBoxes(
        restGt.map((i) => real[i]?.box ?? EMPTY),
        restPred.map((i) => kept[i]?.box ?? EMPTY),
      );
      for (const [a, b] of rest.matches) {
        const gi = restGt[a];
        const pi = restPred[b];
        if (gi === undefined || pi === undefined) continue;
        pairs.push([gi, pi]);
        const g = real[gi];
        const p = kept[pi];
        if (g === undefined || p === undefined) continue;
        const previous = lastMatch.get(g.id);
        if (previous !== undefined && previous !== p.id) idSwitches += 1;
      }
      for (const [gi, pi] of pairs) {
        const g = real[gi];
        const p = kept[pi];
        if (g !== undefined && p !== undefined) lastMatch.set(g.id, p.id);
      }
      motMatches += pairs.length;

      // IDF1 bookkeeping: every overlapping pair counts, not only this frame's matches.
      for (const g of real) {
        gtIds.add(g.id);
        for (const p of kept) {
          if (iou(g.box, p.box) < MATCH_IOU) continue;
          let row = pairFrames.get(g.id);
          if (row === undefined) {
            row = new Map();
            pairFrames.set(g.id, row);
          }
          row.set(p.id, (row.get(p.id) ?? 0) + 1);
        }
      }
      for (const p of kept) predIds.add(p.id);
    },

    result() {
      const misses = gtBoxes - truePositives;
      const falsePositives = predictedBoxes - truePositives;
      const motMisses = gtBoxes - motMatches;
      const motFalsePositives = predictedBoxes - motMatches;
      const idtp = identityTruePositives(pairFrames, [...gtIds], [...predIds]);
      const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);
      const zone =
        options.zone === undefined
          ? {}
          : {
              zone: {
                countMae: ratio(zoneErrorSum, frames),
                gtMeanCount: ratio(zoneGtSum, frames),
                predictedMeanCount: ratio(zonePredSum, frames),
              },
            };
      return {
        frames,
        gtBoxes,
        predictedBoxes,
        ignoredPredictions,
        truePositives,
        falsePositives,
        misses,
        precision: ratio(truePositives, predictedBoxes),
        recall: ratio(truePositives, gtBoxes),
        countMae: ratio(countErrorSum, frames),
        countExact: ratio(countExactFrames, frames),
        mota: gtBoxes > 0 ? 1 - (motMisses + motFalsePositives + idSwitches) / gtBoxes : 0,
        idSwitches,
        idtp,
        idf1: ratio(2 * idtp, gtBoxes + predictedBoxes),
        idPrecision: ratio(idtp, predictedBoxes),
        idRecall: ratio(idtp, gtBoxes),
        gtTracks: gtIds.size,
        predictedTracks: predIds.size,
        ...zone,
      };
    },
  };
}

const EMPTY: Box = { x1: 0, y1: 0, x2: 0, y2: 0 };

/** Optimal one-to-one matching of boxes at IoU >= 0.5, maximising the summed IoU. */
export function matchBoxes(gt: readonly Box[], predicted: readonly Box[]) {
  const overlaps = iouMatrix(gt, predicted);
  const cost = overlaps.map((o) => (o >= MATCH_IOU ? 1 - o : Infinity));
  return assign(cost, gt.length, predicted.length, 1 - MATCH_IOU);
}

function identityTruePositives(
  pairFrames: ReadonlyMap<number, ReadonlyMap<number, number>>,
  gtIds: readonly number[],
  predIds: readonly number[],
): number {
  const predIndex = new Map(predIds.map((id, i) => [id, i]));
  // Pure maximum-weight matching: a pair that never overlaps costs 0, the same as leaving both
  // unmatched, so the solver never trades a long overlap for more (shorter) pairs.
  const cost = new Float64Array(gtIds.length * predIds.length);
  gtIds.forEach((g, r) => {
    for (const [p, n] of pairFrames.get(g) ?? []) {
      const c = predIndex.get(p);
      if (c !== undefined) cost[r * predIds.length + c] = -n;
    }
  });
  const { matches } = assign(cost, gtIds.length, predIds.length);
  return matches.reduce((sum, [r, c]) => sum - (cost[r * predIds.length + c] ?? 0), 0);
}
