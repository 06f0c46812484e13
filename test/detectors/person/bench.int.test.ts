import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { command } from '../../../detectors/person/bench.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('salonwatch bench detectors', () => {
  it('times detectors on real frames and prints one JSON object', async () => {
    // In a child process: the test runner itself reports through this process's stdout.
    const args = [
      '--frames',
      '2',
      '--width',
      '384',
      '--height',
      '288',
      '--models',
      'nanodet-int8-320x256,nanodet-320x256',
      '--json',
    ];
    const script = `const { command } = await import('./detectors/person/bench.ts');
process.exitCode = await command.run(${JSON.stringify(args)});`;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: root,
      },
    );
    const report = JSON.parse(stdout) as {
      results: {
        model: string;
        frames: number;
        msPerFrame: number;
        inferenceMs: number;
        overheadShare: number;
        relative: number;
      }[];
    };
    assert.deepEqual(
      report.results.map((r) => r.model),
      ['nanodet-int8-320x256', 'nanodet-320x256'],
    );
    for (const r of report.results) {
      assert.equal(r.frames, 2);
      assert.ok(r.msPerFrame >= r.inferenceMs && r.inferenceMs > 0);
      assert.ok(r.overheadShare >= 0 && r.overheadShare < 1);
    }
    assert.equal(report.results[0]?.relative, 1);
  });

  it('names a video it cannot decode', async () => {
    await assert.rejects(
      command.run(['--video', '/nonexistent.mp4', '--frames', '1', '--models', 'nanodet-320x256']),
      /could not decode \/nonexistent\.mp4/,
    );
  });
});
