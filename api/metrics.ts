/**
 * Prometheus metrics at `/metrics`: request latency per route template (never the raw URL, so
 * ids do not explode the label set), reviews by verdict, and the process defaults.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  readonly registry: Registry;
  readonly reviews: Counter<'verdict'>;
}

export function registerMetrics(app: FastifyInstance): ApiMetrics {
  // One registry per server, not the global one: tests build many servers in one process.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'salonwatch_api_' });
  const duration = new Histogram({
    name: 'salonwatch_api_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const reviews = new Counter({
    name: 'salonwatch_api_reviews_total',
    help: 'incident reviews recorded, by verdict',
    labelNames: ['verdict'] as const,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { route, method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  return { registry, reviews };
}
