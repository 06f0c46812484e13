import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogramOf } from '../../detectors/appearance.js';
import { RoleModel } from '../../detectors/roles.js';
import { DEFAULT_STANDARDS } from '../../config/standards.js';

const options = { ...DEFAULT_STANDARDS.roles, uniformColours: ['#e30611'] };
const uniform = histogramOf([{ rgb: [220, 10, 20], share: 1 }]);
const street = histogramOf([{ rgb: [30, 60, 160], share: 1 }]);

describe('roles', () => {
  it('a stranger is a customer until shown otherwise', () => {
    const m = new RoleModel<number>(options);
    assert.equal(m.observe(1, { inStaffOnlyZone: false, appearance: street }, 0).role, 'customer');
  });

  it('a uniform accumulates into staff, with growing confidence', () => {
    const m = new RoleModel<number>(options);
    const verdicts = Array.from({ length: 12 }, (_, t) =>
      m.observe(1, { inStaffOnlyZone: false, appearance: uniform }, t * 1000),
    );
    const [first] = verdicts;
    const last = verdicts.at(-1);
    assert.ok(first !== undefined && last !== undefined, 'verdicts');
    assert.equal(first.role, 'customer');
    assert.equal(last.role, 'staff');
    assert.ok(last.confidence > 0.9, `confidence ${last.confidence}`);
  });

  it('time behind the counter makes staff of street clothes, and the role can turn back', () => {
    const m = new RoleModel<number>(options);
    let v = m.observe(1, { inStaffOnlyZone: false, appearance: street }, 0);
    for (let t = 1; t <= 5; t++)
      v = m.observe(1, { inStaffOnlyZone: true, appearance: street }, t * 1000);
    assert.equal(v.role, 'staff');
    // Clamped belief: long enough in street clothes on the floor turns it back.
    for (let t = 6; t <= 60; t++)
      v = m.observe(1, { inStaffOnlyZone: false, appearance: street }, t * 1000);
    assert.equal(v.role, 'customer');
  });

  it('a gap in observations counts as at most two seconds of evidence', () => {
    const m = new RoleModel<number>(options);
    m.observe(1, { inStaffOnlyZone: false, appearance: street }, 0);
    const v = m.observe(1, { inStaffOnlyZone: true, appearance: undefined }, 600_000);
    assert.equal(v.role, 'staff');
    assert.ok(v.confidence < 0.99, `one step after ten minutes is not certainty: ${v.confidence}`);
  });
});
