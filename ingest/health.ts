/**
 * Camera health: is the camera delivering frames, and is its picture usable? Pure: the sampler
 * reports frames and failures with their times; this decides the state and when it began.
 *
 * States, most severe first (the reported state is the most severe that holds):
 * - offline: no frames (unreachable, refused, 404, timeout, invalid stream, stalled);
 * - black: near-uniform picture (lens covered, lights off, a black feed);
 * - frozen: the same picture over and over (a hung encoder or recorder);
 * - moved: the view no longer matches the reference learnt when the camera came up;
 * - online: none of the above.
 * A picture condition must hold continuously for its confirmation time before it is reported,
 * and is then reported with the time it began, so coverage can be computed without a lag.
 */
import {
  SCHEMA_VERSION,
  type CameraHealthEvent,
  type CameraHealthPayload,
  type CameraState,
} from '../events/schema.js';
import type { Frame } from './frame.js';
import {
  meanAbsDiff,
  medianSignature,
  pictureStats,
  viewCorrelation,
  type PictureStats,
} from './picture.js';

export interface HealthThresholds {
  /** Thumbnail luma standard deviation (0-255) below which a picture is near-uniform. */
  readonly uniformStd: number;
  readonly blackAfterMs: number;
  /** Mean absolute luma difference (0-255) below which two frames show the same picture. */
  readonly frozenDiff: number;
  readonly frozenAfterMs: number;
  /** Signature correlation with the reference below which the view has changed. */
  readonly movedCorrelation: number;
  readonly movedAfterMs: number;
  /** Frames whose per-cell median becomes the reference view. */
  readonly referenceFrames: number;
}

/**
 * Origins, measured on the footage in ../shared/data sampled at 1 fps, 768x432: real scenes
 * have a thumbnail std of 46+ (PETS09) and 54+ (indoor corridor), a covered lens or black feed
 * 0-3, so 8 leaves room for noisy dark pictures. Consecutive live frames differ by at least
 * 2.1 (PETS09) and 1.1 (indoor, empty corridor) luma levels of sensor and coding noise; a
 * repeated picture by 0, so 0.25 separates them. With people walking through, the view
 * correlation with the reference stays at or above 0.84 (PETS09) and 0.76 (indoor), median
 * 0.98; the same footage cropped by 15% (a knocked camera) scores at most 0.14. The times
 * detect black and frozen within 30 s while ignoring a passer-by blocking the lens for a few
 * seconds; moved waits a minute, since nothing about it is urgent.
 */
export const DEFAULT_THRESHOLDS: HealthThresholds = {
  uniformStd: 8,
  blackAfterMs: 10_000,
  frozenDiff: 0.25,
  frozenAfterMs: 15_000,
  movedCorrelation: 0.5,
  movedAfterMs: 60_000,
  referenceFrames: 5,
};

export interface HealthStatus {
  readonly state: CameraState;
  /** ms since epoch when this state began. */
  readonly since: number;
  readonly reason: string;
}

/** The event payload (`events/schema.ts`), with `since` as ISO-8601 UTC. */
export function healthPayload(status: HealthStatus): CameraHealthPayload {
  return {
    state: status.state,
    since: new Date(status.since).toISOString(),
    reason: status.reason,
  };
}

/**
 * The event for the backbone. The change occurred when the state began (`since`), which for a
 * confirmed picture problem is earlier than when it was reported (`producedAt`).
 */
export function cameraHealthEvent(
  ids: { readonly salonId: string; readonly cameraId: string; readonly nodeId: string },
  status: HealthStatus,
  eventId: string,
  producedAt: number,
): CameraHealthEvent {
  return {
    eventId,
    schemaVersion: SCHEMA_VERSION,
    type: 'camera_health',
    salonId: ids.salonId,
    cameraId: ids.cameraId,
    nodeId: ids.nodeId,
    occurredAt: new Date(status.since).toISOString(),
    producedAt: new Date(producedAt).toISOString(),
    payload: healthPayload(status),
  };
}

interface Condition {
  since: number;
  reason: string;
}

export class CameraHealth {
  private readonly thresholds: HealthThresholds;
  private current: HealthStatus;
  private offlineCondition: Condition | undefined;
  private uniform: Condition | undefined;
  private same: Condition | undefined;
  private changed: Condition | undefined;
  private previous: PictureStats | undefined;
  /** The luma buffer of the stats before `previous`, written over by the next frame's. */
  private spareLuma: Uint8Array | undefined;
  private reference: Float32Array | undefined;
  private readonly learning: Float32Array[] = [];
  private lastCorrelation = NaN;

