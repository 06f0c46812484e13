/** `salonwatch api`: wires the server to ClickHouse, the token verifier and the evidence directory. */
import { parseCommandArgs, numberOption, type Command } from '../cli/command.js';
import { connectClickHouse } from '../clickhouse/client.js';
import { loadFleet } from '../config/fleet.js';
import { verifierConfigFromEnv, createVerifier } from './auth.js';
import { clickhouseStore, STANDARDS_TABLE_DDL } from './clickhouse-store.js';
import { evidenceDir } from './evidence-store.js';
import { insertSalons } from './fixtures.js';
import { startIncidentBook, withIncidentBook } from './incident-book-sync.js';
import { createLogger } from '../common/log.js';
import { startScores } from './scores.js';
import { buildServer } from './server.js';

const help = `usage: salonwatch api [--host 127.0.0.1] [--port 8080] [--fleet FILE]

Serves the REST API (/api/v1, OpenAPI UI at /docs), the web app (/), /metrics, /healthz and
/readyz. Logs are JSON lines (pino) on stdout.

Scores, rankings and incident lists are answered from memory: the last 400 days of daily
rollups and the last 92 days of incidents, loaded at start and polled from ClickHouse every
second (a year for 1,300 salons: ready in about 6 s, about 550 MB). Run it with
NODE_OPTIONS=--max-semi-space-size=64, as infra/compose.yaml does.

  --host H       address to listen on (default 127.0.0.1)
  --port P       port (default 8080)
  --fleet FILE   write the fleet's salons (config/fleet.ts format) to the salons table first

environment:
  SALONWATCH_API_SECRET     HS256 secret of the tokens (salonwatch token create), >= 32 bytes
  SALONWATCH_JWKS_URL       verify an identity provider's tokens instead (optional:
                            SALONWATCH_JWT_ISSUER, SALONWATCH_JWT_AUDIENCE)
  SALONWATCH_EVIDENCE_DIR   evidence snapshots (default .state/evidence)
  SALONWATCH_CLICKHOUSE_*   database endpoint (common/env.ts)
  SALONWATCH_LOG_LEVEL      debug | info | warn | error
`;

export const command: Command = {
  name: 'api',
  summary: 'serve the REST API and the web app',
  help,
  async run(argv) {
    const args = parseCommandArgs(command, argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      fleet: { type: 'string' },
    });
    if (args === undefined) return 0;
    const port = numberOption('port', args.values.port, 8080, {
      min: 0,
      max: 65535,
      integer: true,
    });
    const host = args.values.host ?? '127.0.0.1';
    const verifier = createVerifier(verifierConfigFromEnv());
    const ch = connectClickHouse();
    await ch.command(STANDARDS_TABLE_DDL);
    if (args.values.fleet !== undefined) {
      const fleet = await loadFleet(args.values.fleet);
      await insertSalons(ch, fleet.salons, new Date());
    }
    const level = process.env['SALONWATCH_LOG_LEVEL'] ?? 'info';
    const log = createLogger({ component: 'api' });
    const scores = await startScores(ch, log);
    const incidents = await startIncidentBook(ch, log);
    const store = withIncidentBook(clickhouseStore(ch, scores.scores), incidents);
    const app = await buildServer({
      store,
      verifier,
      evidenceDir: evidenceDir(),
      logger: { level },
    });
    await app.listen({ host, port });
    await new Promise<void>((resolve) => {
      const stop = () => {
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await app.close();
    scores.stop();
    incidents.stop();
    await store.close();
    return 0;
  },
};
