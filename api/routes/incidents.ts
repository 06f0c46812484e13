/**
 * Incidents: the reviewers' queue and the owners' list, one incident with its events, reviews and
 * evidence snapshots, and the review itself. Which incidents a caller may see is the scope's
 * business (set by the group's hooks); these handlers only pass it on.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import { SalonwatchError } from '../../common/errors.js';
import { typed, type ApiContext } from '../context.js';
import { checkInstant } from '../days.js';
import { errorResponses } from '../errors.js';
import { evidencePath } from '../evidence-store.js';
import { incidentOf, scopeOf } from '../guard.js';
import {
  EvidenceParams,
  IncidentDetail,
  IncidentListQuery,
  IncidentPage,
  IncidentParams,
  ReviewBody,
} from '../schemas.js';
import type { IncidentCursor, IncidentQuery } from '../store.js';

const CURSOR_PART = /^[0-9T:.Z-]{1,40}$/;
const CURSOR_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function encodeCursor(cursor: IncidentCursor): string {
  return Buffer.from(JSON.stringify([cursor.startedAt, cursor.incidentId]), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(text: string): IncidentCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (Array.isArray(value) && value.length === 2) {
    const [startedAt, incidentId] = value as unknown[];
    if (
      typeof startedAt === 'string' &&
      CURSOR_PART.test(startedAt) &&
      typeof incidentId === 'string' &&
      CURSOR_ID.test(incidentId)
    ) {
      return { startedAt, incidentId };
    }
  }
  throw new SalonwatchError(
    'INPUT_INVALID',
    'querystring/cursor is not a cursor this API handed out',
  );
}

export function incidentReadRoutes(instance: FastifyInstance, ctx: ApiContext): void {
  const app = typed(instance);

  app.get(
    '/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary:
          'incidents, newest first, with filters and cursor paging (owners: confirmed incidents of their salons)',
        querystring: IncidentListQuery,
        response: { 200: IncidentPage, ...errorResponses('NOT_FOUND') },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const { salonId, standard, status, from, to, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      if (from !== undefined) checkInstant(from, 'from');
      if (to !== undefined) checkInstant(to, 'to');
      let statuses = scope.incidentStatuses;
      if (status !== undefined)
        statuses = statuses === null || statuses.includes(status) ? [status] : [];
      const query: IncidentQuery = {
        // The guard has already refused a salonId outside the scope.
        salonIds: salonId !== undefined ? [salonId] : scope.salonIds,
        statuses,
        limit: limit + 1,
        ...(standard === undefined ? {} : { standard }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(cursor === undefined ? {} : { after: decodeCursor(cursor) }),
      };
      const rows =
        query.statuses?.length === 0 || query.salonIds?.length === 0
          ? []
          : await ctx.store.incidents(query);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(last) : null;
      return { items, nextCursor };
    },
  );

  app.get(
    '/incidents/:incidentId',
    {
      schema: {
        tags: ['incidents'],
        summary: 'one incident with its events, reviews and evidence',
        params: IncidentParams,
        response: { 200: IncidentDetail, ...errorResponses('NOT_FOUND') },
      },
    },
    (request) => incidentOf(request),
  );

  app.get(
    '/incidents/:incidentId/evidence/:sha256',
    {
      schema: {
        tags: ['incidents'],
        summary: 'an evidence snapshot (JPEG, faces blurred) of the incident',
        params: EvidenceParams,
        response: {
          200: {
            description: 'the snapshot',
            content: {
              'image/jpeg': {
                schema: Type.Unsafe<ReadStream>({ type: 'string', format: 'binary' }),
              },
            },
          },
          ...errorResponses('NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const incident = incidentOf(request);
      const { sha256 } = request.params;
      // Only snapshots the incident names: an id alone (guessed or copied) opens nothing.
      if (!incident.evidence.some((e) => e.sha256 === sha256))
        throw new SalonwatchError('NOT_FOUND', 'evidence not found on this incident');
      const file = evidencePath(ctx.evidenceDir, sha256);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch (error) {
        throw new SalonwatchError('NOT_FOUND', 'evidence not stored (yet)', { cause: error });
      }
      return reply
        .type('image/jpeg')
        .header('content-length', size)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(file));
    },
  );
}

export function reviewRoutes(instance: FastifyInstance, ctx: ApiContext): void {
  const app = typed(instance);
  app.post(
    '/incidents/:incidentId/reviews',
    {
      schema: {
        tags: ['incidents'],
        summary:
          'confirm or dismiss an incident; reviews append, the newest decides; a dismissal leaves the score at once',
        params: IncidentParams,
        body: ReviewBody,
        response: {
          201: IncidentDetail,
          ...errorResponses('FORBIDDEN', 'NOT_FOUND', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
        },
      },
    },
    async (request, reply) => {
      const incident = incidentOf(request);
      const principal = scopeOf(request).principal;
      await ctx.store.addReview({
        incidentId: incident.incidentId,
        salonId: incident.salonId,
        reviewer: principal.subject,
        verdict: request.body.verdict,
        comment: request.body.comment,
        reviewedAt: ctx.now().toISOString(),
      });
      ctx.metrics.reviews.inc({ verdict: request.body.verdict });
      const updated = await ctx.store.incident(incident.incidentId);
      if (updated === undefined)
        throw new SalonwatchError(
          'INTERNAL',
          `incident ${incident.incidentId} vanished after its review`,
        );
      return reply.code(201).send(updated);
    },
  );
}
