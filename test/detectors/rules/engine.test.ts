import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVIDENCE_LOOKBACK_MS } from '../../../detectors/rules/emit.js';
import type { OpeningHours } from '../../../detectors/rules/hours.js';
import { run, secondsIn, type Actor, type Result, type Scenario } from './script.js';

// ---- actors -------------------------------------------------------------------------------
/** Staff member standing behind the counter for the whole script. */
const counterStaff = (until = 400, track = 100): Actor => ({
  track,
  wear: 'uniform',
  path: [
    [0, 0.92, 0.7],
    [until, 0.92, 0.7],
  ],
});

/**
 * A customer who walks in from the street at `t0` (crossing the door at t0 + 2), stands at
 * `spot` and walks out at `leaveAt` (crossing out at leaveAt + 2).
 */
const visitor = (
  track: number,
  t0: number,
  leaveAt: number,
  spot: readonly [number, number] = [0.3, 0.7],
  wear: Actor['wear'] = 'blue',
): Actor => ({
  track,
  wear,
  path: [
    [t0, 0.03, spot[1]],
    [t0 + 2, spot[0], spot[1]],
    [leaveAt, spot[0], spot[1]],
    [leaveAt + 2, 0.03, spot[1]],
    [leaveAt + 3, 0.02, spot[1]],
  ],
});

/** A customer who enters, waits at `spot` in the queue from t0 + 3 and reaches the counter at `servedAt`. */
const queuer = (
  track: number,
  t0: number,
  servedAt: number,
  spot: readonly [number, number] = [0.5, 0.7],
): Actor => ({
  track,
  wear: 'blue',
  path: [
    [t0, 0.03, spot[1]],
    [t0 + 2, 0.3, spot[1]],
    [t0 + 3, spot[0], spot[1]],
    [servedAt - 2, spot[0], spot[1]],
    [servedAt, 0.72, 0.7],
    [servedAt + 20, 0.72, 0.7],
  ],
});

/** Staff who leave the counter at `from`, stand at `spot` until `until`, and go back. */
const approachingStaff = (
  from: number,
  until: number,
  spot: readonly [number, number],
  track = 100,
  end = 400,
): Actor => ({
  track,
  wear: 'uniform',
  path: [
    [0, 0.92, 0.7],
    [from, 0.92, 0.7],
    [from + 3, spot[0], spot[1]],
    [until, spot[0], spot[1]],
    [until + 3, 0.92, 0.7],
    [end, 0.92, 0.7],
  ],
});

/** Four customers standing in the queue zone from t = 20; the fourth leaves after `fourthLeavesAt`. */
function fourInQueue(fourthLastInside: number): Actor[] {
  const stay = (track: number, x: number, y: number): Actor => ({
    track,
    wear: 'grey',
    path: [
      [20, x, y],
      [250, x, y],
    ],
  });
  return [
    stay(1, 0.45, 0.6),
    stay(2, 0.55, 0.6),
    stay(3, 0.45, 0.8),
    {
      track: 4,
      wear: 'green',
      path: [
        [20, 0.55, 0.8],
        [fourthLastInside, 0.55, 0.8],
        [fourthLastInside + 1, 0.3, 0.8],
        [250, 0.3, 0.8],
      ],
    },
  ];
}

/** A customer standing in the salon (not entering through the door) from t0 to t1. */
const stander = (
  track: number,
  t0: number,
  t1: number,
  spot: readonly [number, number] = [0.3, 0.7],
): Actor => ({
  track,
  wear: 'blue',
  path: [
    [t0, spot[0], spot[1]],
    [t1, spot[0], spot[1]],
  ],
});

const NINE_TO_SIX: OpeningHours = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [
    d,
    { open: 9 * 60, close: 18 * 60 },
  ]),
);

// ---- expectations -------------------------------------------------------------------------
function near(
  actual: number | null | undefined,
  expected: number,
  tolerance: number,
  what: string,
): void {
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) <= tolerance,
    `${what}: expected ${expected} ± ${tolerance}, got ${String(actual)}`,
  );
}

function oneVisit(r: Result) {
  const visits = r.of('visit');
  assert.equal(
    visits.length,
    1,
    `expected one visit, got ${visits.length}: ${JSON.stringify(visits.map((v) => v.payload))}`,
  );
  const [visit] = visits;
  assert.ok(visit, 'visit');
  return visit.payload;
}

