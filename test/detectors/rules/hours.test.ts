import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOpenAt, localTime, OpeningClock } from '../../../detectors/rules/hours.js';

const nineToSix = { mon: { open: 540, close: 1080 }, sat: { open: 600, close: 960 } };

describe('opening hours in the salon time zone', () => {
  it('reads the local weekday and time through the IANA zone', () => {
    // 2026-11-25 is a Wednesday; Moscow is UTC+3 all year.
    assert.deepEqual(localTime(Date.parse('2026-11-25T22:30:00Z'), 'Europe/Moscow'), {
      weekday: 'thu',
      minutes: 90,
    });
  });

  it('follows daylight saving: 08:30 UTC on a Monday is 09:30 in Berlin in March after the change, 10:30 in summer', () => {
    assert.equal(
      localTime(Date.parse('2026-03-30T08:30:00Z'), 'Europe/Berlin').minutes,
      10 * 60 + 30,
    );
    assert.equal(
      localTime(Date.parse('2026-03-23T08:30:00Z'), 'Europe/Berlin').minutes,
      9 * 60 + 30,
    );
  });

  it('open, closed, and a weekday without hours is closed', () => {
    assert.equal(isOpenAt(Date.parse('2026-11-23T06:00:00Z'), 'Europe/Moscow', nineToSix), true); // Mon 09:00
    assert.equal(isOpenAt(Date.parse('2026-11-23T05:59:00Z'), 'Europe/Moscow', nineToSix), false); // Mon 08:59
    assert.equal(isOpenAt(Date.parse('2026-11-23T15:00:00Z'), 'Europe/Moscow', nineToSix), false); // Mon 18:00
    assert.equal(isOpenAt(Date.parse('2026-11-24T10:00:00Z'), 'Europe/Moscow', nineToSix), false); // Tue
  });

  it('the cached clock agrees with the direct answer across a day', () => {
    const clock = new OpeningClock('Europe/Berlin', nineToSix);
    for (
      let t = Date.parse('2026-03-29T00:00:00Z');
      t < Date.parse('2026-03-31T00:00:00Z');
      t += 7 * 60_000
    ) {
      assert.equal(
        clock.isOpen(t),
        isOpenAt(t, 'Europe/Berlin', nineToSix),
        new Date(t).toISOString(),
      );
    }
  });
});
