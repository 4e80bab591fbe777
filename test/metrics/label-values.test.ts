import t from 'tap'
import { CONNECT_FAILURES, FD_SIDES, LIMIT_NAMES, PROBE_FAILURES, TLS_HANDSHAKE_FAILURES, UPSTREAM_ERROR_REASONS } from '../../lib/metrics/index.js'
import type { HandshakeFailure } from '../../lib/proxy/guard-device-sockets.js'
import type { LimitName } from '../../lib/policy/index.js'
import type { UpstreamFailure } from '../../lib/proxy/index.js'
import type { ConnectFailure, ProbeFailure } from '../../lib/upstream/index.js'

/** Compile-time equality (npm test typechecks first): a new reason in the code must be preset too. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
type Assert<T extends true> = T

export type Checks = [
  Assert<Equal<typeof UPSTREAM_ERROR_REASONS[number], UpstreamFailure>>,
  Assert<Equal<typeof CONNECT_FAILURES[number], ConnectFailure>>,
  Assert<Equal<typeof PROBE_FAILURES[number], ProbeFailure>>,
  Assert<Equal<typeof LIMIT_NAMES[number], LimitName>>,
  Assert<Equal<typeof TLS_HANDSHAKE_FAILURES[number], HandshakeFailure>>
]

t.test('the preset label sets have no duplicates', async (t) => {
  for (const set of [CONNECT_FAILURES, FD_SIDES, LIMIT_NAMES, PROBE_FAILURES, TLS_HANDSHAKE_FAILURES, UPSTREAM_ERROR_REASONS]) t.equal(new Set(set).size, set.length)
})
