import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import {
  bearerToken,
  createVerifier,
  issueToken,
  parseTtl,
  AUDIENCE,
  ISSUER,
} from '../../api/auth.js';
import { isSalonwatchError } from '../../common/errors.js';

const SECRET = 'unit-test-secret-of-at-least-32-bytes';
const NOW = 1_800_000_000;
const verify = createVerifier({ kind: 'secret', secret: SECRET }, () => NOW);

async function rejects(token: string, reason: RegExp): Promise<void> {
  await assert.rejects(
    verify(token),
    (error: unknown) =>
      isSalonwatchError(error) && error.code === 'UNAUTHORIZED' && reason.test(error.message),
  );
}

test('a token issued for a role verifies back to the same principal', async () => {
  const owner = await issueToken({ role: 'owner', partnerId: 'p-alfa', ttlS: 60 }, SECRET, NOW);
  assert.deepEqual(await verify(owner), {
    subject: 'owner@p-alfa',
    role: 'owner',
    partnerId: 'p-alfa',
  });
  const reviewer = await issueToken({ role: 'reviewer', subject: 'rita', ttlS: 60 }, SECRET, NOW);
  assert.deepEqual(await verify(reviewer), { subject: 'rita', role: 'reviewer', partnerId: null });
});

test('expired, forged, unsigned and tampered tokens are refused', async () => {
  await rejects(await issueToken({ role: 'admin', ttlS: 60 }, SECRET, NOW - 3600), /expired/);
  await rejects(
    await issueToken({ role: 'admin', ttlS: 60 }, 'another-secret-that-is-32-bytes-long!!', NOW),
    /signature/i,
  );
  await rejects(
    new UnsecuredJWT({ role: 'admin' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x')
      .encode(),
    /rejected/,
  );
  const [header, , signature] = (
    await issueToken({ role: 'reviewer', ttlS: 60 }, SECRET, NOW)
  ).split('.');
  const payload = Buffer.from(
    JSON.stringify({ role: 'admin', sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: NOW + 60 }),
  ).toString('base64url');
  await rejects(`${header ?? ''}.${payload}.${signature ?? ''}`, /signature/i);
});

test('claims must be exactly right: role, partner for owners only, issuer and audience', async () => {
  const key = new TextEncoder().encode(SECRET);
  const sign = (claims: Record<string, unknown>, iss = ISSUER, aud = AUDIENCE) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('s')
      .setIssuer(iss)
      .setAudience(aud)
      .setExpirationTime(NOW + 60)
      .sign(key);
  await rejects(await sign({ role: 'owner' }), /partnerId/);
  await rejects(await sign({ role: 'superuser' }), /role/);
  await rejects(await sign({ role: 'admin', partnerId: 'p' }), /must not carry/);
  await rejects(await sign({ role: 'admin' }, 'someone-else'), /rejected/);
  await rejects(await sign({ role: 'admin' }, ISSUER, 'another-api'), /rejected/);
});

test('issuing refuses short secrets and owner tokens without a partner', async () => {
  await assert.rejects(issueToken({ role: 'admin', ttlS: 60 }, 'short', NOW), /at least 32 bytes/);
  await assert.rejects(issueToken({ role: 'owner', ttlS: 60 }, SECRET, NOW), /--partner/);
  await assert.rejects(
    issueToken({ role: 'reviewer', partnerId: 'p', ttlS: 60 }, SECRET, NOW),
    /--partner/,
  );
  await assert.rejects(
    issueToken({ role: 'owner', partnerId: "p' OR 1=1", ttlS: 60 }, SECRET, NOW),
    /not a partner id/,
  );
});

test('ttl and bearer header parsing', () => {
  assert.equal(parseTtl('8h'), 28_800);
  assert.equal(parseTtl('90'), 90);
  assert.throws(() => parseTtl('0s'));
  assert.throws(() => parseTtl('1y'));
  assert.equal(bearerToken('Bearer a.b.c'), 'a.b.c');
  for (const bad of [
    undefined,
    '',
    'Basic Zm9vOmJhcg==',
    'Bearer',
    'Bearer a.b',
    'bearer a.b.c',
    'Bearer a.b.c extra',
  ]) {
    assert.throws(() => bearerToken(bad), /Authorization|Bearer/);
  }
});
