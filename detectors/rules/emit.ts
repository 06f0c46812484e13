/**
 * Building rule events: deterministic ids and the incident/evidence pair. Every producer in
 * this folder goes through here so the id scheme is in one place.
 */
import type { EventType, IncidentPayload, PayloadOf, Standard } from '../../events/schema.js';
import { deterministicUuid, iso } from './ids.js';
import type { EvidenceRequest, RuleEventOf, RuleOutput } from './types.js';

/** Snapshots are taken from a short frame buffer; evidence moments stay within this look-back. */
export const EVIDENCE_LOOKBACK_MS = 10_000;

export function makeEvent<K extends EventType>(
  type: K,
  cameraId: string,
  occurredAt: number,
  payload: PayloadOf<K>,
  key: string,
): RuleEventOf<K> {
  const event = {
    eventId: deterministicUuid('event', type, cameraId, key),
    type,
    cameraId,
    occurredAt: iso(occurredAt),
    payload,
  };
  // The mapped union cannot be narrowed from a generic K; the fields match it by construction.
  return event as unknown as RuleEventOf<K>;
}

/** Up to three moments evenly spread over the last `EVIDENCE_LOOKBACK_MS` (not before `since`), ending at `at`. */
export function evidenceMoments(at: number, since: number): number[] {
  const from = Math.max(since, at - EVIDENCE_LOOKBACK_MS);
  if (from >= at) return [at];
  return [from, (from + at) / 2, at].map(Math.round);
}

export interface IncidentDraft {
  readonly incidentId: string;
  readonly standard: Standard;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly summary: string;
  readonly measured: number;
  readonly threshold: number;
}

/**
 * Emits an incident event (open when `endedAt` is null, else closed) with `evidence: []`, and,
 * when `moments` are given, the evidence request that fills it in. Opening events ask for
 * evidence; a closing event reuses what the opening one got (the evidence stage remembers).
 */
export function emitIncident(
  out: RuleOutput,
  cameraId: string,
  at: number,
  draft: IncidentDraft,
  moments?: readonly number[],
): void {
  const payload: IncidentPayload = {
    incidentId: draft.incidentId,
    standard: draft.standard,
    startedAt: iso(draft.startedAt),
    endedAt: draft.endedAt === null ? null : iso(draft.endedAt),
    summary: draft.summary,
    measured: Math.round(draft.measured * 1000) / 1000,
    threshold: draft.threshold,
    evidence: [],
  };
  const key = `${draft.incidentId}:${draft.endedAt === null ? 'open' : `closed@${draft.endedAt}`}`;
  out.events.push(makeEvent('incident', cameraId, at, payload, key));
  if (moments !== undefined && moments.length > 0) {
    const request: EvidenceRequest = {
      incidentId: draft.incidentId,
      cameraId,
      moments: [...moments],
    };
    out.evidence.push(request);
  }
}

export function incidentId(
  cameraId: string,
  standard: Standard,
  ...parts: readonly (string | number)[]
): string {
  return deterministicUuid('incident', cameraId, standard, ...parts);
}
