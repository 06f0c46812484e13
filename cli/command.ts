import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SalonwatchError } from '../common/errors.js';

/** A `salonwatch` subcommand. `run` resolves to the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full help text printed by `--help`, starting with the usage line. */
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a subcommand's arguments strictly: unknown flags and missing values are usage errors
 * that quote the command's help. Returns `undefined` when `--help` was asked for (and printed).
 */
export function parseCommandArgs<O extends Options>(
  command: Pick<Command, 'help'>,
  argv: readonly string[],
  options: O,
  allowPositionals = false,
) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(command.help.trimEnd() + '\n');
    return undefined;
  }
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SalonwatchError('USAGE', `${reason}\n\n${command.help.trimEnd()}`, { cause: error });
  }
}

/** Reads a numeric option, naming the flag when the value is not a number in range. */
export function numberOption(
  name: string,
  value: string | undefined,
  fallback: number,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  const { min = -Infinity, max = Infinity, integer = false } = range;
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new SalonwatchError('USAGE', `--${name} must be ${kind} between ${min} and ${max}, got "${value}"`);
  }
  return parsed;
}
