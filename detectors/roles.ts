/**
 * Staff or customer, per person, as a belief that accumulates over the person's life (log-odds,
 * updated per second of evidence so that the frame rate does not change the verdict):
 * - time behind the counter (staff-only zone) is strong evidence for staff;
 * - a torso whose colours match the uniform is evidence for staff, one that does not match is
 *   evidence for customer (only when uniform colours are configured).
 * The belief is clamped, so a role can change as evidence grows: a customer who was wrongly
 * called staff for a moment is not stuck with it, and a staff member who arrives in a coat
 * becomes staff once behind the counter.
 */
import { colourMask, maskedShare, parseHexColour, type ColourHistogram } from './appearance.js';

export type Role = 'staff' | 'customer';

export interface RoleOptions {
  readonly uniformColours: readonly string[];
  readonly uniformColourRadius: number;
  readonly uniformShare: number;
  readonly staffOnlyEvidencePerS: number;
  readonly uniformEvidencePerS: number;
  readonly priorLogOdds: number;
}

export interface RoleObservation {
  readonly inStaffOnlyZone: boolean;
  readonly appearance: ColourHistogram | undefined;
}

export interface RoleVerdict {
  readonly role: Role;
  /** Probability of `role` in [0.5, 1]. */
  readonly confidence: number;
}

/** Bounds of the belief: about 99.8% either way, from which about three seconds of contrary evidence turn it. */
const MAX_LOG_ODDS = 6;
/** A gap in observations counts at most this long, so one frame after an outage is not minutes of evidence. */
const MAX_STEP_S = 2;

interface Belief {
  logOdds: number;
  lastAt: number;
}

export class RoleModel<K> {
  private readonly beliefs = new Map<K, Belief>();
  private readonly mask: Uint8Array | undefined;

  constructor(private readonly options: RoleOptions) {
    this.mask =
      options.uniformColours.length === 0
        ? undefined
        : colourMask(options.uniformColours.map(parseHexColour), options.uniformColourRadius);
  }

  /** Adds the evidence of one observation at `at` (ms) and returns the verdict after it. */
  observe(key: K, observation: RoleObservation, at: number): RoleVerdict {
    let belief = this.beliefs.get(key);
    if (belief === undefined) {
      belief = { logOdds: this.options.priorLogOdds, lastAt: at };
      this.beliefs.set(key, belief);
    }
    // The first observation carries one nominal step: a uniform seen on arrival already counts.
    const dt =
      belief.lastAt === at ? 0.5 : Math.min(MAX_STEP_S, Math.max(0, (at - belief.lastAt) / 1000));
    belief.lastAt = at;
    let delta = 0;
    if (observation.inStaffOnlyZone) delta += this.options.staffOnlyEvidencePerS * dt;
    if (this.mask !== undefined && observation.appearance !== undefined) {
      const share = maskedShare(observation.appearance, this.mask);
      delta +=
        (share >= this.options.uniformShare ? 1 : -1) * this.options.uniformEvidencePerS * dt;
    }
    belief.logOdds = Math.max(-MAX_LOG_ODDS, Math.min(MAX_LOG_ODDS, belief.logOdds + delta));
    return verdict(belief.logOdds);
  }

  verdict(key: K): RoleVerdict {
    return verdict(this.beliefs.get(key)?.logOdds ?? this.options.priorLogOdds);
  }

  /** The person is gone for good. */
  forget(key: K): void {
    this.beliefs.delete(key);
  }
}

function verdict(logOdds: number): RoleVerdict {
  const pStaff = 1 / (1 + Math.exp(-logOdds));
  return logOdds > 0
    ? { role: 'staff', confidence: pStaff }
    : { role: 'customer', confidence: 1 - pStaff };
}
