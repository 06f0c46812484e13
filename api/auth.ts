/**
 * Bearer tokens: who the caller is and what they may see. Tokens are JWTs carrying `role`
 * (admin, reviewer, owner) and, for owners, `partnerId`. Locally and in tests they are signed
 * with the server's secret (HS256, `salonwatch token create`); in production the API may
 * instead verify the company identity provider's tokens against its JWKS URL.
 */
import {
  SignJWT,
  createRemoteJWKSet,
  jwtVerify,
  errors as joseErrors,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { SalonwatchError } from '../common/errors.js';

export const ROLES = ['admin', 'reviewer', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly subject: string;
  readonly role: Role;
  /** Set exactly for owners: the partner whose salons they may see. */
  readonly partnerId: string | null;
}

export const ISSUER = 'salonwatch';
export const AUDIENCE = 'salonwatch-api';
/** HS256 needs a key at least as long as the hash (RFC 7518 section 3.2): 32 bytes. */
export const MIN_SECRET_BYTES = 32;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

const PARTNER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function secretKey(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.length < MIN_SECRET_BYTES) {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      `SALONWATCH_API_SECRET must be at least ${MIN_SECRET_BYTES} bytes (got ${key.length})`,
    );
  }
  return key;
}

/** Parses `8h`, `30m`, `7d`, `90s` or plain seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null)
    throw new SalonwatchError('USAGE', `--ttl must look like 90s, 30m, 8h or 7d, got "${text}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0 || seconds > 366 * 86_400)
    throw new SalonwatchError('USAGE', `--ttl must be between 1 s and 366 days, got "${text}"`);
  return seconds;
}

export interface TokenRequest {
  readonly role: Role;
  readonly partnerId?: string;
  readonly subject?: string;
  readonly ttlS: number;
}

/** Signs a token; `nowS` (Unix seconds) is passed in so tests can mint already-expired tokens. */
export async function issueToken(
  request: TokenRequest,
  secret: string,
  nowS: number,
): Promise<string> {
  if ((request.role === 'owner') !== (request.partnerId !== undefined)) {
    throw new SalonwatchError(
      'USAGE',
      'an owner token needs --partner, and only an owner token takes one',
    );
  }
  if (request.partnerId !== undefined && !PARTNER_ID.test(request.partnerId)) {
    throw new SalonwatchError('USAGE', `--partner is not a partner id: "${request.partnerId}"`);
  }
  const claims: JWTPayload = { role: request.role };
  if (request.partnerId !== undefined) claims['partnerId'] = request.partnerId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(
      request.subject ??
        `${request.role}${request.partnerId === undefined ? '' : `@${request.partnerId}`}`,
    )
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + request.ttlS)
    .sign(secretKey(secret));
}

export type TokenVerifier = (token: string) => Promise<Principal>;

export type VerifierConfig =
  | { readonly kind: 'secret'; readonly secret: string }
  | {
      readonly kind: 'jwks';
      readonly url: string;
      readonly issuer?: string;
      readonly audience?: string;
    };

/** Reads SALONWATCH_JWKS_URL (identity provider) or else SALONWATCH_API_SECRET. */
export function verifierConfigFromEnv(env: NodeJS.ProcessEnv = process.env): VerifierConfig {
  const jwks = env['SALONWATCH_JWKS_URL'];
  if (jwks !== undefined && jwks !== '') {
    const issuer = env['SALONWATCH_JWT_ISSUER'];
    const audience = env['SALONWATCH_JWT_AUDIENCE'];
    return {
      kind: 'jwks',
      url: jwks,
      ...(issuer === undefined || issuer === '' ? {} : { issuer }),
      ...(audience === undefined || audience === '' ? {} : { audience }),
    };
  }
  const secret = env['SALONWATCH_API_SECRET'];
  if (secret === undefined || secret === '') {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      'set SALONWATCH_API_SECRET (at least 32 bytes) or SALONWATCH_JWKS_URL',
    );
  }
  secretKey(secret);
  return { kind: 'secret', secret };
}

function unauthorized(message: string, cause?: unknown): SalonwatchError {
  return new SalonwatchError('UNAUTHORIZED', message, cause === undefined ? undefined : { cause });
}

function principalOf(payload: JWTPayload): Principal {
  const { role, partnerId } = payload as { role?: unknown; partnerId?: unknown };
  if (!isRole(role)) throw unauthorized('token has no valid role claim');
  if (typeof payload.sub !== 'string' || payload.sub === '')
    throw unauthorized('token has no subject');
  if (role === 'owner') {
    if (typeof partnerId !== 'string' || !PARTNER_ID.test(partnerId))
      throw unauthorized('owner token has no valid partnerId claim');
    return { subject: payload.sub, role, partnerId };
  }
  // A partner claim on a staff token would be ignored; refusing it keeps tokens unambiguous.
  if (partnerId !== undefined) throw unauthorized(`a ${role} token must not carry partnerId`);
  return { subject: payload.sub, role, partnerId: null };
}

/**
 * `now` is the verifier's clock (Unix seconds) so tests can check expiry without sleeping. Only
 * HS256 (own tokens) or the asymmetric algorithms (identity provider) are accepted: never `none`,
 * never a symmetric algorithm with a public key.
 */
export function createVerifier(
  config: VerifierConfig,
  now: () => number = () => Math.floor(Date.now() / 1000),
): TokenVerifier {
  const currentDate = () => new Date(now() * 1000);
  let verify: (token: string) => Promise<JWTPayload>;
  if (config.kind === 'secret') {
    const key = secretKey(config.secret);
    verify = async (token) =>
      (
        await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: currentDate(),
        })
      ).payload;
  } else {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(config.url));
    const options = {
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      audience: config.audience ?? AUDIENCE,
    };
    verify = async (token) =>
      (await jwtVerify(token, keys, { ...options, currentDate: currentDate() })).payload;
  }
  return async (token) => {
    try {
      return principalOf(await verify(token));
    } catch (error) {
      if (error instanceof SalonwatchError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthorized('token expired', error);
      if (error instanceof joseErrors.JOSEError)
        throw unauthorized(`token rejected: ${error.code}`, error);
      throw unauthorized('token rejected', error);
    }
  };
}

/** `Authorization: Bearer <jwt>` -> the token, or an UNAUTHORIZED error saying what is wrong. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header === '')
    throw unauthorized('missing Authorization: Bearer <token>');
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
  if (match?.[1] === undefined) throw unauthorized('Authorization header is not "Bearer <jwt>"');
  return match[1];
}
