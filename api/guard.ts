/**
 * The access hooks of the protected route groups. A group registers them once in its own
 * (encapsulated) plugin scope, so every route inside is covered and none outside is; handlers
 * receive an already-authorised `request.scope` and, for incident routes, the incident itself.
 *
 *   authenticate      onRequest   bearer token -> principal -> scope (401 on any doubt)
 *   requireRoles      onRequest   the group's roles (403)
 *   guardResources    preHandler  a salonId or incidentId in the path or query must be visible
 *                                 (404, the same answer as for an id that does not exist)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SalonwatchError } from '../common/errors.js';
import { bearerToken, type Role, type TokenVerifier } from './auth.js';
import { scopeFor, type SalonDirectory, type Scope } from './access.js';
import type { ApiStore, IncidentDetail } from './store.js';

declare module 'fastify' {
  interface FastifyRequest {
    scope: Scope | null;
    incident: IncidentDetail | null;
  }
}

export function decorateRequests(app: FastifyInstance): void {
  app.decorateRequest('scope', null);
  app.decorateRequest('incident', null);
}

/** The scope set by `authenticate`; a route outside a protected group asking for it is a bug. */
export function scopeOf(request: FastifyRequest): Scope {
  if (request.scope === null)
    throw new SalonwatchError('INTERNAL', `route ${request.url} has no authenticate hook`);
  return request.scope;
}

export function incidentOf(request: FastifyRequest): IncidentDetail {
  if (request.incident === null)
    throw new SalonwatchError('INTERNAL', `route ${request.url} has no incidentId guard`);
  return request.incident;
}

export function authenticate(
  app: FastifyInstance,
  verifier: TokenVerifier,
  directory: SalonDirectory,
): void {
  app.addHook('onRequest', async (request) => {
    const principal = await verifier(bearerToken(request.headers.authorization));
    request.scope = scopeFor(principal, await directory.current());
    request.log.debug({ subject: principal.subject, role: principal.role }, 'authenticated');
  });
}

export function requireRoles(app: FastifyInstance, roles: readonly Role[]): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const { role } = scopeOf(request).principal;
    done(
      roles.includes(role)
        ? undefined
        : new SalonwatchError('FORBIDDEN', `role ${role} may not ${request.method} this resource`),
    );
  });
}

function stringField(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function guardResources(app: FastifyInstance, store: ApiStore): void {
  app.addHook('preHandler', async (request) => {
    const scope = scopeOf(request);
    for (const salonId of [
      stringField(request.params, 'salonId'),
      stringField(request.query, 'salonId'),
    ]) {
      if (salonId !== undefined && !scope.canSeeSalon(salonId))
        throw new SalonwatchError('NOT_FOUND', 'salon not found');
    }
    const incidentId = stringField(request.params, 'incidentId');
    if (incidentId !== undefined) {
      const incident = await store.incident(incidentId);
      if (incident === undefined || !scope.canSeeIncident(incident))
        throw new SalonwatchError('NOT_FOUND', 'incident not found');
      request.incident = incident;
    }
  });
}
