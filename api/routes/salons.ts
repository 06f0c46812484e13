/** Salons visible to the caller and their daily scores. */
import type { FastifyInstance } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import { SalonwatchError } from '../../common/errors.js';
import { typed, type ApiContext } from '../context.js';
import { checkDayRange } from '../days.js';
import { errorResponses } from '../errors.js';
import { scopeOf } from '../guard.js';
import { DayRange, Me, Salon, SalonParams, ScoresResponse } from '../schemas.js';

export function salonRoutes(instance: FastifyInstance, ctx: ApiContext): void {
  const app = typed(instance);

  app.get(
    '/me',
    {
      schema: {
        tags: ['access'],
        summary: 'who the token says the caller is',
        response: { 200: Me, ...errorResponses() },
      },
    },
    (request) => scopeOf(request).principal,
  );

  app.get(
    '/salons',
    {
      schema: {
        tags: ['salons'],
        summary: "the salons visible to the caller (an owner: their partner's)",
        response: {
          200: Type.Object({ items: Type.Array(Salon) }, { additionalProperties: false }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const salons = [...(await ctx.directory.current()).values()].filter((salon) =>
        scope.canSeeSalon(salon.id),
      );
      return { items: salons.sort((a, b) => a.id.localeCompare(b.id)) };
    },
  );

  app.get(
    '/salons/:salonId',
    {
      schema: {
        tags: ['salons'],
        summary: 'one salon',
        params: SalonParams,
        response: { 200: Salon, ...errorResponses('NOT_FOUND') },
      },
    },
    async (request) => {
      const salon = (await ctx.directory.current()).get(request.params.salonId);
      if (salon === undefined) throw new SalonwatchError('NOT_FOUND', 'salon not found');
      return salon;
    },
  );

  app.get(
    '/salons/:salonId/scores',
    {
      schema: {
        tags: ['scores'],
        summary: 'daily compliance score and rate per standard; dismissed incidents do not count',
        params: SalonParams,
        querystring: DayRange,
        response: { 200: ScoresResponse, ...errorResponses('NOT_FOUND') },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      checkDayRange(from, to);
      const days = await ctx.store.dailyScores(request.params.salonId, from, to);
      return { salonId: request.params.salonId, from, to, days: [...days] };
    },
  );
}
