/**
 * The rules for one camera: frames of tracks (and health reports) in, domain events and
 * evidence requests out. Pure and deterministic: the clock is the frames' `capturedAt` (or the
 * `at` of a tick or health report), nothing is read from the environment, and the same inputs
 * give the same events with the same ids.
 */
import { SalonwatchError } from '../../common/errors.js';
import { floorMetric } from '../floor.js';
import { HealthRules } from './health.js';
import { People } from './people.js';
import { PresenceRules } from './presence.js';
import { QueueRules } from './queue.js';
import type { HealthReport, RuleOutput, RulesContext, RulesFrame } from './types.js';
import { VisitRules } from './visits.js';

export class CameraRules {
  private people: People | undefined;
  private visits: VisitRules | undefined;
  private queue: QueueRules | undefined;
  private readonly presence: PresenceRules;
  private readonly health: HealthRules;
  private now = -Infinity;

  constructor(private readonly context: RulesContext) {
    const { standards } = context;
    const cameraId = context.camera.id;
    this.presence = new PresenceRules(cameraId, context, standards, this.maxGapMs);
    this.health = new HealthRules(cameraId, standards);
  }

  private get maxGapMs(): number {
    return this.context.standards.tracking.lostAfterS * 1000;
  }

  /** The frame size is known from the first frame; the box-height metric needs it. */
  private init(
    width: number,
    height: number,
  ): { people: People; visits: VisitRules; queue: QueueRules } {
    if (this.people !== undefined && this.visits !== undefined && this.queue !== undefined) {
      return { people: this.people, visits: this.visits, queue: this.queue };
    }
    const { camera, standards } = this.context;
    const metric = floorMetric(camera.floor, width, height);
    const t = standards.tracking;
    // Zone changes arrive back-dated by up to the hysteresis, or by lostAfterS for a person who
    // vanished inside a zone; one more second covers the frame that confirms it.
    const settleMs = (Math.max(t.zoneEnterS, t.zoneExitS, t.lostAfterS) + 1) * 1000;
    this.people = new People(camera.zones, metric, standards);
    this.visits = new VisitRules(camera.id, metric, standards);
    this.queue = new QueueRules(camera.id, standards, settleMs, this.maxGapMs);
    return { people: this.people, visits: this.visits, queue: this.queue };
  }

  private clock(at: number, what: string): void {
    if (!Number.isFinite(at))
      throw new SalonwatchError('INPUT_INVALID', `rules: ${what} time is not a number`);
    if (at < this.now) {
      throw new SalonwatchError(
        'INPUT_INVALID',
        `rules: ${what} at ${at} is older than the last input at ${this.now}`,
      );
    }
    this.now = at;
  }

  step(frame: RulesFrame): RuleOutput {
    if (frame.cameraId !== this.context.camera.id) {
      throw new SalonwatchError(
        'INPUT_INVALID',
        `rules for camera ${this.context.camera.id} got a frame of ${frame.cameraId}`,
      );
    }
    this.clock(frame.capturedAt, 'frame');
    const out: RuleOutput = { events: [], evidence: [] };
    const { people, visits, queue } = this.init(frame.width, frame.height);
    const update = people.step(frame);
    visits.step(frame.capturedAt, update, people, out);
    queue.step(frame.capturedAt, update, out, true);
    this.presence.step(frame.capturedAt, people, out);
    this.health.advance(frame.capturedAt, out);
    return out;
  }

  /** Moves the clock without a frame (the camera is down): outages and lost persons still end. */
  tick(at: number): RuleOutput {
    this.clock(at, 'tick');
    const out: RuleOutput = { events: [], evidence: [] };
    if (this.people !== undefined && this.visits !== undefined && this.queue !== undefined) {
      const update = this.people.advance(at);
      this.visits.step(at, update, this.people, out);
      this.queue.step(at, update, out, false);
    }
    this.health.advance(at, out);
    return out;
  }

  healthReport(report: HealthReport): RuleOutput {
    this.clock(report.at, 'health report');
    const out: RuleOutput = { events: [], evidence: [] };
    this.health.report(report, out);
    return out;
  }
}
