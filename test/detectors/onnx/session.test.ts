import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSalonwatchError } from '../../../common/errors.js';
import { openModel, openSessionCount } from '../../../detectors/onnx/session.js';
import { modelPath } from '../../../detectors/person/factory.js';

// BlazeFace front (128x128, 0.4 MB) is the smallest model in the repository: it loads in
// milliseconds, which is all these tests of the session cache need.
const MODEL = modelPath('blazeface-front-128.onnx');

describe('onnxruntime sessions', () => {
  it('opens one session per model file and releases it with its last user', async (t) => {
    const before = openSessionCount();
    const a = await openModel(MODEL, { threads: 1 });
    t.after(() => a.close());
    const b = await openModel(MODEL, { threads: 1 });
    t.after(() => b.close());
    assert.equal(openSessionCount(), before + 1);
    await a.close();
    assert.equal(openSessionCount(), before + 1, 'still used by b');
    await b.close();
    assert.equal(openSessionCount(), before);
  });

  it('runs the model and reports the time spent in it', async (t) => {
    const runner = await openModel(MODEL, { threads: 1 });
    t.after(() => runner.close());
    const input = runner.inputNames[0] ?? '';
    const outputs = await runner.run({
      name: input,
      data: new Float32Array(128 * 128 * 3),
      dims: [1, 128, 128, 3],
    });
    assert.deepEqual(
      [...outputs.values()].map((o) => o.dims),
      [
        [1, 512, 1],
        [1, 384, 1],
        [1, 512, 16],
        [1, 384, 16],
      ],
    );
    assert.ok(runner.lastRunMs > 0);
  });

  it('refuses a second thread count for an open model', async (t) => {
    const runner = await openModel(MODEL, { threads: 1 });
    t.after(() => runner.close());
    await assert.rejects(
      openModel(MODEL, { threads: 2 }),
      (e) => isSalonwatchError(e) && e.code === 'CONFIG_INVALID',
    );
  });

  it('names a missing model file and how to rebuild it', async () => {
    await assert.rejects(
      openModel('/nonexistent/model.onnx', { threads: 1 }),
      (e) =>
        isSalonwatchError(e) && e.code === 'MODEL_UNAVAILABLE' && /convert\.sh/.test(e.message),
    );
    // A failed load is not cached.
    await assert.rejects(openModel('/nonexistent/model.onnx', { threads: 1 }), /missing/);
  });

  it('rejects a thread count that is not a positive integer', async () => {
    await assert.rejects(
      openModel(MODEL, { threads: 0 }),
      (e) => isSalonwatchError(e) && e.code === 'CONFIG_INVALID',
    );
  });
});
