/** Exponential backoff of failed timers and jobs: base × 2^(attempt − 1), capped, with optional jitter. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly baseMs: number;
  /** Ceiling of any delay. */
  readonly maxMs: number;
  /**
   * Share of the delay drawn at random (0 = none, 0.5 = between half and the full delay): spreads
   * retries of many jobs that failed together (an outage) so they do not all return at once.
   */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 15 * 60_000, jitter: 0 };

/** The delay before attempt `attempt + 1`, after `attempt` (≥ 1) failed attempts. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(full * (1 - jitter * random()));
}
