/**
 * The service standards and the tuning of the rules that measure them. Defaults are the ones in
 * `../shared/design/ARCHITECTURE.md`; a network, a macro-region and a salon may each override
 * any field (later layers win), and the merged result is validated once and frozen.
 */
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SalonwatchError } from '../common/errors.js';

const Seconds = (description: string, options: { minimum?: number } = {}) =>
  Type.Number({ minimum: options.minimum ?? 0, description: `${description} (seconds)` });
const Positive = (description: string) => Type.Number({ exclusiveMinimum: 0, description });

export const GreetingStandard = Type.Object(
  {
    withinS: Seconds('a customer must be greeted within this long of entering (T)'),
    distanceM: Positive(
      'greeting distance in metres, used when the camera has a floor calibration',
    ),
    distanceBoxHeights: Positive(
      "greeting distance in units of the two persons' mean box height, used without floor calibration",
    ),
    minDwellS: Seconds(
      'staff must stay within the distance at least this long: walking past is not a greeting',
    ),
    stopSpeedMps: Positive(
      'and move slower than this (m/s, calibrated cameras): a greeting is stopping by the customer',
    ),
    stopSpeedBoxHeightsPerS: Positive('the same in box heights per second (uncalibrated cameras)'),
    facingToleranceDeg: Type.Number({
      minimum: 0,
      maximum: 180,
      description:
        'when a facing hint exists, the staff member must face within this angle of the customer',
    }),
  },
  { additionalProperties: false },
);

export const QueueStandard = Type.Object(
  {
    maxLength: Type.Integer({ minimum: 0, description: 'at most this many customers waiting' }),
    maxDurationS: Seconds(
      'an incident when the queue is longer than maxLength for at least this long',
    ),
    samplePeriodS: Type.Number({
      minimum: 1,
      description: 'one queue_sample per this many seconds',
    }),
  },
  { additionalProperties: false },
);

export const WaitingStandard = Type.Object(
  {
    maxS: Seconds('a customer waiting longer than this is an incident'),
    serviceGraceS: Seconds(
      'after leaving the queue zone, reaching the service zone within this long still counts as served',
    ),
  },
  { additionalProperties: false },
);

export const StaffPresenceStandard = Type.Object(
  {
    maxAbsenceS: Seconds(
      'no staff visible for longer than this, while open and customers are present, is an incident',
    ),
    samplePeriodS: Type.Number({
      minimum: 1,
      description: 'one staff_sample per this many seconds',
    }),
  },
  { additionalProperties: false },
);

export const CameraStandard = Type.Object(
  { unusableS: Seconds('a camera unusable for longer than this is an incident') },
  { additionalProperties: false },
);

export const VisitRules = Type.Object(
  {
    minS: Seconds('a visit shorter than this is not a visit (a glance through the door)'),
    groupWindowS: Seconds(
      'persons entering within this long of each other, and close, form one group visit',
    ),
    groupDistanceM: Positive('group distance in metres (calibrated cameras)'),
    groupDistanceBoxHeights: Positive('group distance in box heights (uncalibrated cameras)'),
  },
  { additionalProperties: false },
);

export const TrackingRules = Type.Object(
  {
    zoneEnterS: Seconds(
      'a person is in a zone after their feet stay inside this long (entry inertia)',
    ),
    zoneExitS: Seconds(
      'and out of it after their feet stay outside, beyond the margin, this long (exit inertia)',
    ),
    zoneExitMargin: Type.Number({
      minimum: 0,
      maximum: 0.5,
      description:
        'feet must be this far outside the polygon (normalised image units) to count as outside',
    }),
    lostAfterS: Seconds(
      'a person unseen this long has left (occlusions and id switches shorter than this are bridged)',
    ),
    reassociateBoxHeights: Positive(
      'a new track may continue a lost person within this many box heights of where they were last seen',
    ),
    reassociateMinSimilarity: Type.Number({
      minimum: 0,
      maximum: 1,
      description:
        'and when both have a torso histogram, with at least this Bhattacharyya coefficient',
    }),
  },
  { additionalProperties: false },
);

const HexColour = Type.String({
  pattern: '^#[0-9a-fA-F]{6}$',
  description: 'sRGB colour, e.g. #e30611',
});

export const RoleRules = Type.Object(
  {
    uniformColours: Type.Array(HexColour, {
      maxItems: 8,
      description: 'reference colours of the staff uniform',
    }),
    uniformColourRadius: Type.Number({
      minimum: 1,
      maximum: 255,
      description: 'torso pixels within this RGB distance of a uniform colour count as uniform',
    }),
    uniformShare: Type.Number({
      minimum: 0,
      maximum: 1,
      description:
        'share of uniform-coloured torso pixels above which a frame is evidence for staff',
    }),
    staffOnlyEvidencePerS: Positive(
      'log-odds for staff gained per second spent in the staff-only zone',
    ),
    uniformEvidencePerS: Positive(
      'log-odds per second of uniform (or of non-uniform) torso colour',
    ),
    priorLogOdds: Type.Number({
      description:
        'starting log-odds for staff; negative: a stranger is a customer until shown otherwise',
    }),
  },
  { additionalProperties: false },
);

export const ScoreWeights = Type.Object(
  {
    greeting: Type.Number({ minimum: 0 }),
    queue_length: Type.Number({ minimum: 0 }),
    waiting_time: Type.Number({ minimum: 0 }),
    staff_presence: Type.Number({ minimum: 0 }),
    camera_coverage: Type.Number({ minimum: 0 }),
  },
  {
    additionalProperties: false,
    description: 'weights of the standards in the daily compliance score',
  },
);