function oneWait(r: Result) {
  const waits = r.of('wait');
  assert.equal(
    waits.length,
    1,
    `expected one wait, got ${waits.length}: ${JSON.stringify(waits.map((w) => w.payload))}`,
  );
  const [wait] = waits;
  assert.ok(wait, 'wait');
  return wait.payload;
}

/** Distinct incidents of a standard (an incident is sent when it opens and again when it closes). */
function distinct(r: Result, standard: string): string[] {
  return [...new Set(r.incidents(standard).map((e) => e.payload.incidentId))];
}

const scenarios: Scenario[] = [
  {
    name: 'greeted in time: staff stops beside the customer 10 s after entry',
    actors: [visitor(1, 10, 80), approachingStaff(18, 30, [0.38, 0.7])],
    check(r) {
      const v = oneVisit(r);
      assert.equal(v.greeted, true);
      near(v.greetingLatencyS, 10, 2, 'greeting latency');
      assert.equal(v.staffPresent, true);
      assert.deepEqual(distinct(r, 'greeting'), []);
    },
  },
  {
    name: 'greeted late: staff comes after 37 s, an incident and a late latency',
    actors: [visitor(1, 10, 80), approachingStaff(45, 60, [0.38, 0.7])],
    check(r) {
      const v = oneVisit(r);
      assert.equal(v.greeted, true);
      near(v.greetingLatencyS, 37, 2, 'greeting latency');
      assert.equal(distinct(r, 'greeting').length, 1);
      const [incident] = r.incidents('greeting');
      near(
        incident ? secondsIn(r, incident.payload.startedAt) : undefined,
        12,
        0,
        'incident start (entry)',
      );
      assert.equal(incident?.payload.threshold, 30);
    },
  },
  {
    name: 'never greeted with staff present: staff stays behind the counter',
    actors: [visitor(1, 10, 80), counterStaff()],
    check(r) {
      const v = oneVisit(r);
      assert.equal(v.greeted, false);
      assert.equal(v.greetingLatencyS, null);
      assert.equal(v.staffPresent, true);
      assert.equal(distinct(r, 'greeting').length, 1);
      assert.ok(
        r.evidence.some((e) => e.incidentId === r.incidents('greeting')[0]?.payload.incidentId),
        'evidence requested',
      );
    },
  },
  {
    name: 'never greeted with no staff: no greeting incident (staff presence is a different standard)',
    actors: [visitor(1, 10, 80)],
    check(r) {
      const v = oneVisit(r);
      assert.equal(v.greeted, false);
      assert.equal(v.staffPresent, false);
      assert.deepEqual(distinct(r, 'greeting'), []);
    },
  },
  {
    name: 'staff walks past without stopping: near for seconds, never stops, not a greeting',
    actors: [
      visitor(1, 10, 80, [0.35, 0.8]),
      {
        track: 100,
        wear: 'uniform',
        path: [
          [0, 0.92, 0.55],
          [20, 0.92, 0.55],
          [26, 0.25, 0.55],
          [32, 0.92, 0.55],
          [200, 0.92, 0.55],
        ],
      },
    ],
    check(r) {
      const v = oneVisit(r);
      assert.equal(v.greeted, false);
      assert.equal(distinct(r, 'greeting').length, 1);
    },
  },
  {
    name: 'staff stops beside the customer but faces away: not a greeting',
    actors: [
      visitor(1, 10, 80),
      { ...approachingStaff(18, 40, [0.38, 0.7]), facing: () => [1, 0] },
    ],
    check(r) {
      assert.equal(oneVisit(r).greeted, false);
      assert.equal(distinct(r, 'greeting').length, 1);
    },
  },
  {
    name: 'staff stops beside the customer facing them: a greeting',
    actors: [
      visitor(1, 10, 80),
      { ...approachingStaff(18, 40, [0.38, 0.7]), facing: () => [-1, 0] },
    ],
    check(r) {
      assert.equal(oneVisit(r).greeted, true);
      assert.deepEqual(distinct(r, 'greeting'), []);
    },
  },
  {
    name: 'a 3 s in-and-out is not a visit',
    actors: [
      {
        track: 1,
        wear: 'blue',
        path: [
          [10, 0.03, 0.7],
          [11, 0.3, 0.7],
          [13, 0.03, 0.7],
          [14, 0.02, 0.7],
        ],
      },
      counterStaff(),
    ],
    check(r) {
      assert.equal(r.of('visit').length, 0);
      assert.deepEqual(distinct(r, 'greeting'), []);
    },
  },
  {
    name: 'a visit ending by walking out the door lasts from crossing in to crossing out',
    actors: [visitor(1, 10, 60)],
    check(r) {
      const v = oneVisit(r);
      near(secondsIn(r, v.startedAt), 12, 0, 'start');
      near(secondsIn(r, v.endedAt), 62, 0, 'end');
      near(v.durationS, 50, 0, 'duration');
    },
  },
  {
    name: 'two customers entering together are one group visit',
    actors: [
      visitor(1, 10, 70, [0.3, 0.7]),
      visitor(2, 11, 71, [0.34, 0.74], 'green'),
      counterStaff(),
    ],
    check(r) {
      const v = oneVisit(r);
      assert.equal(v.groupSize, 2);
      assert.equal(distinct(r, 'greeting').length, 1, 'one group, one missed greeting');
    },
  },
  {
    name: 'two customers entering 30 s apart are two visits',
    actors: [visitor(1, 10, 70), visitor(2, 40, 100, [0.3, 0.5], 'green')],
    check(r) {
      const visits = r.of('visit');
      assert.equal(visits.length, 2);
      assert.ok(
        visits.every((v) => v.payload.groupSize === 1),
        'visits of one',
      );
    },
  },
  {
    name: 'two strangers entering at once who part straight away are two visits',
    actors: [
      visitor(1, 10, 70, [0.3, 0.7]),
      {
        track: 2,
        wear: 'green',
        path: [
          [10, 0.03, 0.75],
          [12, 0.3, 0.75],
          [14, 0.82, 0.42],
          [70, 0.82, 0.42],
          [75, 0.03, 0.75],
          [76, 0.02, 0.75],
        ],
      },
    ],
    check(r) {
      const visits = r.of('visit');
      assert.equal(visits.length, 2, JSON.stringify(visits.map((v) => v.payload)));
      assert.ok(
        visits.every((v) => v.payload.groupSize === 1),
        'visits of one',
      );
    },
  },
  {
    name: 'staff entering through the door in uniform is not a visit',
    actors: [
      {
        track: 100,
        wear: 'uniform',
        path: [
          [10, 0.03, 0.7],
          [12, 0.3, 0.7],
          [16, 0.92, 0.7],
          [120, 0.92, 0.7],
        ],
      },
    ],
    check(r) {
      assert.equal(r.of('visit').length, 0);
      assert.equal(r.incidents().length, 0);
    },
  },
  {
    name: 'staff arriving in a coat becomes staff behind the counter: role changes with evidence',
    actors: [
      {
        track: 100,
        wear: 'black',
        path: [
          [10, 0.03, 0.7],
          [12, 0.3, 0.7],
          [16, 0.92, 0.7],
          [120, 0.92, 0.7],
        ],
      },
    ],
    check(r) {
      assert.equal(r.of('visit').length, 0);
    },
  },
  {
    name: 'a customer standing in the doorway is one visit, not one per flicker',
    actors: [
      {
        track: 1,
        wear: 'blue',
        jitter: 0.03,
        path: [
          [10, 0.03, 0.7],
          [12, 0.2, 0.7],
          [70, 0.2, 0.7],
          [72, 0.0, 0.7],
        ],
      },
    ],
    check(r) {
      assert.equal(oneVisit(r).groupSize, 1);
    },
  },
  {
    name: 'a customer first seen in the doorway (camera inside the salon) is a visit',
    actors: [
      {
        track: 1,
        wear: 'blue',
        path: [
          [10, 0.15, 0.7],
          [12, 0.3, 0.7],
          [60, 0.3, 0.7],
        ],
      },
    ],
    check(r) {
      near(secondsIn(r, oneVisit(r).startedAt), 10, 0, 'start at first sight');
    },
  },
  {
    name: 'a customer who leaves and comes back later makes two visits',
    actors: [
      {
        track: 1,
        wear: 'blue',
        path: [
          [10, 0.03, 0.7],
          [12, 0.3, 0.7],
          [40, 0.3, 0.7],
          [42, 0.03, 0.7],
          [60, 0.03, 0.7],
          [62, 0.3, 0.7],
          [90, 0.3, 0.7],
          [92, 0.03, 0.7],
        ],
      },
    ],
    check(r) {
      assert.equal(r.of('visit').length, 2);
    },
  },
  {
    name: 'a customer lost inside the salon ends the visit where last seen',
    actors: [
      {
        track: 1,
        wear: 'blue',
        path: [
          [10, 0.03, 0.7],
          [12, 0.3, 0.7],
          [40, 0.3, 0.7],
        ],
      },
    ],
    check(r) {
      near(oneVisit(r).durationS, 28, 0, 'duration');
    },
  },
  {
    name: 'a camera without an entrance zone counts a visit from first appearance',
    zones: {},
    actors: [stander(1, 10, 60)],
    check(r) {
      near(oneVisit(r).durationS, 50, 0, 'duration');
    },
  },
  {
    name: 'served: queue then counter, one wait ending at the counter',
    actors: [queuer(1, 10, 60), counterStaff()],
    check(r) {
      const w = oneWait(r);
      assert.equal(w.outcome, 'served');
      near(secondsIn(r, w.joinedAt), 13, 0, 'joined');
      near(w.waitS, 47, 1, 'wait');
    },
  },
  {
    name: '2 s occlusion in the queue: the same wait goes on',
    actors: [{ ...queuer(1, 10, 102), hidden: [[50, 52]] }, counterStaff()],
    check(r) {
      const w = oneWait(r);
      assert.equal(w.outcome, 'served');
      near(w.waitS, 89, 1, 'wait');
    },
  },
  {
    name: 'id switch in the queue: the new track continues the wait',
    actors: [{ ...queuer(1, 10, 102), switches: [{ t: 50, track: 7 }] }, counterStaff()],
    check(r) {
      near(oneWait(r).waitS, 89, 1, 'wait');
    },
  },
  {
    name: 'id switch after a 3 s occlusion in the queue: still one wait',
    actors: [
      { ...queuer(1, 10, 102), hidden: [[50, 53]], switches: [{ t: 53, track: 7 }] },
      counterStaff(),
    ],
    check(r) {
      near(oneWait(r).waitS, 89, 1, 'wait');
    },
  },
  {
    name: 'boundary flicker at the queue zone: one wait, no spurious exits',
    actors: [
      {
        track: 1,
        wear: 'blue',
        jitter: 0.015,
        path: [
          [10, 0.03, 0.7],
          [12, 0.3, 0.7],
          [13, 0.45, 0.7],
          [16, 0.4, 0.7],
          [100, 0.4, 0.7],
          [102, 0.72, 0.7],
          [130, 0.72, 0.7],
        ],
      },
      counterStaff(),
    ],
    check(r) {
      const w = oneWait(r);
      assert.equal(w.outcome, 'served');
      near(w.waitS, 89, 1, 'wait');
    },
  },
  {
    name: 'abandoned: a customer leaves the queue and walks out',
    actors: [
      {
        track: 1,
        wear: 'blue',
        path: [
          [10, 0.03, 0.7],
          [12, 0.3, 0.7],
          [13, 0.5, 0.7],
          [60, 0.5, 0.7],
          [63, 0.03, 0.7],
        ],
      },
      counterStaff(),
    ],
    check(r) {
      const w = oneWait(r);
      assert.equal(w.outcome, 'abandoned');
      near(w.waitS, 48, 1, 'wait');
    },
  },
  {
    name: 'waiting longer than 5 min: a waiting-time incident, opened then closed when served',
    duration: 400,
    actors: [queuer(1, 10, 340), counterStaff(500)],
    check(r) {
      const w = oneWait(r);
      near(w.waitS, 327, 1, 'wait');
      const incidents = r.incidents('waiting_time');
      assert.equal(incidents.length, 2);
      const [opened, closed] = incidents;
      assert.ok(opened !== undefined && closed !== undefined, 'opened and closed');
      assert.equal(opened.payload.endedAt, null);
      assert.equal(closed.payload.endedAt, w.endedAt);
      assert.equal(opened.payload.incidentId, closed.payload.incidentId);
      near(closed.payload.measured, 327, 1, 'measured');
    },
  },
  {
    name: 'staff standing in the queue zone is not queued',
    actors: [
      {
        track: 100,
        wear: 'uniform',
        path: [
          [0, 0.5, 0.7],
          [100, 0.5, 0.7],
        ],
      },
    ],
    check(r) {
      assert.equal(r.of('wait').length, 0);
      const samples = r.of('queue_sample');
      assert.ok(samples.length > 3, `${samples.length} samples`);
      assert.deepEqual(
        samples
          .slice(1)
          .map((s) => s.payload.length)
          .filter((n) => n !== 0),
        [],
        'queue lengths',
      );
    },
  },
  {
    name: 'queue over the threshold for 1:59 is no incident',
    actors: [...fourInQueue(138), counterStaff()],
    check(r) {
      assert.equal(r.incidents('queue_length').length, 0);
      assert.ok(
        r.of('queue_sample').some((s) => s.payload.length === 4),
        'a sample of 4',
      );
    },
  },
  {
    name: 'queue over the threshold for 2:01 is an incident of 121 s',
    actors: [...fourInQueue(140), counterStaff()],
    check(r) {
      const incidents = r.incidents('queue_length');
      assert.equal(incidents.length, 2, 'opened and closed');
      const [opened, closed] = incidents;
      assert.ok(opened !== undefined && closed?.payload.endedAt != null, 'opened and closed');
      near(secondsIn(r, opened.payload.startedAt), 20, 0, 'start');
      near(secondsIn(r, closed.payload.endedAt), 141, 0, 'end');
      assert.equal(closed.payload.measured, 4);
      assert.equal(closed.payload.threshold, 3);
    },
  },
  {
    name: 'no staff for 4 min while open and customers present: a staff-presence incident',
    duration: 300,
    actors: [stander(1, 10, 260)],
    check(r) {
      const incidents = r.incidents('staff_presence');
      assert.equal(incidents.length, 2);
      near(incidents[1]?.payload.measured, 250, 6, 'absence');
      assert.ok(
        r.of('staff_sample').every((s) => s.payload.staffCount === 0 && s.payload.open),
        'samples: open, no staff',
      );
    },
  },
  {
    name: 'staff behind the counter all along: no staff-presence incident',
    duration: 300,
    actors: [stander(1, 10, 260), counterStaff()],
    check(r) {
      assert.equal(r.incidents('staff_presence').length, 0);
      assert.ok(
        r
          .of('staff_sample')
          .some((s) => s.payload.staffCount === 1 && s.payload.customerCount === 1),
        'a sample of 1 staff, 1 customer',
      );
    },
  },
  {
    name: 'people on the street seen through the glass door are not customers present',
    duration: 300,
    actors: [
      {
        track: 1,
        wear: 'blue',
        path: [
          [10, 0.03, 0.7],
          [260, 0.05, 0.7],
        ],
      },
    ],
    check(r) {
      assert.equal(r.incidents('staff_presence').length, 0);
      assert.equal(r.of('visit').length, 0);
    },
  },
  {
    name: 'closed hours: no staff at 03:00 local is no incident',
    start: '2026-11-25T00:00:00.000Z',
    openingHours: NINE_TO_SIX,
    duration: 300,
    actors: [stander(1, 10, 260)],
    check(r) {
      assert.equal(r.incidents('staff_presence').length, 0);
      assert.ok(
        r.of('staff_sample').every((s) => !s.payload.open),
        'samples: closed',
      );
    },
  },
  {
    name: 'daylight saving (spring): 07:30 UTC is 09:30 in Berlin after the change, open: incident',
    start: '2026-03-30T07:30:00.000Z',
    timeZone: 'Europe/Berlin',
    openingHours: NINE_TO_SIX,
    duration: 300,
    actors: [stander(1, 10, 260)],
    check(r) {
      assert.equal(distinct(r, 'staff_presence').length, 1);
    },
  },
  {
    name: 'daylight saving (spring): 07:30 UTC is 08:30 in Berlin the day before the change, closed',
    start: '2026-03-28T07:30:00.000Z',
    timeZone: 'Europe/Berlin',
    openingHours: NINE_TO_SIX,
    duration: 300,
    actors: [stander(1, 10, 260)],
    check(r) {
      assert.equal(r.incidents('staff_presence').length, 0);
    },
  },
  {
    name: 'daylight saving (autumn): 07:30 UTC is 08:30 in Berlin after the change, closed',
    start: '2026-10-26T07:30:00.000Z',
    timeZone: 'Europe/Berlin',
    openingHours: NINE_TO_SIX,
    duration: 300,
    actors: [stander(1, 10, 260)],
    check(r) {
      assert.equal(r.incidents('staff_presence').length, 0);
    },
  },
  {
    name: 'daylight saving (autumn): 07:30 UTC is 09:30 in Berlin the day before the change, open',
    start: '2026-10-24T07:30:00.000Z',
    timeZone: 'Europe/Berlin',
    openingHours: NINE_TO_SIX,
    duration: 300,
    actors: [stander(1, 10, 260)],
    check(r) {
      assert.equal(distinct(r, 'staff_presence').length, 1);
    },
  },
  {
    name: 'camera offline for 11 min: a coverage incident, closed when it is back',
    duration: 720,
    noFrames: [[10, 700]],
    health: [
      { t: 10, state: 'offline', since: 10, reason: 'connection refused' },
      { t: 700, state: 'online', since: 700, reason: 'reconnected' },
    ],
    actors: [],
    check(r) {
      const incidents = r.incidents('camera_coverage');
      assert.equal(incidents.length, 2);
      near(incidents[0] ? secondsIn(r, incidents[0].occurredAt) : undefined, 611, 1, 'opened');
      near(incidents[1]?.payload.measured, 690, 0, 'outage');
      assert.equal(r.of('camera_health').length, 2);
    },
  },
  {
    name: 'camera offline for 9 min: no coverage incident',
    duration: 600,
    noFrames: [[10, 550]],
    health: [
      { t: 10, state: 'offline', since: 10, reason: 'connection refused' },
      { t: 550, state: 'online', since: 550, reason: 'reconnected' },
    ],
    actors: [],
    check(r) {
      assert.equal(r.incidents('camera_coverage').length, 0);
    },
  },
];

