import type { Camera, Fleet } from '../config/fleet.js';
import type { Standards } from '../config/standards.js';
import { createLogger, type Logger } from '../common/log.js';
import type { PersonDetector } from '../detectors/person-detector.js';
import { CameraSampler } from '../ingest/sampler.js';
import { CameraPipeline } from './camera-pipeline.js';
import { DetectionQueue } from './detection-queue.js';
import type { EventPublisher, EvidenceTaker } from './ports.js';
import { planShedding, type ShedPlan } from './shedding.js';
import { writeReport, type NodeReport } from './status.js';

export interface EdgeNodeOptions {
  readonly nodeId: string;
  readonly fleet: Fleet;
  /** Standards per salon (network, region and salon layers already merged). */
  readonly standardsFor: (salonId: string) => Standards;
  readonly detector: PersonDetector;
  readonly publisher: EventPublisher;
  /** Figures of the publisher and its spool for the status report. */
  readonly publisherMetrics?: () => Record<string, number>;
  readonly evidence: EvidenceTaker;
  /** Where the status report is written every `statusEveryMs`. */
  readonly statusFile: string;
  readonly statusEveryMs?: number;
  readonly shedEveryMs?: number;
  readonly logger?: Logger;
  /** Only these cameras (all of the fleet file when absent). */
  readonly cameraIds?: readonly string[];
}

interface Running {
  readonly camera: Camera;
  readonly sampler: CameraSampler;
  readonly pipeline: CameraPipeline;
  readonly salonId: string;
  loop: Promise<void>;
  lastFrameAt: number;
}

/**
 * The edge process: samples its cameras, runs detection (one shared session), tracking and the
 * rules per camera, and publishes the events. It reports per-camera status to a file, sheds
 * load by slowing the busiest cameras when detection falls behind, and on `stop()` lets every
 * camera finish its frame and every event reach the publisher before it returns.
 */
