import type { Evidence, SalonEvent } from '../events/schema.js';
import type { Frame } from '../ingest/frame.js';

/** Where the node's events go: the Kafka publisher with its spool, in production. */
export interface EventPublisher {
  /** Resolves once the event is durable (acknowledged by Kafka, or fsync'd to the spool). */
  publish(event: SalonEvent): Promise<void>;
  /** Sends what is buffered; resolves when it is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
  metrics(): Record<string, number>;
}

/**
 * Turns frames around an incident into stored, face-blurred snapshots and returns their
 * references for the incident event.
 */
export interface EvidenceTaker {
  take(frames: readonly Frame[]): Promise<Evidence[]>;
}
