/**
 * Reconnect delays: capped exponential backoff with "equal jitter" (half the delay fixed, half
 * random). The fixed half keeps a dead camera from being hammered; the random half keeps the
 * cameras of a node that lost its recorder from reconnecting in lock-step when it returns.
 * Pure: the random draw is passed in.
 */
export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  readonly initialMs: number;
  /** No delay exceeds this, so a camera is retried at least this often. */
  readonly maxMs: number;
  readonly factor: number;
}

/**
 * The cap bounds recovery time: a camera whose source comes back is retried within `maxMs`, and
 * the issue asks for every camera back within 10 s of the server's return; connecting and
 * waiting for the first keyframe take the rest of that budget.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 3_000, factor: 2 };

/**
 * Delay before retry number `attempt` (0 for the first retry after a failure).
 * `random` is a draw from [0, 1).
 */
export function backoffDelay(
  attempt: number,
  random: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const exponent = Math.max(0, Math.floor(attempt));
  const capped = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const jitter = Math.min(Math.max(random, 0), 1);
  return Math.round(capped / 2 + (capped / 2) * jitter);
}
