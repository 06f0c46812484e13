/**
 * From tracks to persons. The tracker's ids break on occlusions and swaps; the rules must not,
 * or a waiting customer's clock restarts each time someone walks in front of them. A person is
 * born with a track and keeps its id (the first track id) while later tracks continue it: a new
 * track that appears where a person vanished less than `lostAfterS` ago, and looks like them
 * (torso histogram), is that person. A person unseen for `lostAfterS` is gone.
 *
 * Per person this layer also keeps the feet, zone memberships (queue, service) with
 * hysteresis, entrance crossings and the staff/customer belief, so the rules read one record.
 */
import type { Standards } from '../../config/standards.js';
import type { Zones } from '../../config/fleet.js';
import { similarity, type ColourHistogram } from '../appearance.js';
import type { FloorMetric, FloorPlace } from '../floor.js';
import { RoleModel, type RoleVerdict } from '../roles.js';
import {
  EntranceCrossings,
  pointInPolygon,
  ZoneMembership,
  type CrossingDirection,
  type Point,
} from '../zones.js';
import type { ObservedPerson, RulesFrame } from './types.js';

export interface Person {
  /** The id of the person's first track: stable for the person's life. */
  readonly id: number;
  trackId: number;
  readonly firstSeen: number;
  lastSeen: number;
  feet: Point;
  place: FloorPlace;
  /** Running mean of the torso histogram, so one odd frame does not break re-association. */
  appearance: ColourHistogram | undefined;
  facing: readonly [number, number] | undefined;
  /** Smoothed speed on the floor, in the metric's unit per second (m/s or box heights/s). */
  speed: number;
  /**
   * First seen in the entrance's doorway: they came in through a door the camera cannot see
   * beyond (the design's "first appears in the entrance zone").
   */
  readonly bornInDoorway: boolean;
  /** Seen on the latest frame (false while occluded or briefly lost). */
  visible: boolean;
  role: RoleVerdict;
}

export type ZoneName = 'queue' | 'service';

export interface ZoneChange {
  readonly person: Person;
  readonly zone: ZoneName;
  readonly kind: 'enter' | 'exit';
  readonly at: number;
}

export interface Crossing {
  readonly person: Person;
  readonly direction: CrossingDirection;
  readonly at: number;
}

export interface PeopleUpdate {
  /** Persons born on this frame (new tracks that continue nobody). */
  readonly born: Person[];
  readonly crossings: Crossing[];
  readonly zoneChanges: ZoneChange[];
  /** Persons gone for good; their `lastSeen` is when they were last there. */
  readonly gone: Person[];
}

/** How strongly a running appearance follows the newest frame. */
const APPEARANCE_RATE = 0.2;

function blend(
  previous: ColourHistogram | undefined,
  next: ColourHistogram | undefined,
): ColourHistogram | undefined {
  if (next === undefined) return previous;
  if (previous === undefined) return Float32Array.from(next);
  for (let i = 0; i < previous.length; i++) {
    previous[i] = (1 - APPEARANCE_RATE) * (previous[i] ?? 0) + APPEARANCE_RATE * (next[i] ?? 0);
  }
  return previous;
}

export class People {
  private readonly persons = new Map<number, Person>();
  private readonly byTrack = new Map<number, Person>();
  private readonly zones: {
    readonly name: ZoneName;
    readonly membership: ZoneMembership<number>;
  }[] = [];
  private readonly entrance: EntranceCrossings<number> | undefined;
  private readonly staffOnly: readonly Point[] | undefined;
  private readonly roles: RoleModel<number>;
  private readonly lostAfterMs: number;

  constructor(
    zones: Zones,
    private readonly metric: FloorMetric,
    private readonly standards: Standards,
  ) {
    const t = standards.tracking;
    const hysteresis = {
      enterMs: t.zoneEnterS * 1000,
      exitMs: t.zoneExitS * 1000,
      margin: t.zoneExitMargin,
    };
    if (zones.queue !== undefined)
      this.zones.push({
        name: 'queue',
        membership: new ZoneMembership(zones.queue.polygon, hysteresis),
      });
    if (zones.service !== undefined) {
      this.zones.push({
        name: 'service',
        membership: new ZoneMembership(zones.service.polygon, hysteresis),
      });
    }
    this.entrance =
      zones.entrance === undefined
        ? undefined
        : new EntranceCrossings(zones.entrance, t.zoneExitMargin);
    this.staffOnly = zones.staffOnly?.polygon;
    this.roles = new RoleModel(standards.roles);
    this.lostAfterMs = t.lostAfterS * 1000;
  }

  get hasEntrance(): boolean {
    return this.entrance !== undefined;
  }

  /** Everyone not gone: visible or briefly unseen. */
  all(): IterableIterator<Person> {
    return this.persons.values();
  }

  /** On the street side of the entrance: seen through the door, not in the salon. */
  isOutside(person: Person): boolean {
    return this.entrance?.isOutside(person.id) ?? false;
  }

  inZone(person: Person, zone: ZoneName): boolean {
    return this.zones.find((z) => z.name === zone)?.membership.isInside(person.id) ?? false;
  }

