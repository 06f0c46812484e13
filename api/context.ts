/**
 * What route modules share: the data port, the salon directory, where evidence lives, metrics and
 * the clock. Built once in `api/server.ts`; routes never reach for globals or the environment.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SalonDirectory } from './access.js';
import type { ApiMetrics } from './metrics.js';
import type { ApiStore } from './store.js';

export interface ApiContext {
  readonly store: ApiStore;
  readonly directory: SalonDirectory;
  readonly evidenceDir: string;
  readonly metrics: ApiMetrics;
  readonly now: () => Date;
}

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export function typed(app: FastifyInstance): Api {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}
