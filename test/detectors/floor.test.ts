import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSalonwatchError } from '../../common/errors.js';
import { applyHomography, floorMetric, homographyFrom } from '../../detectors/floor.js';

describe('floor', () => {
  // A trapezoid in the picture (perspective) that is a 6 m x 8 m rectangle on the floor.
  const calibration = {
    image: [
      [0.1, 0.95],
      [0.9, 0.95],
      [0.75, 0.45],
      [0.25, 0.45],
    ] as [number, number][],
    world: [
      [0, 0],
      [6, 0],
      [6, 8],
      [0, 8],
    ] as [number, number][],
  };

  it('maps the four calibration points onto their floor positions', () => {
    const h = homographyFrom(calibration);
    for (let i = 0; i < 4; i++) {
      const [u, v] = applyHomography(h, calibration.image[i] ?? [0, 0]);
      const [eu, ev] = calibration.world[i] ?? [0, 0];
      assert.ok(Math.abs(u - eu) < 1e-9 && Math.abs(v - ev) < 1e-9, `point ${i}: ${u},${v}`);
    }
  });

  it('the same image distance is more metres far from the camera than near it', () => {
    const m = floorMetric(calibration, 800, 600);
    const place = (x: number, y: number) => ({ feet: [x, y] as const, boxHeightPx: 100 });
    const near = m.distance(place(0.45, 0.9), place(0.55, 0.9));
    const far = m.distance(place(0.45, 0.5), place(0.55, 0.5));
    assert.equal(m.unit, 'm');
    assert.ok(far > near * 1.3, `near ${near} m, far ${far} m`);
    assert.equal(m.threshold(1.5, 1), 1.5);
  });

  it('degenerate calibration is a config error', () => {
    assert.throws(
      () =>
        homographyFrom({
          image: [
            [0, 0],
            [0.5, 0.5],
            [1, 1],
            [0.2, 0.2],
          ],
          world: calibration.world,
        }),
      (e: unknown) => isSalonwatchError(e) && e.code === 'CONFIG_INVALID',
    );
  });

  it('without calibration, distance is in box heights', () => {
    const m = floorMetric(undefined, 800, 600);
    const a = m.place({ x1: 100, y1: 100, x2: 160, y2: 300 }, 800, 600);
    const b = m.place({ x1: 300, y1: 100, x2: 360, y2: 300 }, 800, 600);
    assert.equal(m.unit, 'boxHeights');
    assert.ok(Math.abs(m.distance(a, b) - 1) < 1e-9, 'a box height apart');
    assert.equal(m.threshold(1.5, 1), 1);
  });
});
