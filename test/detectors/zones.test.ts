import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  distanceToBoundary,
  EntranceCrossings,
  footPoint,
  pointInPolygon,
  segmentTouchesPolygon,
  ZoneMembership,
  type Point,
} from '../../detectors/zones.js';

const square: Point[] = [
  [0.4, 0.4],
  [0.6, 0.4],
  [0.6, 0.6],
  [0.4, 0.6],
];

describe('zones', () => {
  it('anchors a box at its bottom centre, normalised', () => {
    assert.deepEqual(footPoint({ x1: 100, y1: 50, x2: 200, y2: 300 }, 400, 600), [0.375, 0.5]);
  });

  it('point in polygon, including a concave one', () => {
    assert.equal(pointInPolygon([0.5, 0.5], square), true);
    assert.equal(pointInPolygon([0.7, 0.5], square), false);
    const l: Point[] = [
      [0, 0],
      [1, 0],
      [1, 0.3],
      [0.3, 0.3],
      [0.3, 1],
      [0, 1],
    ];
    assert.equal(pointInPolygon([0.1, 0.9], l), true);
    assert.equal(pointInPolygon([0.8, 0.8], l), false);
  });

  it('distance to the boundary and a path jumping over a thin zone', () => {
    assert.ok(Math.abs(distanceToBoundary([0.7, 0.5], square) - 0.1) < 1e-9, 'distance');
    assert.equal(segmentTouchesPolygon([0.3, 0.5], [0.7, 0.5], square), true);
    assert.equal(segmentTouchesPolygon([0.3, 0.2], [0.7, 0.2], square), false);
  });

  it('membership enters after the entry inertia, back-dated to the first inside frame', () => {
    const zone = new ZoneMembership<number>(square, { enterMs: 1000, exitMs: 2000, margin: 0.02 });
    assert.equal(zone.update(1, [0.5, 0.5], 0), undefined);
    assert.deepEqual(zone.update(1, [0.5, 0.5], 1000), { kind: 'enter', at: 0 });
    assert.equal(zone.isInside(1), true);
  });

  it('feet flickering within the margin never leave; beyond it for the exit inertia they do', () => {
    const zone = new ZoneMembership<number>(square, { enterMs: 0, exitMs: 2000, margin: 0.02 });
    zone.update(1, [0.5, 0.5], 0);
    for (let t = 1; t < 30; t++) {
      assert.equal(
        zone.update(1, [t % 2 === 0 ? 0.59 : 0.615, 0.5], t * 1000),
        undefined,
        `flicker at ${t}`,
      );
    }
    assert.equal(zone.update(1, [0.7, 0.5], 30_000), undefined);
    assert.equal(zone.update(1, [0.7, 0.5], 31_000), undefined);
    assert.deepEqual(zone.update(1, [0.7, 0.5], 32_000), { kind: 'exit', at: 30_000 });
  });

  it('forgetting a person inside reports their exit', () => {
    const zone = new ZoneMembership<number>(square, { enterMs: 0, exitMs: 0, margin: 0 });
    zone.update(1, [0.5, 0.5], 0);
    assert.deepEqual(zone.forget(1, 5000), { kind: 'exit', at: 5000 });
    assert.equal(zone.forget(2, 5000), undefined);
  });

  describe('entrance crossings', () => {
    const door = {
      polygon: [
        [0.1, 0.4],
        [0.2, 0.4],
        [0.2, 1],
        [0.1, 1],
      ] as Point[],
      inward: [1, 0] as const,
    };

    it('street -> doorway -> salon is in; back is out', () => {
      const e = new EntranceCrossings<number>(door, 0.02);
      assert.equal(e.update(1, [0.03, 0.7]), undefined);
      assert.equal(e.update(1, [0.15, 0.7]), undefined);
      assert.equal(e.update(1, [0.3, 0.7]), 'in');
      assert.equal(e.update(1, [0.15, 0.7]), undefined);
      assert.equal(e.update(1, [0.03, 0.7]), 'out');
    });

    it('a jump over the doorway between two frames still counts', () => {
      const e = new EntranceCrossings<number>(door, 0.02);
      e.update(1, [0.03, 0.7]);
      assert.equal(e.update(1, [0.3, 0.7]), 'in');
    });

    it('first seen in the doorway and walking in is in', () => {
      const e = new EntranceCrossings<number>(door, 0.02);
      e.update(1, [0.15, 0.7]);
      assert.equal(e.update(1, [0.3, 0.7]), 'in');
    });

    it('walking around beside the door (not through it) is no crossing', () => {
      const e = new EntranceCrossings<number>(door, 0.02);
      e.update(1, [0.03, 0.2]);
      assert.equal(e.update(1, [0.3, 0.2]), undefined);
    });

    it('someone inside who steps into the doorway and back is no crossing', () => {
      const e = new EntranceCrossings<number>(door, 0.02);
      e.update(1, [0.4, 0.7]);
      e.update(1, [0.15, 0.7]);
      assert.equal(e.update(1, [0.4, 0.7]), undefined);
    });
  });
});
