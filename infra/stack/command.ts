import { SalonwatchError } from '../../common/errors.js';
import { numberOption, parseCommandArgs, type Command } from '../../cli/command.js';
import { stateDir } from '../../common/paths.js';
import { PART_NAMES, stackDown, stackStatus, stackUp, type PartName } from './stack.js';

const help = `usage: salonwatch stack <up | down | status> [options]

The local stack of real engines, on 127.0.0.1 only, state and logs under one directory
(SALONWATCH_STATE_DIR, default .state/ in the repository):
  kafka       Apache Kafka 4.1, one KRaft node        127.0.0.1:19092 (controller 19093)
  clickhouse  ClickHouse from Debian                  HTTP 127.0.0.1:18123, native 19000
  cameras     RTSP camera simulator (GStreamer)       rtsp://127.0.0.1:18554/cam1..camN

  up       start what is not running and wait until each part answers (idempotent)
  down     stop the parts this stack started (by their pid files)
  status   each part's state, version, ports, pid and memory

options:
  --only PARTS    comma-separated subset of: ${PART_NAMES.join(', ')}
  --cameras N     number of simulated cameras for "up" (default 4)
  --json          "status" prints JSON
  -h, --help      this help

Run "bash infra/bootstrap.sh" first on a fresh machine (npm test and npm run demo do).`;

function parseOnly(value: string | undefined): PartName[] {
  if (value === undefined) return [...PART_NAMES];
  return value.split(',').map((name) => {
    const part = PART_NAMES.find((p) => p === name.trim());
    if (part === undefined) throw new SalonwatchError('USAGE', `--only: unknown part "${name}"; parts are ${PART_NAMES.join(', ')}`);
    return part;
  });
}

export const command: Command = {
  name: 'stack',
  summary: 'local stack of real engines: up | down | status',
  help,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      only: { type: 'string' },
      cameras: { type: 'string' },
      json: { type: 'boolean', default: false },
    }, true);
    if (args === undefined) return 0;
    const [action, ...extra] = args.positionals;
    if (action === undefined || extra.length > 0) throw new SalonwatchError('USAGE', `expected one action: up, down or status\n\n${help}`);
    const only = parseOnly(args.values.only);
    const options = { state: stateDir(), cameras: numberOption('cameras', args.values.cameras, 4, { min: 1, max: 200, integer: true }) };
    const out = (line: string) => process.stdout.write(line + '\n');

    switch (action) {
      case 'up': {
        const started = Date.now();
        const results = await stackUp(options, only);
        for (const r of results) {
          if (r.restarted !== undefined) out(`${r.part}: started again: ${r.restarted}`);
          out(r.outcome === 'started'
            ? `${r.part}: started, pid ${r.pid}, ready in ${(r.ms / 1000).toFixed(1)} s`
            : `${r.part}: already running (pid ${r.pid}), nothing to do`);
        }
        const all = results.every((r) => r.outcome === 'already-running');
        out(all ? 'stack: already up, nothing started' : `stack: up in ${((Date.now() - started) / 1000).toFixed(1)} s (state in ${options.state})`);
        return 0;
      }
      case 'down': {
        for (const r of await stackDown(options, only)) out(`${r.part}: ${r.stopped ? 'stopped' : 'was not running'}`);
        return 0;
      }
      case 'status': {
        const status = await stackStatus(options);
        if (args.values.json) {
          out(JSON.stringify(status, null, 2));
        } else {
          for (const s of status) {
            const memory = s.rssMiB === null ? '' : `, ${s.rssMiB.toFixed(0)} MiB`;
            const version = s.version === null ? '' : ` ${s.version}`;
            out(`${s.part.padEnd(10)} ${s.state.padEnd(9)}${version}  ports ${s.ports.join(',')}${s.pid === null ? '' : `  pid ${s.pid}${memory}`}  log ${s.log}`);
          }
        }
        return status.filter((s) => only.includes(s.part)).every((s) => s.state === 'running') ? 0 : 3;
      }
      default:
        throw new SalonwatchError('USAGE', `unknown action "${action}"; expected up, down or status\n\n${help}`);
    }
  },
};
