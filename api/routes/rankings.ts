/** Rankings of salons (network or one macro-region) and of macro-regions by mean daily score. */
import type { Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { SalonRank } from '../../clickhouse/scores.js';
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

const JSON_TYPE = 'application/json; charset=utf-8';
type SalonRankingAnswer = Static<typeof SalonRankingResponse>;

export function rankingRoutes(instance: FastifyInstance, ctx: ApiContext): void {
  const app = typed(instance);
  /**
   * The network ranking is the largest answer the API gives (every salon), and it is the same
   * for every staff caller until the data or the salon directory change. The score book hands
   * out one ranking array per data generation, so the serialised body is kept against that
   * array and the view it was filtered for; a new generation is a new array and a miss.
   */
  const kept = new WeakMap<
    readonly SalonRank[],
    { view: object; key: string; body: string; answer: SalonRankingAnswer }
  >();

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
    async (request, reply) => {
      const { from, to } = request.query;
      const regionId = request.query.regionId ?? null;
      checkDayRange(from, to);
      const scope = scopeOf(request);
      const ranking = await ctx.store.salonRanking(from, to, regionId);
      const view = scope.sharedView;
      const key = `${from}|${to}|${regionId ?? ''}`;
      const hit = kept.get(ranking);
      if (view !== null && hit?.view === view && hit.key === key) {
        const body = hit.body;
        return reply.type(JSON_TYPE).serializer(() => body).send(hit.answer);
      }
      const entries = ranking.filter((entry) => scope.canSeeSalon(entry.salonId));
      const answer = { from, to, regionId, total: ranking.length, entries };
      if (view === null) return answer;
      // The route's own response serialiser, so a kept body is what Fastify would have sent.
      const body = reply.serialize(answer);
      if (typeof body !== 'string') return answer;
      kept.set(ranking, { view, key, body, answer });
      return reply.type(JSON_TYPE).serializer(() => body).send(answer);
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
