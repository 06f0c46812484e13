import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSalonwatchError } from '../../../common/errors.js';
import { parseGroundTruth, parseSequenceInfo } from '../../../detectors/eval/mot-ground-truth.js';

function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isSalonwatchError(error));
    assert.equal(error.code, 'INPUT_INVALID');
    assert.match(error.message, message);
    return true;
  });
}

describe('MOTChallenge ground-truth parser', () => {
  it('parses boxes by frame, with conf 0 as ignore, MOT15 (10 columns) and MOT16 (9) lines', () => {
    const gt = parseGroundTruth(
      [
        '1,9,499,158,31.03,75.17,1,-4.1,-7.3,0',
        '1,12,648,115,20,59,0,3.7,-8.0,0',
        '',
        '3,9,497,158,31,75,1,-1,-1',
      ].join('\n'),
      'gt.txt',
    );
    assert.equal(gt.lastFrame, 3);
    const f1 = gt.frames.get(1);
    assert.ok(f1 !== undefined);
    assert.equal(f1.length, 2);
    assert.deepEqual(f1[0], {
      id: 9,
      box: { x1: 499, y1: 158, x2: 499 + 31.03, y2: 158 + 75.17 },
      ignore: false,
      conf: 1,
    });
    assert.equal(f1[1]?.ignore, true);
    assert.equal(gt.frames.has(2), false);
    assert.equal(gt.frames.get(3)?.[0]?.box.x2, 528);
  });

  it('names the file and line of a line with too few fields', () => {
    rejects(
      () => parseGroundTruth('1,1,0,0,10,10,1,-1,-1,-1\n2,1,0,0\n', 'seq/gt/gt.txt'),
      /^seq\/gt\/gt\.txt:2: expected .* got 4 fields/,
    );
  });

  it('names the field that is not a number', () => {
    rejects(
      () => parseGroundTruth('\n\n1,1,abc,0,10,10,1\n', 'gt.txt'),
      /^gt\.txt:3: left is not a number/,
    );
    rejects(
      () => parseGroundTruth('1,1,0,0,10,,1\n', 'gt.txt'),
      /^gt\.txt:1: height is not a number/,
    );
  });

  it('rejects frame 0, fractional frames and non-positive sizes', () => {
    rejects(
      () => parseGroundTruth('0,1,0,0,10,10,1', 'gt.txt'),
      /gt\.txt:1: frame must be an integer >= 1/,
    );
    rejects(
      () => parseGroundTruth('1.5,1,0,0,10,10,1', 'gt.txt'),
      /gt\.txt:1: frame must be an integer/,
    );
    rejects(
      () => parseGroundTruth('1,1,0,0,10,10,1\n1,2,0,0,-3,10,1', 'gt.txt'),
      /gt\.txt:2: width and height must be positive/,
    );
  });

  it('rejects an empty file', () => {
    rejects(() => parseGroundTruth('\n\n', 'empty.txt'), /empty\.txt: no ground-truth boxes/);
  });

  it('reads seqinfo.ini and names a bad key with its line', () => {
    const info = parseSequenceInfo(
      '[Sequence]\nname=X\nframeRate=7\nseqLength=795\nimWidth=768\nimHeight=576\n',
      'seqinfo.ini',
    );
    assert.deepEqual(info, { width: 768, height: 576, frameRate: 7, length: 795 });
    rejects(
      () => parseSequenceInfo('[Sequence]\nimWidth=wide\nimHeight=576\n', 's.ini'),
      /^s\.ini:2: imWidth must be a positive number/,
    );
    rejects(
      () => parseSequenceInfo('[Sequence]\nimWidth=768\n', 's.ini'),
      /^s\.ini: imHeight is missing/,
    );
  });
});
