/**
 * The last step before publishing: the publisher adds what only it knows (salon, node, time of
 * production) to a rule event, giving a `SalonEvent` of `events/schema.ts`.
 */
import { SCHEMA_VERSION, type SalonEvent } from '../../events/schema.js';
import type { RuleEvent } from './types.js';

export interface EnvelopeFields {
  readonly salonId: string;
  readonly nodeId: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly producedAt: string;
}

export function toSalonEvent(event: RuleEvent, fields: EnvelopeFields): SalonEvent {
  const envelope = {
    eventId: event.eventId,
    schemaVersion: SCHEMA_VERSION,
    type: event.type,
    salonId: fields.salonId,
    cameraId: event.cameraId,
    nodeId: fields.nodeId,
    occurredAt: event.occurredAt,
    producedAt: fields.producedAt,
    payload: event.payload,
  };
  // Each member of RuleEvent pairs its `type` with its payload, as SalonEvent does; the spread
  // loses that correlation for the compiler but not at run time.
  return envelope as SalonEvent;
}