const sections = {
  greeting: GreetingStandard,
  queue: QueueStandard,
  waiting: WaitingStandard,
  staffPresence: StaffPresenceStandard,
  camera: CameraStandard,
  visit: VisitRules,
  tracking: TrackingRules,
  roles: RoleRules,
  weights: ScoreWeights,
} as const;

export const Standards = Type.Object(sections, { additionalProperties: false });
export type Standards = Static<typeof Standards>;

function partialSection<P extends TProperties>(section: TObject<P>) {
  return Type.Partial(section, { additionalProperties: false });
}

/** One layer of overrides (network, region or salon): some fields of some sections. */
export const StandardsOverride = Type.Partial(
  Type.Object({
    greeting: partialSection(GreetingStandard),
    queue: partialSection(QueueStandard),
    waiting: partialSection(WaitingStandard),
    staffPresence: partialSection(StaffPresenceStandard),
    camera: partialSection(CameraStandard),
    visit: partialSection(VisitRules),
    tracking: partialSection(TrackingRules),
    roles: partialSection(RoleRules),
    weights: partialSection(ScoreWeights),
  }),
  { additionalProperties: false },
);
export type StandardsOverride = Static<typeof StandardsOverride>;

export const DEFAULT_STANDARDS: Standards = deepFreeze({
  // A person is about 1.7 m tall, so one box height is about the 1.5 m greeting distance; a
  // stroll is about 1 m/s, so 0.6 m/s (0.35 box heights/s) is someone stopping, not passing.
  greeting: {
    withinS: 30,
    distanceM: 1.5,
    distanceBoxHeights: 1.0,
    minDwellS: 2,
    stopSpeedMps: 0.6,
    stopSpeedBoxHeightsPerS: 0.35,
    facingToleranceDeg: 60,
  },
  queue: { maxLength: 3, maxDurationS: 120, samplePeriodS: 10 },
  waiting: { maxS: 300, serviceGraceS: 10 },
  staffPresence: { maxAbsenceS: 180, samplePeriodS: 60 },
  camera: { unusableS: 600 },
  // 3 s: people who came together pass the door within a couple of frames at 1-2 fps.
  visit: { minS: 5, groupWindowS: 3, groupDistanceM: 1.2, groupDistanceBoxHeights: 1.0 },
  // At 1-2 fps a boundary needs about two frames of evidence either way; 5 s bridges a person
  // walking behind another one, which is what most id switches in a salon are.
  tracking: {
    zoneEnterS: 1,
    zoneExitS: 2,
    zoneExitMargin: 0.02,
    lostAfterS: 5,
    reassociateBoxHeights: 1.5,
    reassociateMinSimilarity: 0.5,
  },
  // No uniform colours by default: a network configures its own; behind-the-counter time alone
  // (2 log-odds per second: about 3 s from the prior to 90% staff) still tells staff apart.
  roles: {
    uniformColours: [],
    uniformColourRadius: 60,
    uniformShare: 0.3,
    staffOnlyEvidencePerS: 2,
    uniformEvidencePerS: 0.5,
    priorLogOdds: -2,
  },
  weights: {
    greeting: 0.3,
    queue_length: 0.15,
    waiting_time: 0.2,
    staff_presence: 0.25,
    camera_coverage: 0.1,
  },
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** `/queue/maxLength` -> `queue.maxLength`, `/roles/uniformColours/0` -> `roles.uniformColours[0]`. */
function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function firstProblem(
  schema: typeof Standards | typeof StandardsOverride,
  value: unknown,
  where: string,
): string | undefined {
  const first = Value.Errors(schema, value).First();
  if (first === undefined) return undefined;
  const path = dotted(first.path);
  const prefix = where === '' ? path : path === '' ? where : `${where}.${path}`;
  return `${prefix === '' ? '(standards)' : prefix}: ${first.message}`;
}

/** Validates one override layer; `where` names it in the error, e.g. `salons[3].standards`. */
export function parseStandardsOverride(value: unknown, where = 'standards'): StandardsOverride {
  const problem = firstProblem(StandardsOverride, value, where);
  if (problem !== undefined) throw new SalonwatchError('CONFIG_INVALID', problem);
  return value as StandardsOverride;
}

/**
 * Merges override layers onto the defaults, in order (network, then region, then salon), and
 * validates the result. Arrays (uniform colours) are replaced, not concatenated: a salon that
 * lists its colours means exactly those.
 */
export function resolveStandards(
  layers: readonly (StandardsOverride | undefined)[],
  base: Standards = DEFAULT_STANDARDS,
): Standards {
  const merged = structuredClone(base) as Record<string, Record<string, unknown>>;
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [section, fields] of Object.entries(layer)) {
      const target = merged[section];
      if (target === undefined) continue;
      for (const [field, value] of Object.entries(fields)) target[field] = structuredClone(value);
    }
  }
  const problem = firstProblem(Standards, merged, 'standards');
  if (problem !== undefined) throw new SalonwatchError('CONFIG_INVALID', problem);
  const resolved = merged as unknown as Standards;
  const w = resolved.weights;
  if (w.greeting + w.queue_length + w.waiting_time + w.staff_presence + w.camera_coverage <= 0) {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      'standards.weights: at least one weight must be positive',
    );
  }
  return deepFreeze(resolved);
}
