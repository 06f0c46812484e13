/**
 * One error type for the whole system: a stable code a program can match on, a message a
 * person can act on, and the cause underneath. Adapters wrap library errors into it at the
 * edge; the CLI prints `message` and exits non-zero, the API maps `code` to an HTTP status.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'STACK_PORT_TAKEN'
  | 'STACK_NOT_READY'
  | 'STACK_MISSING_DEPENDENCY'
  | 'INPUT_INVALID'
  | 'VIDEO_UNREADABLE'
  | 'MODEL_UNAVAILABLE'
  | 'KAFKA_UNAVAILABLE'
  | 'CLICKHOUSE_UNAVAILABLE'
  | 'CLICKHOUSE_QUERY_FAILED'
  | 'SPOOL_FAILED'
  | 'SQL_VALUE_INVALID'
  | 'EVENT_INVALID'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'INTERNAL';

export class SalonwatchError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SalonwatchError';
    this.code = code;
  }
}

export function isSalonwatchError(error: unknown): error is SalonwatchError {
  return error instanceof SalonwatchError;
}

/** A one-line description of anything thrown, for logs and CLI output. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
