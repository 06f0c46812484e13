/**
 * Deterministic identifiers: a replay of the same footage must produce the same visit, wait,
 * incident and event ids, so the sink's deduplication works across restarts. A name-based UUID
 * (the RFC 9562 version 8 layout over SHA-256) of the parts gives that without any state.
 */
import { createHash } from 'node:crypto';

export function deterministicUuid(...parts: readonly (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  // Version nibble 8 (custom), variant bits 10.
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function iso(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}

/** Seconds between two ms instants, to the millisecond. */
export function seconds(fromMs: number, toMs: number): number {
  return Math.max(0, Math.round(toMs - fromMs)) / 1000;
}
