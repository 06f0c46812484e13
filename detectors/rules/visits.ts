/**
 * Visits and greetings.
 *
 * A visit starts when a customer crosses the entrance inward, or first appears in its doorway
 * (a camera inside the salon sees people arrive there), or, on a camera without an entrance
 * zone, first appears at all; it ends when every member has crossed out or is
 * gone. Persons entering within `groupWindowS` of a visit's start and close to one of its
 * members join it (a couple, a parent with a child); a member who has drifted away once the
 * window is over is split into a visit of their own. Members who turn out to be staff are
 * removed; a visit left with nobody, or shorter than `minS`, is not a visit.
 *
 * A greeting is a staff member who stops (slower than `stopSpeed*`) within the greeting
 * distance of a member for at least `minDwellS`, facing them when a facing hint exists; a staff
 * member striding past is near for a couple of seconds too, but does not stop. It counts from the start of that
 * approach. When `withinS` (T) has passed without one, a greeting incident is raised, but only
 * if staff was visible at some point in the window: with nobody on the floor the incident is
 * the staff-presence one, not a greeting one.
 */
import type { Standards } from '../../config/standards.js';
import type { FloorMetric } from '../floor.js';
import { emitIncident, evidenceMoments, incidentId, makeEvent } from './emit.js';
import { deterministicUuid, iso, seconds } from './ids.js';
import type { People, PeopleUpdate, Person } from './people.js';
import type { RuleOutput } from './types.js';

interface Member {
  readonly person: Person;
  readonly joinedAt: number;
  endedAt: number | undefined;
  groupChecked: boolean;
}

interface Visit {
  readonly id: string;
  readonly startedAt: number;
  members: Member[];
  /** Start of the approach that became the greeting. */
  greetedAt: number | undefined;
  approachSince: number | undefined;
  lastClose: number;
  staffSeen: boolean;
  judged: boolean;
}

export class VisitRules {
  private visits: Visit[] = [];
  private readonly visitOf = new Map<number, Visit>();

  constructor(
    private readonly cameraId: string,
    private readonly metric: FloorMetric,
    private readonly standards: Standards,
  ) {}

  /** Open visits (for tests and diagnostics). */
  get openCount(): number {
    return this.visits.length;
  }

  step(at: number, update: PeopleUpdate, people: People, out: RuleOutput): void {
    for (const person of update.born) {
      if (!people.hasEntrance || person.bornInDoorway) this.arrive(person, at);
    }
    for (const crossing of update.crossings) {
      if (crossing.direction === 'in') this.arrive(crossing.person, crossing.at);
      else this.leave(crossing.person, crossing.at);
    }
    for (const person of update.gone) this.leave(person, person.lastSeen);

    const staff: Person[] = [];
    for (const person of people.all())
      if (person.visible && person.role.role === 'staff') staff.push(person);
    const g = this.standards.greeting;
    const withinMs = g.withinS * 1000;

    for (const visit of [...this.visits]) {
      if (!visit.judged && at <= visit.startedAt + withinMs && staff.length > 0)
        visit.staffSeen = true;
      this.checkGroup(visit, at);
      if (visit.greetedAt === undefined) this.checkGreeting(visit, staff, at);
      if (!visit.judged && at >= visit.startedAt + withinMs) this.judge(visit, at, out);
      if (visit.members.every((m) => m.endedAt !== undefined)) this.finish(visit, out);
    }
  }

  private arrive(person: Person, at: number): void {
    if (person.role.role === 'staff') return;
    const current = this.visitOf.get(person.id);
    if (
      current !== undefined &&
      current.members.some((m) => m.person === person && m.endedAt === undefined)
    )
      return;
    const member: Member = { person, joinedAt: at, endedAt: undefined, groupChecked: false };
    const v = this.standards.visit;
    const groupDistance = this.metric.threshold(v.groupDistanceM, v.groupDistanceBoxHeights);
    const group = this.visits.find(
      (visit) =>
        !visit.judged &&
        at - visit.startedAt <= v.groupWindowS * 1000 &&
        visit.members.some(
          (m) =>
            m.endedAt === undefined &&
            m.person.visible &&
            this.metric.distance(m.person.place, person.place) <= groupDistance,
        ),
    );
    if (group !== undefined) {
      group.members.push(member);
      this.visitOf.set(person.id, group);
      return;
    }
    this.open(member, at);
  }

  private open(member: Member, at: number): Visit {
    const visit: Visit = {
      id: deterministicUuid('visit', this.cameraId, at, member.person.id),
      startedAt: at,
      members: [member],
      greetedAt: undefined,
      approachSince: undefined,
      lastClose: at,
      staffSeen: false,
      judged: false,
    };
    this.visits.push(visit);
    this.visitOf.set(member.person.id, visit);
    return visit;
  }

  private leave(person: Person, at: number): void {
    const visit = this.visitOf.get(person.id);
    const member = visit?.members.find((m) => m.person === person && m.endedAt === undefined);
    if (member !== undefined) member.endedAt = at;
  }

