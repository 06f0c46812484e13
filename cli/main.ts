import { describeError, isSalonwatchError } from '../common/errors.js';
import type { Command } from './command.js';

/**
 * Subcommands, loaded on demand so that `salonwatch --help` does not pay for onnxruntime,
 * kafkajs or fastify. Each module exports `command`.
 */
const commands: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  demo: { summary: 'the whole pipeline on real footage on this machine, with live progress', load: () => import('../infra/demo/command.js') },
  node: { summary: 'the edge process: cameras in, events out (node status: per-camera state)', load: () => import('../edge/command.js') },
  stack: { summary: 'local stack of real engines: up | down | status', load: () => import('../infra/stack/command.js') },
  bench: { summary: 'benchmarks that print measured figures', load: () => import('./bench.js') },
  migrate: { summary: 'apply the ClickHouse migrations (safe to re-run)', load: () => import('../clickhouse/command.js') },
  sink: { summary: 'consume events from Kafka into ClickHouse', load: () => import('../sink/command.js') },
  api: { summary: 'serve the REST API and the web app', load: () => import('../api/command.js') },
  token: { summary: 'issue API tokens: token create --role R [--partner P] [--ttl 8h]', load: () => import('../api/token-command.js') },
  eval: { summary: 'score person detection and tracking against MOT ground truth', load: () => import('../detectors/eval/command.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    'salonwatch: service standards in retail salons, measured from their cameras',
    '',
    'usage: salonwatch <command> [options]     salonwatch <command> --help',
    '',
    'commands:',
    ...lines,
    '',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    process.stderr.write(`salonwatch: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    return await command.run(rest);
  } catch (error) {
    const code = isSalonwatchError(error) ? error.code : 'INTERNAL';
    process.stderr.write(`salonwatch ${name}: ${describeError(error)}\n`);
    if (!isSalonwatchError(error) && error instanceof Error && error.stack !== undefined) {
      process.stderr.write(error.stack + '\n');
    }
    return code === 'USAGE' ? 2 : 1;
  }
}
