/**
 * Queue length and waiting time.
 *
 * Length: customers (staff excluded, by the role known when counted) whose feet are in the
 * queue zone. The per-person zone hysteresis is the smoothing: a person flickering on the edge
 * neither joins nor leaves, and one hidden for a moment behind another stays counted until they
 * are gone. Because hysteresis confirms a change only after it has lasted, and a lost person is
 * known to be gone only `lostAfterS` later, zone changes arrive back-dated; the length is
 * therefore evaluated on a settled timeline, `settleMs` behind the newest frame, where every
 * change is already known. Durations on it are exact to the frame, which is what makes "over
 * the limit for 1:59" and "for 2:01" come out differently.
 *
 * Waiting time: from joining the queue zone to entering the service zone (served), or to
 * leaving the queue without reaching service within `serviceGraceS` (abandoned). Waits are
 * keyed by person, so an occlusion or a track id switch that the person layer bridges does not
 * restart the clock.
 */
import type { Standards } from '../../config/standards.js';
import {
  EVIDENCE_LOOKBACK_MS,
  emitIncident,
  evidenceMoments,
  incidentId,
  makeEvent,
} from './emit.js';
import { deterministicUuid, iso, seconds } from './ids.js';
import type { Person, PeopleUpdate, ZoneChange } from './people.js';
import { WindowSampler, type WindowSample } from './timeline.js';
import type { RuleOutput } from './types.js';

interface Wait {
  readonly id: string;
  readonly person: Person;
  readonly joinedAt: number;
  leftAt: number | undefined;
  incident: string | undefined;
}

export class QueueRules {
  private readonly members = new Set<Person>();
  private pending: ZoneChange[] = [];
  private readonly frames: number[] = [];
  private cursor = NaN;
  private now = NaN;
  private overSince: number | undefined;
  private peak = 0;
  private incident: string | undefined;
  private readonly sampler: WindowSampler;
  private readonly waits = new Map<number, Wait>();

  constructor(
    private readonly cameraId: string,
    private readonly standards: Standards,
    private readonly settleMs: number,
    private readonly maxGapMs: number,
  ) {
    this.sampler = new WindowSampler(standards.queue.samplePeriodS * 1000, 1);
  }

  /** Current settled length (for tests and diagnostics). */
  get length(): number {
    let n = 0;
    for (const p of this.members) if (p.role.role === 'customer') n++;
    return n;
  }

  step(at: number, update: PeopleUpdate, out: RuleOutput, frame: boolean): void {
    this.now = at;
    for (const change of update.zoneChanges) {
      if (change.zone === 'queue') this.pending.push(change);
      this.onWaitChange(change, out);
    }
    this.checkWaits(at, out);
    if (frame) this.frames.push(at);
    const horizon = at - this.settleMs;
    while (this.frames.length > 0 && (this.frames[0] ?? Infinity) <= horizon) {
      this.settle(this.frames.shift() ?? horizon, out);
    }
  }

  private settle(t: number, out: RuleOutput): void {
    if (Number.isNaN(this.cursor)) this.cursor = t;
    const covered = t - this.cursor <= this.maxGapMs;
    this.pending.sort((a, b) => a.at - b.at);
    let i = 0;
    for (; i < this.pending.length; i++) {
      const change = this.pending[i];
      if (change === undefined || change.at > t) break;
      const at = Math.max(change.at, this.cursor);
      this.advance(at, covered, out);
      if (change.kind === 'enter') this.members.add(change.person);
      else this.members.delete(change.person);
      this.evaluate(at, out);
    }
    this.pending = this.pending.slice(i);
    this.advance(t, covered, out);
    this.evaluate(t, out);
  }

  private advance(to: number, covered: boolean, out: RuleOutput): void {
    if (to <= this.cursor) return;
    const closed: WindowSample[] = [];
    this.sampler.add(this.cursor, to, [this.length], covered, closed);
    this.cursor = to;
    for (const s of closed) {
      out.events.push(
        makeEvent(
          'queue_sample',
          this.cameraId,
          s.end,
          { length: Math.round(s.means[0] ?? 0), windowS: s.coveredMs / 1000 },
          `queue_sample:${s.end}`,
        ),
      );
    }
  }