  /** After the group window, a joiner who is no longer near any other member came in alone. */
  private checkGroup(visit: Visit, at: number): void {
    const v = this.standards.visit;
    const windowMs = v.groupWindowS * 1000;
    // Twice the joining distance: people who came together drift apart a little while looking around.
    const keepDistance = 2 * this.metric.threshold(v.groupDistanceM, v.groupDistanceBoxHeights);
    for (const member of visit.members.slice(1)) {
      if (member.groupChecked || at < member.joinedAt + windowMs) continue;
      member.groupChecked = true;
      if (member.endedAt !== undefined || !member.person.visible) continue;
      const near = visit.members.some(
        (other) =>
          other !== member &&
          other.endedAt === undefined &&
          other.person.visible &&
          this.metric.distance(other.person.place, member.person.place) <= keepDistance,
      );
      if (near) continue;
      visit.members = visit.members.filter((m) => m !== member);
      const alone = this.open({ ...member, groupChecked: true }, member.joinedAt);
      alone.staffSeen = visit.staffSeen;
    }
  }

  private checkGreeting(visit: Visit, staff: readonly Person[], at: number): void {
    const g = this.standards.greeting;
    const distance = this.metric.threshold(g.distanceM, g.distanceBoxHeights);
    const stopSpeed = this.metric.threshold(g.stopSpeedMps, g.stopSpeedBoxHeightsPerS);
    const cosTolerance = Math.cos((g.facingToleranceDeg * Math.PI) / 180);
    let close = false;
    for (const member of visit.members) {
      const customer = member.person;
      if (member.endedAt !== undefined || !customer.visible || customer.role.role !== 'customer')
        continue;
      for (const s of staff) {
        if (
          s === customer ||
          s.speed > stopSpeed ||
          this.metric.distance(s.place, customer.place) > distance
        )
          continue;
        if (s.facing !== undefined) {
          const dx = customer.feet[0] - s.feet[0];
          const dy = customer.feet[1] - s.feet[1];
          const norm = Math.hypot(dx, dy) * Math.hypot(s.facing[0], s.facing[1]);
          if (norm > 0 && (dx * s.facing[0] + dy * s.facing[1]) / norm < cosTolerance) continue;
        }
        close = true;
        break;
      }
      if (close) break;
    }
    if (close) {
      visit.approachSince ??= at;
      visit.lastClose = at;
      if (at - visit.approachSince >= g.minDwellS * 1000) visit.greetedAt = visit.approachSince;
    } else if (
      visit.approachSince !== undefined &&
      at - visit.lastClose > this.standards.tracking.zoneExitS * 1000
    ) {
      // A missed detection or two does not break an approach; walking away does.
      visit.approachSince = undefined;
    }
  }

  private dropStaff(visit: Visit): void {
    visit.members = visit.members.filter((m) => m.person.role.role !== 'staff');
  }

  private judge(visit: Visit, at: number, out: RuleOutput): void {
    const g = this.standards.greeting;
    const deadline = visit.startedAt + g.withinS * 1000;
    // An approach under way at the deadline is judged once it completes or breaks off.
    if (
      visit.greetedAt === undefined &&
      visit.approachSince !== undefined &&
      visit.approachSince <= deadline
    )
      return;
    visit.judged = true;
    this.dropStaff(visit);
    if (visit.members.length === 0) {
      this.visits = this.visits.filter((v) => v !== visit);
      return;
    }
    const inTime = visit.greetedAt !== undefined && visit.greetedAt <= deadline;
    if (inTime || !visit.staffSeen) return;
    const size = visit.members.length;
    const who = size === 1 ? 'customer' : `group of ${size}`;
    // The role is a belief; reviewers see how sure it was when the incident was raised.
    const sure = Math.min(...visit.members.map((m) => m.person.role.confidence));
    emitIncident(
      out,
      this.cameraId,
      at,
      {
        incidentId: incidentId(this.cameraId, 'greeting', visit.id),
        standard: 'greeting',
        startedAt: visit.startedAt,
        endedAt: deadline,
        summary: `${who} not greeted within ${g.withinS} s of entering while staff was on the floor (customer role confidence ${sure.toFixed(2)})`,
        measured: seconds(visit.startedAt, at),
        threshold: g.withinS,
      },
      evidenceMoments(at, visit.startedAt),
    );
  }

  private finish(visit: Visit, out: RuleOutput): void {
    this.visits = this.visits.filter((v) => v !== visit);
    for (const m of visit.members)
      if (this.visitOf.get(m.person.id) === visit) this.visitOf.delete(m.person.id);
    this.dropStaff(visit);
    if (visit.members.length === 0) return;
    const endedAt = Math.max(...visit.members.map((m) => m.endedAt ?? visit.startedAt));
    if (endedAt - visit.startedAt < this.standards.visit.minS * 1000) return;
    const greeted = visit.greetedAt !== undefined;
    out.events.push(
      makeEvent(
        'visit',
        this.cameraId,
        endedAt,
        {
          visitId: visit.id,
          startedAt: iso(visit.startedAt),
          endedAt: iso(endedAt),
          durationS: seconds(visit.startedAt, endedAt),
          groupSize: visit.members.length,
          greeted,
          greetingLatencyS:
            visit.greetedAt === undefined ? null : seconds(visit.startedAt, visit.greetedAt),
          staffPresent: visit.staffSeen,
        },
        visit.id,
      ),
    );
  }
}