  /** A camera starts offline ("not connected yet") until its first frame. */
  constructor(
    startedAt: number,
    thresholds: Partial<HealthThresholds> = {},
    reference?: Float32Array,
  ) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
    this.offlineCondition = { since: startedAt, reason: 'starting: no frame yet' };
    this.current = { state: 'offline', since: startedAt, reason: 'starting: no frame yet' };
    this.reference = reference;
  }

  get status(): HealthStatus {
    return this.current;
  }

  /** The learnt reference view (to persist it, so a restart does not forget what "not moved" means). */
  get referenceSignature(): Float32Array | undefined {
    return this.reference;
  }

  get correlationWithReference(): number {
    return this.lastCorrelation;
  }

  /** After an operator re-aims a camera on purpose: learn the view again. */
  resetReference(): void {
    this.reference = undefined;
    this.learning.length = 0;
    this.changed = undefined;
  }

  /** Reports the stream failing; returns the new status when the reported state changed. */
  offline(reason: string, at: number): HealthStatus | undefined {
    // Keep the first failure's time: a camera retried every few seconds went offline once.
    this.offlineCondition ??= { since: at, reason };
    this.offlineCondition.reason = reason;
    this.previous = undefined;
    this.same = undefined;
    return this.update(at);
  }

  /** A frame arrived but its picture is not analysed (picture checks disabled): online only. */
  alive(at: number): HealthStatus | undefined {
    this.offlineCondition = undefined;
    return this.update(at);
  }

  /** Analyses a frame at its capture time; returns the new status when the reported state changed. */
  frame(frame: Frame, at: number = frame.capturedAt): HealthStatus | undefined {
    const stats = pictureStats(frame, this.spareLuma);
    this.offlineCondition = undefined;
    const t = this.thresholds;

    if (stats.thumbStd < t.uniformStd) {
      this.uniform ??= {
        since: at,
        reason:
          stats.mean < 40
            ? `dark picture (mean luma ${stats.mean.toFixed(0)})`
            : `uniform picture (covered?)`,
      };
    } else {
      this.uniform = undefined;
    }

    const diff =
      this.previous === undefined ? Infinity : meanAbsDiff(stats.luma, this.previous.luma);
    if (diff < t.frozenDiff) {
      // The frozen picture began with the previous frame: that is the first of the repeats.
      this.same ??= { since: this.previousAt, reason: 'identical frames' };
    } else {
      this.same = undefined;
    }
    this.spareLuma = this.previous?.luma;
    this.previous = stats;
    this.previousAt = at;

    // A black or frozen picture says nothing about where the camera points.
    if (this.uniform === undefined && this.same === undefined) this.checkView(stats, at);
    return this.update(at);
  }

  private previousAt = 0;

  private checkView(stats: PictureStats, at: number): void {
    if (this.reference === undefined) {
      this.learning.push(stats.signature);
      if (this.learning.length >= this.thresholds.referenceFrames) {
        this.reference = medianSignature(this.learning);
        this.learning.length = 0;
      }
      return;
    }
    this.lastCorrelation = viewCorrelation(stats.signature, this.reference);
    // NaN (a featureless reference) cannot tell a moved camera from a still one: no verdict.
    if (this.lastCorrelation < this.thresholds.movedCorrelation) {
      this.changed ??= { since: at, reason: '' };
      this.changed.reason = `view differs from reference (correlation ${this.lastCorrelation.toFixed(2)})`;
    } else {
      this.changed = undefined;
    }
  }

  /** Re-evaluates time-based confirmation without a new frame (e.g. from a timer). */
  update(at: number): HealthStatus | undefined {
    const t = this.thresholds;
    const held = (c: Condition | undefined, ms: number) => c !== undefined && at - c.since >= ms;
    let next: { state: CameraState; condition: Condition };
    if (this.offlineCondition !== undefined)
      next = { state: 'offline', condition: this.offlineCondition };
    else if (held(this.uniform, t.blackAfterMs) && this.uniform !== undefined)
      next = { state: 'black', condition: this.uniform };
    else if (held(this.same, t.frozenAfterMs) && this.same !== undefined)
      next = { state: 'frozen', condition: this.same };
    else if (held(this.changed, t.movedAfterMs) && this.changed !== undefined)
      next = { state: 'moved', condition: this.changed };
    else {
      // Online since the last picture problem or connection cleared, i.e. now if it just did.
      const since = this.current.state === 'online' ? this.current.since : at;
      next = { state: 'online', condition: { since, reason: 'frames arriving' } };
    }
    if (next.state === this.current.state) {
      // Same state: refresh the reason (e.g. the latest failure), keep the time it began.
      this.current = { ...this.current, reason: next.condition.reason };
      return undefined;
    }
    this.current = {
      state: next.state,
      since: next.condition.since,
      reason: next.condition.reason,
    };
    return this.current;
  }
}
