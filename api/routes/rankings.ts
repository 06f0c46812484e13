/** Rankings of salons (network or one macro-region) and of macro-regions by mean daily score. */
import type { FastifyInstance } from 'fastify';
import { typed, type ApiContext } from '../context.js';
import { checkDayRange } from '../days.js';
import { errorResponses } from '../errors.js';
import { scopeOf } from '../guard.js';
import {
  DayRange,
  RegionRankingResponse,
  SalonRankingQuery,
  SalonRankingResponse,
} from '../schemas.js';

export function rankingRoutes(instance: FastifyInstance, ctx: ApiContext): void {
  const app = typed(instance);

  app.get(
    '/rankings/salons',
    {
      schema: {
        tags: ['rankings'],
        summary:
          'salons ranked by mean score over the days; an owner gets the positions of their own salons only',
        querystring: SalonRankingQuery,
        response: { 200: SalonRankingResponse, ...errorResponses() },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const regionId = request.query.regionId ?? null;
      checkDayRange(from, to);
      const scope = scopeOf(request);
      const ranking = await ctx.store.salonRanking(from, to, regionId);
      const entries = ranking.filter((entry) => scope.canSeeSalon(entry.salonId));
      return { from, to, regionId, total: ranking.length, entries };
    },
  );

  app.get(
    '/rankings/regions',
    {
      schema: {
        tags: ['rankings'],
        summary: 'macro-regions ranked by the mean score of their salons',
        querystring: DayRange,
        response: { 200: RegionRankingResponse, ...errorResponses() },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      checkDayRange(from, to);
      return { from, to, entries: [...(await ctx.store.regionRanking(from, to))] };
    },
  );
}
