/**
 * The browser code is plain JavaScript served as is; `api/web/tsconfig.json` type-checks it with
 * the DOM library (the project's own tsconfig is Node-only). This keeps that check in the suite.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../common/paths.js';

test('the web app type-checks (tsc -p api/web)', async () => {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await promisify(execFile)(
    process.execPath,
    [tsc, '-p', path.join(REPO_ROOT, 'api', 'web')],
    { cwd: REPO_ROOT },
  ).then(
    () => '',
    (error: unknown) => (error as { stdout?: string }).stdout ?? String(error),
  );
  assert.equal(result, '');
});
