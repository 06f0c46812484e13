import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file lives in `<root>/common/`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the local stack keeps data, configs, logs and pid files; one directory for all of it. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['SALONWATCH_STATE_DIR'];
  return configured !== undefined && configured !== '' ? path.resolve(configured) : path.join(REPO_ROOT, '.state');
}

/** The shared test footage beside the repository (`../shared/data`), never copied into it. */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['SALONWATCH_SHARED_DATA'];
  return configured !== undefined && configured !== '' ? path.resolve(configured) : path.resolve(REPO_ROOT, '..', 'shared', 'data');
}
