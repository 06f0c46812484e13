import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseFleet } from '../../../config/fleet.js';
import { demoFleetYaml, DEMO_PARTNERS } from '../../../infra/demo/fleet.js';

test('the demo fleet passes fleet validation, with both partners and one salon per camera', () => {
  const fleet = parseFleet(parse(demoFleetYaml(4)), 'demo fleet');
  assert.equal(fleet.salons.length, 4);
  assert.equal(fleet.cameras.length, 4);
  assert.deepEqual(new Set(fleet.salons.map((s) => s.partnerId)), new Set(DEMO_PARTNERS.map((p) => p.id)));
  assert.ok(fleet.cameras.every((c) => c.zones.entrance !== undefined && c.zones.queue !== undefined));
});
