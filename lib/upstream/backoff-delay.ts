/** Re-probe delay bounds, in milliseconds. */
export interface BackoffBounds {
  /** Delay before the first re-probe of an ejected upstream. Default: 30 s */
  readonly initial: number
  /** No re-probe waits longer than this. Default: 120 s */
  readonly max: number
}

/** Attempts past this one all wait `max` (and 2 ** n stays a small, exact number). */
const MAX_EXPONENT = 30

/**
 * Exponential backoff with "equal jitter": the ceiling doubles per attempt from `initial` up to
 * `max`, and the delay is drawn between half the ceiling and the ceiling. The jitter keeps many
 * gateways (or many upstreams) from re-probing in lockstep; the floor keeps the doubling
 * meaningful. Never above `max`, so an ejected upstream is always re-probed within `max`.
 */
export function backoffDelay (attempt: number, bounds: BackoffBounds, random: () => number): number {
  const ceiling = Math.min(bounds.max, bounds.initial * 2 ** Math.min(Math.max(0, attempt), MAX_EXPONENT))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
