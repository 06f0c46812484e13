/**
 * Camera coverage: an incident when a camera has been unusable (offline, frozen, black or
 * moved, as ingest reports it) for longer than `unusableS`, closed when it is usable again. The
 * health report is also passed on as a `camera_health` event when the state changes.
 */
import type { Standards } from '../../config/standards.js';
import type { CameraState } from '../../events/schema.js';
import { emitIncident, incidentId, makeEvent } from './emit.js';
import { iso, seconds } from './ids.js';
import type { HealthReport, RuleOutput } from './types.js';

export class HealthRules {
  private state: CameraState | undefined;
  private unusableSince: number | undefined;
  private reason = '';
  private incident: string | undefined;

  constructor(
    private readonly cameraId: string,
    private readonly standards: Standards,
  ) {}

  report(report: HealthReport, out: RuleOutput): void {
    if (report.state !== this.state) {
      this.state = report.state;
      out.events.push(
        makeEvent(
          'camera_health',
          this.cameraId,
          report.at,
          { state: report.state, since: iso(report.since), reason: report.reason },
          `camera_health:${report.state}:${report.since}`,
        ),
      );
    }
    if (report.state === 'online') {
      this.close(report.since, out);
    } else {
      this.unusableSince ??= report.since;
      this.reason = report.reason;
    }
    this.advance(report.at, out);
  }

  /** The clock moved (a frame or a tick): opens the incident once the outage is long enough. */
  advance(at: number, out: RuleOutput): void {
    if (this.unusableSince === undefined || this.incident !== undefined) return;
    const limit = this.standards.camera.unusableS;
    if (at - this.unusableSince <= limit * 1000) return;
    this.incident = incidentId(this.cameraId, 'camera_coverage', this.unusableSince);
    emitIncident(
      out,
      this.cameraId,
      at,
      {
        incidentId: this.incident,
        standard: 'camera_coverage',
        startedAt: this.unusableSince,
        endedAt: null,
        summary: `camera ${this.state ?? 'unusable'} for more than ${limit} s: ${this.reason}`,
        measured: seconds(this.unusableSince, at),
        threshold: limit,
      },
      // The last picture before the outage (or the frozen/black picture itself) is the evidence.
      [this.unusableSince],
    );
  }

  private close(at: number, out: RuleOutput): void {
    if (this.unusableSince !== undefined && this.incident !== undefined) {
      const limit = this.standards.camera.unusableS;
      emitIncident(out, this.cameraId, at, {
        incidentId: this.incident,
        standard: 'camera_coverage',
        startedAt: this.unusableSince,
        endedAt: Math.max(at, this.unusableSince),
        summary: `camera unusable for ${seconds(this.unusableSince, at)} s: ${this.reason}`,
        measured: seconds(this.unusableSince, at),
        threshold: limit,
      });
    }
    this.unusableSince = undefined;
    this.incident = undefined;
  }
}
