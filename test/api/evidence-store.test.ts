import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { evidencePath, isEvidenceId, sha256Hex, writeEvidence } from '../../api/evidence-store.js';

test('snapshots are stored under their SHA-256, fanned out by the first two digits', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sw-evidence-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bytes = Buffer.from('not really a jpeg');
  const id = await writeEvidence(dir, bytes);
  assert.equal(id, sha256Hex(bytes));
  assert.equal(evidencePath(dir, id), path.join(dir, id.slice(0, 2), `${id}.jpg`));
  assert.deepEqual(await readFile(evidencePath(dir, id)), bytes);
  assert.equal(await writeEvidence(dir, bytes), id, 'storing the same bytes again is a no-op');
  assert.deepEqual(
    await readdir(path.join(dir, id.slice(0, 2))),
    [`${id}.jpg`],
    'no temporary file left behind',
  );
});

test('a path is only made from a lower-case 64-hex id', () => {
  const good = 'a'.repeat(64);
  assert.ok(isEvidenceId(good));
  for (const bad of [
    '../../etc/passwd',
    `${'a'.repeat(62)}/..`,
    'A'.repeat(64),
    `${good}.jpg`,
    `${good}\n`,
    '',
    'a'.repeat(63),
    `..%2f${'a'.repeat(59)}`,
  ]) {
    assert.equal(isEvidenceId(bad), false, bad);
    assert.throws(() => evidencePath('/data', bad), /64 lower-case hex/);
  }
});
