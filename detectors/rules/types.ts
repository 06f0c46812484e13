/**
 * The records at the rules' edges: what they observe per frame (the tracker's `TrackFrame`,
 * enriched per person by appearance and an optional facing hint), what they know about the
 * camera and salon, and what they produce (domain events of `events/schema.ts`, minus the
 * envelope fields only the publisher knows, plus requests for evidence snapshots).
 */
import type { Standards } from '../../config/standards.js';
import type { Camera, Salon } from '../../config/fleet.js';
import type { EventType, PayloadOf, CameraState } from '../../events/schema.js';
import type { ColourHistogram } from '../appearance.js';
import type { TrackedPerson, TrackFrame } from '../track.js';

export interface ObservedPerson extends TrackedPerson {
  /** Torso colour histogram (`torsoHistogram`), when the frame was available to compute it. */
  readonly appearance?: ColourHistogram;
  /**
   * Where the person faces, as a direction in normalised image units, when a model can tell
   * (shoulder keypoints, face orientation). Absent means unknown, which never blocks a greeting.
   */
  readonly facing?: readonly [number, number];
}

export interface RulesFrame extends TrackFrame {
  readonly tracks: readonly ObservedPerson[];
}

/** What the rules need to know about one camera and its salon; a slice of the fleet config. */
export interface RulesContext {
  readonly camera: Pick<Camera, 'id' | 'zones'> & { readonly floor?: Camera['floor'] };
  readonly salon: Pick<Salon, 'timeZone' | 'openingHours'>;
  readonly standards: Standards;
}

/** A camera health report from ingest, with times in ms. */
export interface HealthReport {
  readonly cameraId: string;
  /** When the report was made (ms); the rules' clock advances to it. */
  readonly at: number;
  readonly state: CameraState;
  /** When the camera entered `state` (ms). */
  readonly since: number;
  readonly reason: string;
}

/**
 * A domain event as the rules produce it: everything of the schema's envelope except what only
 * the publisher knows (salon, node, production time, schema version; see `toSalonEvent`).
 * `eventId` is derived from the content, so replaying the same frames yields the same ids.
 */
export type RuleEvent = {
  [K in EventType]: {
    readonly eventId: string;
    readonly type: K;
    readonly cameraId: string;
    readonly occurredAt: string;
    readonly payload: PayloadOf<K>;
  };
}[EventType];

export type RuleEventOf<K extends EventType> = Extract<RuleEvent, { type: K }>;

/**
 * The seam to the evidence stage: an incident event leaves the rules with `evidence: []` and
 * this request beside it. The evidence stage snapshots the camera at (or nearest before) each
 * moment from its short frame buffer, blurs faces, stores the JPEGs and fills in the event's
 * evidence before it is published. Moments are never in the future of the frame that raised them.
 */
export interface EvidenceRequest {
  readonly incidentId: string;
  readonly cameraId: string;
  /** ms since the epoch, ascending. */
  readonly moments: readonly number[];
}

export interface RuleOutput {
  readonly events: RuleEvent[];
  readonly evidence: EvidenceRequest[];
}
