/**
 * The network-wide standards configuration: defaults from `config/standards.ts` plus the override
 * an admin saved. Everyone reads it (owners see what they are measured against); only admins
 * change it, and a change that does not validate is refused with the path of the problem.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import {
  Standards as StandardsSchema,
  StandardsOverride as OverrideSchema,
  parseStandardsOverride,
  resolveStandards,
  type Standards,
  type StandardsOverride,
} from '../../config/standards.js';
import { typed, type ApiContext } from '../context.js';
import { errorResponses } from '../errors.js';
import { scopeOf } from '../guard.js';

/** The config module's schemas are `@sinclair/typebox`; they are plain JSON Schema underneath. */
const StandardsJson = Type.Unsafe<Standards>(JSON.parse(JSON.stringify(StandardsSchema)) as object);
const OverrideJson = Type.Unsafe<StandardsOverride>(
  JSON.parse(JSON.stringify(OverrideSchema)) as object,
);

const StandardsResponse = Type.Object(
  {
    effective: StandardsJson,
    override: OverrideJson,
    updatedAt: Type.Union([Type.String(), Type.Null()]),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

async function current(ctx: ApiContext) {
  const stored = await ctx.store.standards();
  return { effective: resolveStandards([stored.override]), ...stored };
}

export function standardsReadRoutes(instance: FastifyInstance, ctx: ApiContext): void {
  typed(instance).get(
    '/standards',
    {
      schema: {
        tags: ['standards'],
        summary: 'the standards in force: defaults merged with the network override',
        response: { 200: StandardsResponse, ...errorResponses() },
      },
    },
    async () => current(ctx),
  );
}

export function standardsWriteRoutes(instance: FastifyInstance, ctx: ApiContext): void {
  typed(instance).put(
    '/standards',
    {
      schema: {
        tags: ['standards'],
        summary: 'replace the network override (admin); the merged result must validate',
        body: OverrideJson,
        response: {
          200: StandardsResponse,
          ...errorResponses(
            'FORBIDDEN',
            'CONFIG_INVALID',
            'BODY_TOO_LARGE',
            'UNSUPPORTED_MEDIA_TYPE',
          ),
        },
      },
    },
    async (request) => {
      const override = parseStandardsOverride(request.body, 'body');
      // Throws CONFIG_INVALID naming the field when, merged, a rule no schema can check fails.
      resolveStandards([override]);
      await ctx.store.saveStandards(
        override,
        scopeOf(request).principal.subject,
        ctx.now().toISOString(),
      );
      return current(ctx);
    },
  );
}
