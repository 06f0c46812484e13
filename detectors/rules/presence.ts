/**
 * Staff presence: an incident when, during opening hours (in the salon's time zone), customers
 * are present and no staff member has been seen for longer than `maxAbsenceS`. Persons hidden
 * for a moment still count (the person layer keeps them until gone), so a staff member bending
 * behind the counter does not start the clock. Also a `staff_sample` per `samplePeriodS` with
 * the mean staff and customer counts.
 *
 * If the camera stops delivering frames, nothing is known: an absence is closed at the last
 * frame rather than stretched over time nobody saw.
 */
import type { Standards } from '../../config/standards.js';
import { emitIncident, evidenceMoments, incidentId, makeEvent } from './emit.js';
import { seconds } from './ids.js';
import { OpeningClock } from './hours.js';
import type { People } from './people.js';
import { WindowSampler, type WindowSample } from './timeline.js';
import type { RuleOutput, RulesContext } from './types.js';

export class PresenceRules {
  private readonly clock: OpeningClock;
  private readonly sampler: WindowSampler;
  private last: { at: number; staff: number; customers: number; open: boolean } | undefined;
  private absentSince: number | undefined;
  private incident: string | undefined;

  constructor(
    private readonly cameraId: string,
    context: RulesContext,
    private readonly standards: Standards,
    private readonly maxGapMs: number,
  ) {
    this.clock = new OpeningClock(context.salon.timeZone, context.salon.openingHours);
    this.sampler = new WindowSampler(standards.staffPresence.samplePeriodS * 1000, 3);
  }

  step(at: number, people: People, out: RuleOutput): void {
    let staff = 0;
    let customers = 0;
    for (const p of people.all()) {
      if (people.isOutside(p)) continue;
      if (p.role.role === 'staff') staff++;
      else customers++;
    }
    const open = this.clock.isOpen(at);
    const last = this.last;
    const gap = last !== undefined && at - last.at > this.maxGapMs;
    if (last !== undefined) {
      const closed: WindowSample[] = [];
      this.sampler.add(last.at, at, [last.staff, last.customers, last.open ? 1 : 0], !gap, closed);
      for (const s of closed) {
        const [meanStaff = 0, meanCustomers = 0, openShare = 0] = s.means;
        out.events.push(
          makeEvent(
            'staff_sample',
            this.cameraId,
            s.end,
            {
              staffCount: Math.round(meanStaff),
              customerCount: Math.round(meanCustomers),
              open: openShare >= 0.5,
              windowS: s.coveredMs / 1000,
            },
            `staff_sample:${s.end}`,
          ),
        );
      }
      if (gap) this.close(last.at, out);
    }
    this.last = { at, staff, customers, open };

    const absent = open && staff === 0 && customers > 0;
    if (!absent) {
      this.close(at, out);
      return;
    }
    this.absentSince ??= at;
    const limit = this.standards.staffPresence.maxAbsenceS;
    if (this.incident === undefined && at - this.absentSince > limit * 1000) {
      this.incident = incidentId(this.cameraId, 'staff_presence', this.absentSince);
      emitIncident(
        out,
        this.cameraId,
        at,
        {
          incidentId: this.incident,
          standard: 'staff_presence',
          startedAt: this.absentSince,
          endedAt: null,
          summary: `no staff on the floor for more than ${limit} s while the salon is open and customers are present`,
          measured: seconds(this.absentSince, at),
          threshold: limit,
        },
        evidenceMoments(at, this.absentSince),
      );
    }
  }

  private close(at: number, out: RuleOutput): void {
    if (this.absentSince !== undefined && this.incident !== undefined) {
      const limit = this.standards.staffPresence.maxAbsenceS;
      emitIncident(out, this.cameraId, at, {
        incidentId: this.incident,
        standard: 'staff_presence',
        startedAt: this.absentSince,
        endedAt: at,
        summary: `no staff on the floor for ${seconds(this.absentSince, at)} s while the salon was open and customers were present`,
        measured: seconds(this.absentSince, at),
        threshold: limit,
      });
    }
    this.absentSince = undefined;
    this.incident = undefined;
  }
}
