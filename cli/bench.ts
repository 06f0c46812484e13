import { SalonwatchError } from '../common/errors.js';
import type { Command } from './command.js';

/**
 * `salonwatch bench <name>`: each benchmark prints human-readable figures, or one JSON object
 * with `--json`. Benchmarks live beside the stage they measure and are loaded on demand.
 */
const benchmarks: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  sink: { summary: 'events through Kafka into ClickHouse: events/s, latency, bare-insert baseline', load: () => import('../sink/bench.js') },
  scores: { summary: 'score and ranking queries over a year of rollups for 1,300 salons', load: () => import('../clickhouse/bench.js') },
  api: { summary: 'API p50/p99 and requests/s at 50 clients over a year of data for 1,300 salons', load: () => import('../api/bench.js') },
  dashboards: { summary: 'every dashboard panel over a year of data for the network', load: () => import('../dashboards/bench.js') },
  sampling: { summary: 'CPU and RSS of frame sampling per camera vs bare ffmpeg', load: () => import('../ingest/bench.js') },
  detectors: { summary: 'ms/frame of each person detector, inference vs overhead', load: () => import('../detectors/person/bench.js') },
  node: { summary: 'edge node cameras per core at 1 fps on 1080p, detection on vs off', load: () => import('../edge/bench.js') },
  rules: { summary: 'rules cost per frame for 20 tracks, against 1 track', load: () => import('../detectors/rules/bench.js') },
  letterbox: { summary: 'letterbox kernel (WebAssembly SIMD) vs the TypeScript loop, ms/frame', load: () => import('../detectors/letterbox-bench.js') },
};

const help = () =>
  [
    'usage: salonwatch bench <name> [--json] [options]',
    '',
    'benchmarks:',
    ...Object.entries(benchmarks).map(([name, { summary }]) => `  ${name.padEnd(10)}  ${summary}`),
    '',
    'salonwatch bench <name> --help shows the options of one benchmark.',
  ].join('\n');

export const command: Command = {
  name: 'bench',
  summary: 'benchmarks that print measured figures',
  get help() {
    return help();
  },
  async run(argv) {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      process.stdout.write(help() + '\n');
      return name === undefined ? 2 : 0;
    }
    const entry = benchmarks[name];
    if (entry === undefined) throw new SalonwatchError('USAGE', `unknown benchmark "${name}"\n\n${help()}`);
    const { command: bench } = await entry.load();
    return bench.run(rest);
  },
};
