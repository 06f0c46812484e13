import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CameraStatus } from '../ingest/sampler.js';

/**
 * What a running node reports about itself, written atomically to a file every few seconds so
 * that `salonwatch node status` (another process) can read it without a network port.
 */
export interface CameraReport extends CameraStatus {
  readonly salonId: string;
  readonly targetFps: number;
  /** Frames per second admitted to detection (below target while load is shed). */
  readonly admittedFps: number;
  readonly framesDetected: number;
  readonly tracks: number;
  readonly events: number;
  readonly incidents: number;
}

export interface NodeReport {
  readonly nodeId: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly detector: { readonly model: string; readonly msPerFrame: number | null; readonly inferenceMsPerFrame: number | null; readonly queueDepth: number };
  readonly shedding: { readonly capacityFps: number | null; readonly overloaded: boolean; readonly shedCameras: number };
  readonly publisher: Record<string, number>;
  readonly cameras: readonly CameraReport[];
}

export function statusFile(state: string, nodeId: string): string {
  return path.join(state, 'node', `${nodeId}.status.json`);
}

export function writeReport(file: string, report: NodeReport): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.tmp`;
  writeFileSync(partial, JSON.stringify(report, null, 2));
  renameSync(partial, file);
}

export function readReport(file: string): NodeReport {
  return JSON.parse(readFileSync(file, 'utf8')) as NodeReport;
}

/** The status as a table, one camera per line. */
export function formatReport(report: NodeReport, now: number): string {
  const age = Math.max(0, (now - Date.parse(report.updatedAt)) / 1000);
  const lines = [
    `node ${report.nodeId} (pid ${report.pid}), started ${report.startedAt}, updated ${age.toFixed(0)} s ago`,
    `detector ${report.detector.model}: ${report.detector.msPerFrame?.toFixed(1) ?? '-'} ms/frame ` +
      `(inference ${report.detector.inferenceMsPerFrame?.toFixed(1) ?? '-'}), queue ${report.detector.queueDepth}; ` +
      `capacity ${report.shedding.capacityFps?.toFixed(1) ?? '-'} fps, ${report.shedding.shedCameras} camera(s) slowed${report.shedding.overloaded ? ', OVERLOADED' : ''}`,
    '',
    ['camera', 'salon', 'health', 'since', 'fps', 'target', 'admitted', 'dropped', 'tracks', 'events', 'incidents'].join('\t'),
  ];
  for (const c of report.cameras) {
    lines.push(
      [
        c.cameraId,
        c.salonId,
        c.health.state,
        new Date(c.health.since).toISOString(),
        c.fps.toFixed(2),
        c.targetFps.toFixed(2),
        c.admittedFps.toFixed(2),
        String(c.framesDropped),
        String(c.tracks),
        String(c.events),
        String(c.incidents),
      ].join('\t'),
    );
  }
  return lines.join('\n');
}