export class EdgeNode {
  private readonly log: Logger;
  private readonly detection: DetectionQueue;
  private readonly cameras: Running[] = [];
  private readonly startedAt = new Date();
  private plan: ShedPlan | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: EdgeNodeOptions) {
    this.log = options.logger ?? createLogger({ component: 'node', nodeId: options.nodeId });
    this.detection = new DetectionQueue(options.detector);
  }

  start(): void {
    const { fleet, cameraIds } = this.options;
    for (const salon of fleet.salons) {
      for (const camera of salon.cameras) {
        if (cameraIds !== undefined && !cameraIds.includes(camera.id)) continue;
        const logger = this.log.child({ cameraId: camera.id, salonId: salon.id });
        const sampler = new CameraSampler({
          cameraId: camera.id,
          source: camera.source,
          fps: camera.fps,
          frameSize: camera.frameSize,
          ...(camera.keyframeIntervalS === undefined ? {} : { keyframeIntervalS: camera.keyframeIntervalS }),
          logger,
        });
        const pipeline = new CameraPipeline({
          camera,
          salon,
          standards: this.options.standardsFor(salon.id),
          nodeId: this.options.nodeId,
          detection: this.detection,
          publisher: this.options.publisher,
          evidence: this.options.evidence,
          logger,
        });
        sampler.onHealth((status) => {
          logger.info('camera health', { state: status.state, since: new Date(status.since).toISOString(), reason: status.reason });
          pipeline.health(status, Date.now());
        });
        const running: Running = { camera, sampler, pipeline, salonId: salon.id, loop: Promise.resolve(), lastFrameAt: Date.now() };
        running.loop = this.consume(running, logger);
        this.cameras.push(running);
        sampler.start();
      }
    }
    this.log.info('node started', { cameras: this.cameras.length, detector: this.options.detector.name });
    this.timers.push(
      setInterval(() => { this.tick(); }, 1000),
      setInterval(() => { this.shed(); }, this.options.shedEveryMs ?? 5000),
      setInterval(() => { this.writeStatus(); }, this.options.statusEveryMs ?? 2000),
    );
  }

  private async consume(running: Running, logger: Logger): Promise<void> {
    for await (const frame of running.sampler.frames) {
      running.lastFrameAt = Date.now();
      if (!running.pipeline.admit(frame)) {
        frame.release?.();
        continue;
      }
      try {
        await running.pipeline.process(frame);
      } catch (error) {
        // One bad frame (or a rules error on it) must not stop the camera.
        logger.error('frame not processed', { capturedAt: frame.capturedAt, error: String(error) });
      }
    }
  }

  /** Cameras without frames still move their rules' clock, so visits and outages end. */
  private tick(): void {
    const now = Date.now();
    for (const camera of this.cameras) {
      if (now - camera.lastFrameAt > 2000) camera.pipeline.tick(now);
    }
  }

  private shed(): void {
    const msPerFrame = this.detection.msPerFrame;
    if (msPerFrame === undefined) return;
    const plan = planShedding(
      this.cameras.map((c) => ({ cameraId: c.camera.id, targetFps: c.camera.fps })),
      msPerFrame,
    );
    for (const camera of this.cameras) {
      const fps = plan.fps.get(camera.camera.id) ?? camera.camera.fps;
      if (Math.abs(fps - camera.pipeline.fps) > 1e-6) {
        this.log.warn(fps < camera.pipeline.fps ? 'shedding load: camera slowed' : 'load eased: camera sped up', {
          cameraId: camera.pipeline.cameraId,
          fps: Number(fps.toFixed(3)),
          targetFps: camera.camera.fps,
          msPerFrame: Number(msPerFrame.toFixed(1)),
          capacityFps: Number(plan.capacityFps.toFixed(2)),
        });
        camera.pipeline.setAdmittedFps(fps);
      }
    }
    if (plan.overloaded && this.plan?.overloaded !== true) {
      this.log.error('detector overloaded: every camera is at the floor rate', { capacityFps: plan.capacityFps });
    }
    this.plan = plan;
  }

  report(): NodeReport {
    const detector = this.detection.stats();
    return {
      nodeId: this.options.nodeId,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      updatedAt: new Date().toISOString(),
      detector: {
        model: this.options.detector.name,
        msPerFrame: detector.msPerFrame,
        inferenceMsPerFrame: detector.inferenceMsPerFrame,
        queueDepth: this.detection.depth,
      },
      shedding: {
        capacityFps: this.plan?.capacityFps ?? null,
        overloaded: this.plan?.overloaded ?? false,
        shedCameras: this.plan?.shed.length ?? 0,
      },
      publisher: this.options.publisherMetrics?.() ?? {},
      cameras: this.cameras.map((c) => ({
        ...c.sampler.status(),
        salonId: c.salonId,
        targetFps: c.camera.fps,
        admittedFps: c.pipeline.fps,
        framesDetected: c.pipeline.framesDetected,
        tracks: c.pipeline.tracks,
        events: c.pipeline.events,
        incidents: c.pipeline.incidents,
      })),
    };
  }

  private writeStatus(): void {
    try {
      writeReport(this.options.statusFile, this.report());
    } catch (error) {
      this.log.warn('status not written', { file: this.options.statusFile, error: String(error) });
    }
  }

  /** Graceful stop: samplers end, in-flight frames finish, every event is handed over and flushed. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      this.timers = [];
      await Promise.all(this.cameras.map((c) => c.sampler.stop()));
      await Promise.all(this.cameras.map((c) => c.loop));
      await Promise.all(this.cameras.map((c) => c.pipeline.drain()));
      await this.options.publisher.close();
      this.writeStatus();
      await this.options.detector.close();
      const published = this.cameras.reduce((sum, c) => sum + c.pipeline.events, 0);
      this.log.info('node stopped', { events: published });
    })();
    return this.stopping;
  }
}
