/**
 * The one catalogue of errors the API answers with: a stable code, its HTTP status, and the
 * response body shape. Handlers and hooks throw `SalonwatchError` (or `ApiError` for codes that
 * only exist at the HTTP edge); the error handler maps both, and Fastify's own errors (body
 * parsing, validation, size limits), to one body: `{ code, message }`.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import { isSalonwatchError, type ErrorCode } from '../common/errors.js';

export const API_ERRORS = {
  INPUT_INVALID: {
    status: 400,
    summary: 'a parameter or the body failed validation; the message names the field',
  },
  UNAUTHORIZED: { status: 401, summary: 'no bearer token, or it is expired, forged or malformed' },
  FORBIDDEN: { status: 403, summary: "the caller's role may not use this route" },
  NOT_FOUND: { status: 404, summary: 'no such resource, or not visible to the caller' },
  BODY_TOO_LARGE: { status: 413, summary: 'the request body exceeds the limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'the body is not application/json' },
  CONFIG_INVALID: { status: 422, summary: 'a configuration change that does not validate' },
  CLICKHOUSE_UNAVAILABLE: { status: 503, summary: 'the database did not answer; retry later' },
  INTERNAL: { status: 500, summary: 'a bug; the log has the details' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error that exists only at the HTTP edge (e.g. 413), for codes not in `common/errors.ts`. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
  }
}

export const ErrorBody = Type.Object(
  {
    code: Type.Enum(Object.keys(API_ERRORS) as ApiErrorCode[]),
    message: Type.String(),
  },
  { additionalProperties: false, description: 'every error response' },
);

/** Domain codes raised below the API, mapped onto the catalogue. */
function fromDomain(code: ErrorCode): ApiErrorCode {
  switch (code) {
    case 'INPUT_INVALID':
    case 'SQL_VALUE_INVALID':
    case 'EVENT_INVALID':
    case 'USAGE':
      return 'INPUT_INVALID';
    case 'NOT_FOUND':
    case 'FORBIDDEN':
    case 'UNAUTHORIZED':
    case 'CONFIG_INVALID':
    case 'CLICKHOUSE_UNAVAILABLE':
      return code;
    default:
      return 'INTERNAL';
  }
}

/** Fastify's own error codes (see fastify/lib/errors.js) that are the client's fault. */
const FASTIFY_CODES: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INPUT_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INPUT_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INPUT_INVALID',
  FST_ERR_VALIDATION: 'INPUT_INVALID',
};

export interface MappedError {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly message: string;
}

export function mapError(error: unknown): MappedError {
  let code: ApiErrorCode = 'INTERNAL';
  let message = 'internal error';
  if (error instanceof ApiError) {
    code = error.code;
    message = error.message;
  } else if (isSalonwatchError(error)) {
    code = fromDomain(error.code);
    message = code === 'INTERNAL' ? 'internal error' : error.message;
  } else if (isFastifyError(error)) {
    const known = FASTIFY_CODES[error.code];
    if (error.validation !== undefined) {
      code = 'INPUT_INVALID';
      message = validationMessage(error);
    } else if (known !== undefined) {
      code = known;
      message = error.message;
    } else if (
      error.statusCode !== undefined &&
      error.statusCode >= 400 &&
      error.statusCode < 500
    ) {
      // Other client errors Fastify raises itself (e.g. a bad Content-Length): keep them 4xx.
      code = 'INPUT_INVALID';
      message = error.message;
    }
  } else if (isSyntaxError(error)) {
    code = 'INPUT_INVALID';
    message = `body is not valid JSON: ${error.message}`;
  }
  const status = API_ERRORS[code].status;
  // A server-side message may carry SQL or paths: the client gets the catalogue's words only.
  return { code, status, message: status >= 500 ? API_ERRORS[code].summary : message };
}

/**
 * `body/verdict must be equal to one of the allowed values`; an unknown key is named too
 * (`body/colour: unknown key`), which Ajv's own message ("must NOT have additional properties")
 * leaves out although it is the usual typo.
 */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (first === undefined) return error.message;
  const where = `${error.validationContext ?? 'request'}${first.instancePath}`;
  const extra = (first.params as { additionalProperty?: unknown }).additionalProperty;
  if (first.keyword === 'additionalProperties' && typeof extra === 'string')
    return `${where}/${extra}: unknown key`;
  const missing = (first.params as { missingProperty?: unknown }).missingProperty;
  if (first.keyword === 'required' && typeof missing === 'string')
    return `${where}/${missing}: required`;
  return `${where} ${first.message ?? 'is invalid'}`;
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

function isSyntaxError(error: unknown): error is SyntaxError & { statusCode?: number } {
  return error instanceof SyntaxError;
}

/** Installs the error and not-found handlers; server errors are logged with their cause. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    const mapped = mapError(error);
    if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: mapped.code, reason: mapped.message }, 'request rejected');
    return reply
      .code(mapped.status)
      .type('application/json')
      .send({ code: mapped.code, message: mapped.message });
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .send({
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
      }),
  );
}

/** Response schemas for the error statuses a route can return, for the OpenAPI document. */
export function errorResponses(...codes: ApiErrorCode[]) {
  const out: Record<number, typeof ErrorBody> = {};
  for (const code of ['INPUT_INVALID', 'UNAUTHORIZED', 'INTERNAL', ...codes] as ApiErrorCode[]) {
    out[API_ERRORS[code].status] = ErrorBody;
  }
  return out;
}
