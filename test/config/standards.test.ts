import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSalonwatchError } from '../../common/errors.js';
import {
  DEFAULT_STANDARDS,
  parseStandardsOverride,
  resolveStandards,
} from '../../config/standards.js';

describe('standards', () => {
  it('defaults are those of the design', () => {
    const s = resolveStandards([]);
    assert.equal(s.greeting.withinS, 30);
    assert.equal(s.greeting.minDwellS, 2);
    assert.equal(s.queue.maxLength, 3);
    assert.equal(s.queue.maxDurationS, 120);
    assert.equal(s.waiting.maxS, 300);
    assert.equal(s.staffPresence.maxAbsenceS, 180);
    assert.equal(s.camera.unusableS, 600);
    assert.equal(s.visit.minS, 5);
    assert.ok(Object.isFrozen(s.queue), 'frozen');
  });

  it('network, region and salon layers override in order, field by field', () => {
    const s = resolveStandards([
      { queue: { maxLength: 5 }, roles: { uniformColours: ['#e30611'] } },
      { queue: { maxDurationS: 60 } },
      { queue: { maxLength: 4 }, roles: { uniformColours: ['#00aa00'] } },
    ]);
    assert.equal(s.queue.maxLength, 4);
    assert.equal(s.queue.maxDurationS, 60);
    assert.equal(s.queue.samplePeriodS, DEFAULT_STANDARDS.queue.samplePeriodS);
    assert.deepEqual(s.roles.uniformColours, ['#00aa00']);
    assert.equal(DEFAULT_STANDARDS.queue.maxLength, 3, 'defaults untouched');
  });

  it('unknown keys and bad values are rejected, naming the path', () => {
    const problem = (value: unknown, where: string) => {
      try {
        parseStandardsOverride(value, where);
      } catch (e) {
        assert.ok(isSalonwatchError(e) && e.code === 'CONFIG_INVALID', 'config error');
        return e.message;
      }
      return 'accepted';
    };
    assert.match(
      problem({ queue: { maxLenght: 4 } }, 'salons[2].standards'),
      /^salons\[2\]\.standards\.queue/,
    );
    assert.match(
      problem({ greeting: { withinS: -1 } }, 'standards'),
      /^standards\.greeting\.withinS/,
    );
    assert.match(
      problem({ roles: { uniformColours: ['red'] } }, 'standards'),
      /^standards\.roles\.uniformColours\[0\]/,
    );
    assert.equal(problem({ greeting: { withinS: 45 } }, 'standards'), 'accepted');
  });

  it('all-zero weights are rejected', () => {
    assert.throws(
      () =>
        resolveStandards([
          {
            weights: {
              greeting: 0,
              queue_length: 0,
              waiting_time: 0,
              staff_presence: 0,
              camera_coverage: 0,
            },
          },
        ]),
      /weights/,
    );
  });
});
