/**
 * Who may see what, decided from the principal and the salon directory, in one place. Staff
 * (admin, reviewer) see every salon and every incident. An owner sees the salons of their
 * partner, and of those only confirmed incidents: unreviewed detections may be false alarms and
 * their snapshots are personal data (ARCHITECTURE.md: owners see "confirmed incidents").
 * Anything out of scope is reported as not found, so an owner cannot probe other partners' ids.
 */
import type { Principal } from './auth.js';
import type { IncidentStatus, SalonRow } from './store.js';

export interface Scope {
  readonly principal: Principal;
  /** null: all salons. */
  readonly salonIds: readonly string[] | null;
  /** null: all statuses. */
  readonly incidentStatuses: readonly IncidentStatus[] | null;
  /**
   * The same object for two scopes exactly when they see the same salons and incidents (staff
   * scopes over one directory snapshot share it), so an answer made for one may be reused for
   * the other; null when the scope shares its view with nobody (an owner's).
   */
  readonly sharedView: object | null;
  canSeeSalon(salonId: string): boolean;
  canSeeIncident(incident: { readonly salonId: string; readonly status: IncidentStatus }): boolean;
}

export interface SalonDirectory {
  /** Fresh enough for access decisions (refreshed at most every `ttlMs`). */
  current(): Promise<ReadonlyMap<string, SalonRow>>;
}

/**
 * Caches the salons table: access checks run on every request and the table changes when a
 * salon opens, so a short staleness is fine. Concurrent refreshes share one query.
 */
export function cachedSalonDirectory(
  load: () => Promise<readonly SalonRow[]>,
  ttlMs = 30_000,
  now: () => number = Date.now,
): SalonDirectory {
  let cache: { at: number; salons: ReadonlyMap<string, SalonRow> } | undefined;
  let pending: Promise<ReadonlyMap<string, SalonRow>> | undefined;
  return {
    async current() {
      if (cache !== undefined && now() - cache.at < ttlMs) return cache.salons;
      pending ??= load()
        .then((rows) => {
          const salons = new Map(rows.map((row) => [row.id, row]));
          cache = { at: now(), salons };
          return salons;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}

export function scopeFor(principal: Principal, salons: ReadonlyMap<string, SalonRow>): Scope {
  if (principal.role !== 'owner') {
    return {
      principal,
      salonIds: null,
      incidentStatuses: null,
      sharedView: salons,
      canSeeSalon: (salonId) => salons.has(salonId),
      canSeeIncident: () => true,
    };
  }
  const own = new Set<string>();
  for (const salon of salons.values())
    if (salon.partnerId === principal.partnerId) own.add(salon.id);
  const statuses: readonly IncidentStatus[] = ['confirmed'];
  return {
    principal,
    salonIds: [...own].sort(),
    incidentStatuses: statuses,
    sharedView: null,
    canSeeSalon: (salonId) => own.has(salonId),
    canSeeIncident: (incident) => own.has(incident.salonId) && statuses.includes(incident.status),
  };
}
