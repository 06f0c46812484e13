import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planShedding } from '../../edge/shedding.js';

const cams = (...rates: number[]) => rates.map((targetFps, i) => ({ cameraId: `cam${i + 1}`, targetFps }));

test('nothing is shed while the detector keeps up', () => {
  const plan = planShedding(cams(1, 1, 2), 50); // capacity 17 fps at 85%
  assert.deepEqual(plan.shed, []);
  assert.equal(plan.fps.get('cam3'), 2);
  assert.equal(plan.overloaded, false);
});

test('the busiest cameras are slowed first, and only as far as needed', () => {
  // 100 ms per frame: 8.5 fps of capacity for 1 + 1 + 1 + 2 + 2 + 2 + 2 = 11 fps asked.
  const plan = planShedding(cams(1, 1, 1, 2, 2, 2, 2), 100);
  const total = [...plan.fps.values()].reduce((a, b) => a + b, 0);
  assert.ok(total <= plan.capacityFps + 1e-9, `admitted ${total} fps > capacity ${plan.capacityFps}`);
  assert.equal(plan.fps.get('cam1'), 1, 'the 1 fps cameras are untouched while 2 fps ones can give');
  assert.ok(plan.shed.every((s) => s.targetFps === 2));
  assert.equal(plan.overloaded, false);
});

test('no camera is dropped: under overload every camera keeps the floor rate and the plan says so', () => {
  const plan = planShedding(cams(1, 1, 1, 1), 2000, { floorFps: 0.2 }); // 0.425 fps of capacity
  assert.equal(plan.fps.size, 4);
  for (const rate of plan.fps.values()) assert.ok(rate >= 0.2);
  assert.equal(plan.overloaded, true);
  assert.equal(plan.shed.length, 4);
});
