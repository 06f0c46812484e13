import type { Evidence, SalonEvent } from '../events/schema.js';
import type { Box } from '../detectors/detections.js';
import type { Frame } from '../ingest/frame.js';

/** Where the node's events go: `events/publisher.ts` (Kafka with its on-disk spool) in production. */
export interface EventPublisher {
  /** Resolves once the events are durable (acknowledged by Kafka, or fsync'd to the spool). */
  publish(events: readonly SalonEvent[]): Promise<void>;
  /** Waits until everything published is durable, then disconnects. */
  close(): Promise<void>;
}

/** A frame and the people tracked on it: what evidence is made from. */
export interface Snapshot {
  readonly frame: Frame;
  readonly people: readonly Box[];
}

/**
 * Turns snapshots around an incident into stored, face-redacted JPEGs and returns their
 * references for the incident event.
 */
export interface EvidenceTaker {
  take(snapshots: readonly Snapshot[]): Promise<Evidence[]>;
  close(): Promise<void>;
}
