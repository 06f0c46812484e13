/**
 * Structured logs for long-running commands: one JSON object per line on stderr (stdout is
 * kept for command results such as `--json` output). The API uses Fastify's own pino logger.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function envLevel(): LogLevel {
  const level = process.env['SALONWATCH_LOG_LEVEL'];
  return level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
}

export function createLogger(
  bindings: Record<string, unknown> = {},
  minLevel: LogLevel = envLevel(),
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (order[level] < order[minLevel]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...bindings, ...fields }));
  };
  return {
    debug: (msg, fields) => { emit('debug', msg, fields); },
    info: (msg, fields) => { emit('info', msg, fields); },
    warn: (msg, fields) => { emit('warn', msg, fields); },
    error: (msg, fields) => { emit('error', msg, fields); },
    child: (fields) => createLogger({ ...bindings, ...fields }, minLevel, write),
  };
}