describe('rules: scripted track scenarios', () => {
  it('has at least 25 named scenarios', () => {
    assert.ok(scenarios.length >= 25, `${scenarios.length} scenarios`);
    assert.equal(new Set(scenarios.map((s) => s.name)).size, scenarios.length);
  });
  for (const scenario of scenarios) {
    it(scenario.name, () => {
      scenario.check(run(scenario));
    });
  }
});

describe('rules: properties over all scenarios', () => {
  it('a replay gives the same events with the same ids', () => {
    for (const scenario of scenarios.slice(0, 6)) {
      // Compared as JSON: assert's structural diff of two long event lists is slow to print.
      assert.equal(
        JSON.stringify(run(scenario).events),
        JSON.stringify(run(scenario).events),
        scenario.name,
      );
    }
  });

  it('every opening incident asks for evidence, at moments not after it was raised', () => {
    for (const scenario of scenarios) {
      const r = run(scenario);
      for (const incident of r.incidents()) {
        if (incident.payload.endedAt !== null && incident.payload.standard !== 'greeting') continue;
        const request = r.evidence.find((e) => e.incidentId === incident.payload.incidentId);
        assert.ok(
          request,
          `${scenario.name}: no evidence request for ${incident.payload.standard}`,
        );
        assert.ok(
          request.moments.every((m) => m <= Date.parse(incident.occurredAt)),
          `${scenario.name}: evidence after the incident`,
        );
      }
    }
  });

  it('evidence moments are within the frame buffer the evidence stage keeps (camera outages point at their start)', () => {
    for (const scenario of scenarios) {
      const r = run(scenario);
      for (const request of r.evidence) {
        const standard = r.incidents().find((e) => e.payload.incidentId === request.incidentId)
          ?.payload.standard;
        if (standard === 'camera_coverage') continue;
        const raised = r.raisedAt.get(request) ?? NaN;
        assert.ok(
          request.moments.every((m) => m >= raised - EVIDENCE_LOOKBACK_MS && m <= raised),
          `${scenario.name}: ${standard ?? '?'} moments ${request.moments.join(',')} raised at ${raised}`,
        );
      }
    }
  });

  it('every event id is unique within a run', () => {
    for (const scenario of scenarios) {
      const ids = run(scenario).events.map((e) => e.eventId);
      assert.equal(new Set(ids).size, ids.length, scenario.name);
    }
  });
});