  private evaluate(at: number, out: RuleOutput): void {
    const q = this.standards.queue;
    const length = this.length;
    if (length > q.maxLength) {
      this.overSince ??= at;
      this.peak = Math.max(this.peak, length);
      if (this.incident === undefined && at - this.overSince >= q.maxDurationS * 1000) {
        this.incident = incidentId(this.cameraId, 'queue_length', this.overSince);
        emitIncident(
          out,
          this.cameraId,
          at,
          {
            incidentId: this.incident,
            standard: 'queue_length',
            startedAt: this.overSince,
            endedAt: null,
            summary: `${this.peak} customers in the queue (limit ${q.maxLength}) for ${q.maxDurationS} s or longer`,
            measured: this.peak,
            threshold: q.maxLength,
          },
          // The settled timeline runs `settleMs` behind the frames, and the evidence stage keeps
          // only EVIDENCE_LOOKBACK_MS of them: the moments are the settled ones, clamped into reach.
          [
            ...new Set(
              evidenceMoments(at, at - 2000).map((m) =>
                Math.max(m, this.now - EVIDENCE_LOOKBACK_MS),
              ),
            ),
          ],
        );
      }
      return;
    }
    if (this.overSince !== undefined && this.incident !== undefined) {
      emitIncident(out, this.cameraId, at, {
        incidentId: this.incident,
        standard: 'queue_length',
        startedAt: this.overSince,
        endedAt: at,
        summary: `up to ${this.peak} customers in the queue (limit ${q.maxLength}) for ${seconds(this.overSince, at)} s`,
        measured: this.peak,
        threshold: q.maxLength,
      });
    }
    this.overSince = undefined;
    this.incident = undefined;
    this.peak = 0;
  }

  private onWaitChange(change: ZoneChange, out: RuleOutput): void {
    const wait = this.waits.get(change.person.id);
    if (change.zone === 'service') {
      if (change.kind === 'enter' && wait !== undefined)
        this.finish(wait, 'served', change.at, out);
      return;
    }
    if (change.kind === 'exit') {
      if (wait !== undefined) wait.leftAt = change.at;
      return;
    }
    if (wait !== undefined) {
      // Back in the queue within the grace period: the same wait goes on.
      wait.leftAt = undefined;
      return;
    }
    if (change.person.role.role === 'staff') return;
    this.waits.set(change.person.id, {
      id: deterministicUuid('wait', this.cameraId, change.at, change.person.id),
      person: change.person,
      joinedAt: change.at,
      leftAt: undefined,
      incident: undefined,
    });
  }

  private checkWaits(at: number, out: RuleOutput): void {
    const w = this.standards.waiting;
    for (const wait of [...this.waits.values()]) {
      if (wait.leftAt !== undefined) {
        if (at - wait.leftAt > w.serviceGraceS * 1000)
          this.finish(wait, 'abandoned', wait.leftAt, out);
        continue;
      }
      if (
        wait.incident === undefined &&
        at - wait.joinedAt > w.maxS * 1000 &&
        wait.person.role.role === 'customer'
      ) {
        wait.incident = incidentId(this.cameraId, 'waiting_time', wait.id);
        emitIncident(
          out,
          this.cameraId,
          at,
          {
            incidentId: wait.incident,
            standard: 'waiting_time',
            startedAt: wait.joinedAt,
            endedAt: null,
            summary: `a customer has been waiting longer than ${w.maxS} s`,
            measured: seconds(wait.joinedAt, at),
            threshold: w.maxS,
          },
          evidenceMoments(at, wait.joinedAt),
        );
      }
    }
  }

  private finish(
    wait: Wait,
    outcome: 'served' | 'abandoned',
    endedAt: number,
    out: RuleOutput,
  ): void {
    this.waits.delete(wait.person.id);
    const waitS = seconds(wait.joinedAt, endedAt);
    if (wait.incident !== undefined) {
      emitIncident(out, this.cameraId, this.now, {
        incidentId: wait.incident,
        standard: 'waiting_time',
        startedAt: wait.joinedAt,
        endedAt: Math.max(endedAt, wait.joinedAt),
        summary: `a customer waited ${waitS} s (limit ${this.standards.waiting.maxS} s), then was ${outcome}`,
        measured: waitS,
        threshold: this.standards.waiting.maxS,
      });
    }
    // A person who turned out to be staff was never waiting.
    if (wait.person.role.role === 'staff') return;
    out.events.push(
      makeEvent(
        'wait',
        this.cameraId,
        endedAt,
        {
          waitId: wait.id,
          joinedAt: iso(wait.joinedAt),
          endedAt: iso(Math.max(endedAt, wait.joinedAt)),
          waitS,
          outcome,
        },
        wait.id,
      ),
    );
  }
}
