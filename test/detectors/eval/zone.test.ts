import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feetInZone, parseZone } from '../../../detectors/eval/zone.js';

describe('--zone polygon', () => {
  it('parses normalised x,y pairs', () => {
    assert.deepEqual(parseZone('0,0, 0.5,0, 0.5,1', '--zone'), [
      [0, 0],
      [0.5, 0],
      [0.5, 1],
    ]);
  });

  it('rejects fewer than 3 points, naming the option', () => {
    assert.throws(
      () => parseZone('0,0,1,1', '--zone'),
      (e: unknown) =>
        e instanceof Error && e.message === '--zone: a zone polygon needs at least 3 points, got 2',
    );
  });

  it('rejects odd counts, non-numbers and values outside 0..1', () => {
    assert.throws(() => parseZone('0,0,1,1,0.5', '--zone'), /--zone: expected x,y pairs/);
    assert.throws(
      () => parseZone('0,0,1,x,0,1', '--zone'),
      /--zone: value 4 \("x"\) is not a number/,
    );
    assert.throws(
      () => parseZone('0,0,1,0,1,576', '--zone'),
      /--zone: coordinates are normalised to 0\.\.1, value 6 is 576/,
    );
  });

  it('judges a person by the bottom centre of their box', () => {
    const lowerHalf = parseZone('0,0.5,1,0.5,1,1,0,1', '--zone');
    // Head in the upper half, feet (y2 = 60 of 100) in the lower half.
    assert.equal(feetInZone({ x1: 10, y1: 5, x2: 20, y2: 60 }, lowerHalf, 100, 100), true);
    assert.equal(feetInZone({ x1: 10, y1: 5, x2: 20, y2: 40 }, lowerHalf, 100, 100), false);
  });
});
