/**
 * Evidence snapshots (JPEG, faces already blurred) in a content-addressed directory: the file
 * name is the SHA-256 of the bytes, fanned out by its first two hex digits so no directory
 * grows past a few thousand entries: `<dir>/<aa>/<sha256>.jpg`. The evidence stage writes here
 * (`writeEvidence`), the API reads (`evidencePath`). A path is only ever derived from a validated
 * 64-hex id, never taken from a request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { SalonwatchError } from '../common/errors.js';
import { stateDir } from '../common/paths.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isEvidenceId(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** `SALONWATCH_EVIDENCE_DIR`, else `<state dir>/evidence`. */
export function evidenceDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['SALONWATCH_EVIDENCE_DIR'];
  return configured !== undefined && configured !== ''
    ? path.resolve(configured)
    : path.join(stateDir(env), 'evidence');
}

/** The one place a snapshot's path is made; refuses anything but a lower-case SHA-256 hex id. */
export function evidencePath(dir: string, sha256: string): string {
  if (!isEvidenceId(sha256))
    throw new SalonwatchError('INPUT_INVALID', 'evidence id must be 64 lower-case hex digits');
  return path.join(dir, sha256.slice(0, 2), `${sha256}.jpg`);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores a snapshot and returns its id. Written to a temporary name, fsync'd, then renamed, so a
 * reader never sees half a file; storing the same bytes twice is a no-op.
 */
export async function writeEvidence(dir: string, jpeg: Uint8Array): Promise<string> {
  const id = sha256Hex(jpeg);
  const target = evidencePath(dir, id);
  try {
    await stat(target);
    return id;
  } catch {
    // Not there yet: write it.
  }
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx');
  try {
    await handle.writeFile(jpeg);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return id;
}