  step(frame: RulesFrame): PeopleUpdate {
    const at = frame.capturedAt;
    const update: PeopleUpdate = { born: [], crossings: [], zoneChanges: [], gone: [] };
    const seen = new Set<number>();
    const fresh: ObservedPerson[] = [];
    for (const track of frame.tracks) {
      const person = this.byTrack.get(track.trackId);
      if (person === undefined) fresh.push(track);
      else {
        seen.add(person.id);
        this.observe(person, track, frame, update);
      }
    }
    for (const track of fresh) {
      const place = this.metric.place(track.box, frame.width, frame.height);
      const continued = this.reassociate(place, track.appearance, at, seen, frame);
      let person: Person;
      if (continued === undefined) {
        person = {
          id: track.trackId,
          trackId: track.trackId,
          firstSeen: at,
          lastSeen: at,
          feet: place.feet,
          place,
          appearance: undefined,
          facing: undefined,
          speed: 0,
          bornInDoorway: this.entrance?.inDoorway(place.feet) ?? false,
          visible: true,
          role: this.roles.verdict(track.trackId),
        };
        this.persons.set(person.id, person);
        update.born.push(person);
      } else {
        person = continued;
        this.byTrack.delete(person.trackId);
        person.trackId = track.trackId;
      }
      this.byTrack.set(track.trackId, person);
      seen.add(person.id);
      this.observe(person, track, frame, update);
    }
    for (const person of this.persons.values()) {
      if (!seen.has(person.id)) person.visible = false;
    }
    this.expire(at, update);
    return update;
  }

  /** Advances the clock without a frame (camera down): persons unseen too long are gone. */
  advance(at: number): PeopleUpdate {
    const update: PeopleUpdate = { born: [], crossings: [], zoneChanges: [], gone: [] };
    for (const person of this.persons.values())
      person.visible = person.visible && person.lastSeen === at;
    this.expire(at, update);
    return update;
  }

  private expire(at: number, update: PeopleUpdate): void {
    for (const person of this.persons.values()) {
      if (at - person.lastSeen <= this.lostAfterMs) continue;
      this.persons.delete(person.id);
      if (this.byTrack.get(person.trackId) === person) this.byTrack.delete(person.trackId);
      for (const zone of this.zones) {
        const change = zone.membership.forget(person.id, person.lastSeen);
        if (change !== undefined)
          update.zoneChanges.push({ person, zone: zone.name, kind: change.kind, at: change.at });
      }
      this.entrance?.forget(person.id);
      this.roles.forget(person.id);
      update.gone.push(person);
    }
  }

  /**
   * The unseen person a new track most plausibly continues: last seen within `lostAfterS`,
   * within `reassociateBoxHeights` of the new feet (in image space, scale-free), and, when both
   * have a torso histogram, similar enough. Nearest wins, similarity breaking near-ties.
   */
  private reassociate(
    place: FloorPlace,
    appearance: ColourHistogram | undefined,
    at: number,
    seen: ReadonlySet<number>,
    frame: RulesFrame,
  ): Person | undefined {
    const t = this.standards.tracking;
    let best: Person | undefined;
    let bestCost = Infinity;
    for (const person of this.persons.values()) {
      if (seen.has(person.id) || at - person.lastSeen > this.lostAfterMs || person.lastSeen === at)
        continue;
      const dx = (person.feet[0] - place.feet[0]) * frame.width;
      const dy = (person.feet[1] - place.feet[1]) * frame.height;
      const distance = Math.hypot(dx, dy) / ((person.place.boxHeightPx + place.boxHeightPx) / 2);
      if (distance > t.reassociateBoxHeights) continue;
      let sim = 1;
      if (appearance !== undefined && person.appearance !== undefined) {
        sim = similarity(appearance, person.appearance);
        if (sim < t.reassociateMinSimilarity) continue;
      }
      const cost = distance - sim;
      if (cost < bestCost) {
        bestCost = cost;
        best = person;
      }
    }
    return best;
  }

  private observe(
    person: Person,
    track: ObservedPerson,
    frame: RulesFrame,
    update: PeopleUpdate,
  ): void {
    const at = frame.capturedAt;
    const place = this.metric.place(track.box, frame.width, frame.height);
    if (at > person.lastSeen) {
      const instant = this.metric.distance(person.place, place) / ((at - person.lastSeen) / 1000);
      // Half-and-half smoothing: one jittery box does not make a standing person walk.
      person.speed = 0.5 * person.speed + 0.5 * instant;
    }
    person.place = place;
    person.feet = place.feet;
    person.lastSeen = at;
    person.visible = true;
    person.appearance = blend(person.appearance, track.appearance);
    person.facing = track.facing;
    const inStaffOnlyZone =
      this.staffOnly !== undefined && pointInPolygon(place.feet, this.staffOnly);
    person.role = this.roles.observe(
      person.id,
      { inStaffOnlyZone, appearance: track.appearance },
      at,
    );
    for (const zone of this.zones) {
      const change = zone.membership.update(person.id, place.feet, at);
      if (change !== undefined)
        update.zoneChanges.push({ person, zone: zone.name, kind: change.kind, at: change.at });
    }
    const direction = this.entrance?.update(person.id, place.feet);
    if (direction !== undefined) update.crossings.push({ person, direction, at });
  }
}
