import type { Camera, Salon } from '../config/fleet.js';
import type { Standards } from '../config/standards.js';
import type { Logger } from '../common/log.js';
import { bodyColours, torsoHistogram } from '../detectors/appearance.js';
import { boxAt } from '../detectors/detections.js';
import { EVIDENCE_LOOKBACK_MS } from '../detectors/rules/emit.js';
import { CameraRules } from '../detectors/rules/engine.js';
import { toSalonEvent } from '../detectors/rules/envelope.js';
import type { EvidenceRequest, ObservedPerson, RuleEvent, RuleOutput } from '../detectors/rules/types.js';
import { createByteTracker, type Tracker } from '../detectors/tracker/byte-tracker.js';
import type { HealthStatus } from '../ingest/health.js';
import type { Frame } from '../ingest/frame.js';
import type { Evidence } from '../events/schema.js';
import type { DetectionQueue } from './detection-queue.js';
import { FrameRing } from './frame-ring.js';
import type { EventPublisher, EvidenceTaker, Snapshot } from './ports.js';

export interface CameraPipelineOptions {
  readonly camera: Camera;
  readonly salon: Salon;
  readonly standards: Standards;
  readonly nodeId: string;
  readonly detection: DetectionQueue;
  readonly publisher: EventPublisher;
  readonly evidence: EvidenceTaker;
  readonly logger: Logger;
  /** Wall clock for `producedAt` only; rules run on the frames' capture times. */
  readonly now?: () => number;
}

/**
 * One camera's path through the edge node: admitted frames are detected (on the shared
 * detector), tracked, described (torso colours for the staff/customer model) and given to the
 * standards' rules; their events get evidence and an envelope and are published in order.
 */
export class CameraPipeline {
  readonly cameraId: string;
  private readonly rules: CameraRules;
  private readonly tracker: Tracker = createByteTracker();
  // Evidence looks back EVIDENCE_LOOKBACK_MS from the frame that raised an incident.
  private readonly ring = new FrameRing(EVIDENCE_LOOKBACK_MS + 2000);
  private readonly now: () => number;
  private admittedFps: number;
  private lastAdmitted = -Infinity;
  /** Events are published strictly in the order the rules produced them. */
  private publishing: Promise<void> = Promise.resolve();
  private lastTime = -Infinity;
  framesDetected = 0;
  tracks = 0;
  events = 0;
  incidents = 0;
  publishFailures = 0;

  constructor(private readonly options: CameraPipelineOptions) {
    this.cameraId = options.camera.id;
    this.admittedFps = options.camera.fps;
    this.now = options.now ?? Date.now;
    this.rules = new CameraRules({ camera: options.camera, salon: options.salon, standards: options.standards });
  }

  get fps(): number {
    return this.admittedFps;
  }

  /** Load shedding: frames closer together than 1 / fps are skipped before detection. */
  setAdmittedFps(fps: number): void {
    this.admittedFps = fps;
  }

  /** Whether this frame goes to the detector. A 10% tolerance absorbs timestamp jitter. */
  admit(frame: Frame): boolean {
    if (frame.capturedAt - this.lastAdmitted < (1000 / this.admittedFps) * 0.9) return false;
    this.lastAdmitted = frame.capturedAt;
    return true;
  }

  async process(frame: Frame): Promise<void> {
    // A camera that reconnects may restart its clock behind the last frame; rules need time
    // to move forward, so such frames are dropped until it catches up.
    if (frame.capturedAt <= this.lastTime) {
      frame.release?.();
      return;
    }
    // A detected frame is never released: the ring keeps it for evidence, which copies its
    // pixels later, after the ring may have moved on; the garbage collector frees it safely.
    this.lastTime = frame.capturedAt;
    const detections = await this.options.detection.detect(frame);
    this.framesDetected++;
    // Body colours let the tracker re-find a person after an occlusion without taking someone
    // else's identity (detectors/tracker/byte-tracker.ts); it asks only for the boxes it compares.
    const tracked = this.tracker.update(detections, frame.capturedAt, (i) => bodyColours(frame, boxAt(detections, i)));
    this.tracks = tracked.length;
    this.ring.push({ frame, people: tracked.map((p) => p.box) });
    const people: ObservedPerson[] = tracked.map((person) => {
      const appearance = torsoHistogram(frame, person.box);
      return appearance === undefined ? person : { ...person, appearance };
    });
    const out = this.rules.step({ cameraId: frame.cameraId, capturedAt: frame.capturedAt, width: frame.width, height: frame.height, tracks: people });
    this.emit(out);
  }

  /** Health changes from the sampler; also moves the rules' clock while no frames arrive. */
  health(status: HealthStatus, at: number): void {
    if (at <= this.lastTime) return;
    this.lastTime = at;
    this.emit(this.rules.healthReport({ cameraId: this.cameraId, at, state: status.state, since: status.since, reason: status.reason }));
  }

  /** Advances time without a frame (camera down), so visits and outages still end. */
  tick(at: number): void {
    if (at <= this.lastTime) return;
    this.lastTime = at;
    this.emit(this.rules.tick(at));
  }

  /** Resolves when every event produced so far is durable. */
  drain(): Promise<void> {
    return this.publishing;
  }

  private emit(out: RuleOutput): void {
    if (out.events.length === 0) return;
    // Snapshot the frames now: the ring moves on while the evidence is being written.
    const frames = new Map(out.evidence.map((request) => [request.incidentId, this.framesFor(request)]));
    const events = out.events;
    this.publishing = this.publishing.then(async () => {
      for (const event of events) {
        const complete = event.type === 'incident' ? await this.withEvidence(event, frames.get(event.payload.incidentId)) : event;
        const salonEvent = toSalonEvent(complete, {
          salonId: this.options.salon.id,
          nodeId: this.options.nodeId,
          producedAt: new Date(this.now()).toISOString(),
        });
        try {
          await this.options.publisher.publish([salonEvent]);
          this.events++;
          if (event.type === 'incident') this.incidents++;
        } catch (error) {
          // The publisher spools what Kafka does not take; an error here means the spool itself
          // failed (disk). Counted and logged; the node goes on with the next event.
          this.publishFailures++;
          this.options.logger.error('event not published', { eventId: event.eventId, type: event.type, error: String(error) });
        }
      }
    });
  }

  private framesFor(request: EvidenceRequest): Snapshot[] {
    const snapshots: Snapshot[] = [];
    for (const moment of request.moments) {
      const snapshot = this.ring.at(moment);
      if (snapshot !== undefined && !snapshots.includes(snapshot)) snapshots.push(snapshot);
    }
    return snapshots;
  }

  private async withEvidence(event: Extract<RuleEvent, { type: 'incident' }>, snapshots: readonly Snapshot[] | undefined): Promise<RuleEvent> {
    if (snapshots === undefined || snapshots.length === 0) return event;
    let evidence: Evidence[] = [];
    try {
      evidence = await this.options.evidence.take(snapshots);
    } catch (error) {
      // An incident without snapshots is still an incident: it is published, and the log says why.
      this.options.logger.error('evidence not stored', { incidentId: event.payload.incidentId, error: String(error) });
    }
    return { ...event, payload: { ...event.payload, evidence } };
  }
}
