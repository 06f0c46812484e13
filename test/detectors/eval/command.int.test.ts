import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, sharedDataDir } from '../../../common/paths.js';

const TUD = path.join(sharedDataDir(), 'TUD-Campus');
const VIDEO = path.join(TUD, 'TUD-Campus_h264_gop25.mp4');
const GT = path.join(TUD, 'gt', 'gt.txt');

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'salonwatch.js'), 'eval', ...args],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'salonwatch-eval-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('salonwatch eval (real ffmpeg, real footage)', () => {
  it('scores the ground-truth oracle on TUD-Campus and prints one JSON object', async () => {
    const { code, stdout, stderr } = await cli([
      '--video',
      VIDEO,
      '--gt',
      GT,
      '--model',
      'gt-oracle',
      '--json',
      '--zone',
      '0,0,0.5,0,0.5,1,0,1',
    ]);
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of [
      'precision',
      'recall',
      'countMae',
      'mota',
      'idf1',
      'idSwitches',
      'msPerFrame',
      'frames',
      'inferenceMsPerFrame',
      'overheadShare',
    ]) {
      assert.equal(typeof r[key], 'number', key);
    }
    assert.equal(r['frames'], 71);
    assert.match(String(r['model']), /gt-oracle.*not a model/);
    assert.deepEqual(r['sequence'], { width: 640, height: 480 });
    // Fed the truth, the tracker loses only each person's first frame (birth hysteresis).
    assert.ok(Number(r['precision']) > 0.99, String(r['precision']));
    assert.ok(Number(r['recall']) > 0.9, String(r['recall']));
    assert.equal(r['idSwitches'], 0);
    assert.equal(typeof (r['zone'] as Record<string, unknown> | undefined)?.['countMae'], 'number');
  });

  it('names the file and line of a malformed ground-truth line', async (t) => {
    const dir = await tempDir(t);
    const gt = path.join(dir, 'gt.txt');
    await writeFile(gt, '1,1,10,10,50,100,1,-1,-1,-1\n2,1,10,ten,50,100,1,-1,-1,-1\n');
    const { code, stderr } = await cli(['--video', VIDEO, '--gt', gt, '--model', 'gt-oracle']);
    assert.equal(code, 1);
    assert.ok(stderr.includes(`${gt}:2: top is not a number`), stderr);
  });

  it('names a video that cannot be decoded', async (t) => {
    const dir = await tempDir(t);
    const video = path.join(dir, 'broken.avi');
    await writeFile(video, 'not a video at all');
    const { code, stderr } = await cli(['--video', video, '--gt', GT, '--model', 'gt-oracle']);
    assert.equal(code, 1);
    assert.ok(stderr.includes(`${video}: cannot be decoded`), stderr);
  });

  it('rejects a zone with fewer than 3 points as a usage error', async () => {
    const { code, stderr } = await cli([
      '--video',
      VIDEO,
      '--gt',
      GT,
      '--model',
      'gt-oracle',
      '--zone',
      '0,0,1,1',
    ]);
    assert.equal(code, 2);
    assert.ok(stderr.includes('--zone: a zone polygon needs at least 3 points, got 2'), stderr);
  });

  it('prints its help', async () => {
    const { code, stdout } = await cli(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^usage: salonwatch eval --video V --gt G\.txt/);
  });
});
