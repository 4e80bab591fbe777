/** What selection looks at. */
export interface Candidate {
  readonly weight: number
  readonly inFlight: number
}

/**
 * Weighted least connections: the eligible candidate with the fewest requests in flight per unit
 * of weight, counting the request about to be placed (`(inFlight + 1) / weight`, as HAProxy and
 * Envoy do, so a heavier upstream wins among idle ones). A held Ping is in flight, so it counts:
 * the load-balancer guidance for EAS. Ties go to the first candidate at or after `start`, so a
 * rotating `start` spreads equal upstreams evenly. Undefined when none is eligible.
 */
export function selectUpstream<T extends Candidate> (candidates: readonly T[], eligible: (c: T) => boolean, start: number): T | undefined {
  const n = candidates.length
  let best: T | undefined
  for (let i = 0; i < n; i++) {
    const c = candidates[(start + i) % n] as T
    if (!eligible(c)) continue
    // Compare (c.inFlight + 1) / c.weight < (best.inFlight + 1) / best.weight without division.
    if (best === undefined || (c.inFlight + 1) * best.weight < (best.inFlight + 1) * c.weight) best = c
  }
  return best
}
