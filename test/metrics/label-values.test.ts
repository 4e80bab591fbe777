import t from 'tap'
import { CONNECT_FAILURES, FD_SIDES, LIMIT_NAMES, PING_ANSWER_STATUSES, PROBE_FAILURES, PROXY_PROTOCOL_REJECTIONS, RESPONSE_STATUSES, TLS_HANDSHAKE_FAILURES, UPSTREAM_ERROR_REASONS, pingStatusLabel, responseStatusLabel } from '../../lib/metrics/index.js'
import type { HandshakeFailure } from '../../lib/proxy/guard-device-sockets.js'
import type { ProxyHeaderRejection } from '../../lib/proxy/proxy-protocol.js'
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
  Assert<Equal<typeof TLS_HANDSHAKE_FAILURES[number], HandshakeFailure>>,
  Assert<Equal<typeof PROXY_PROTOCOL_REJECTIONS[number], ProxyHeaderRejection>>
]

t.test('the preset label sets have no duplicates', async (t) => {
  for (const set of [CONNECT_FAILURES, FD_SIDES, LIMIT_NAMES, PROBE_FAILURES, TLS_HANDSHAKE_FAILURES, UPSTREAM_ERROR_REASONS, PING_ANSWER_STATUSES, RESPONSE_STATUSES, PROXY_PROTOCOL_REJECTIONS]) t.equal(new Set(set).size, set.length)
})

t.test('exact status labels stay bounded: anything outside the set is other', async (t) => {
  t.same([200, 401, 449, 457, 503, 504].map(responseStatusLabel), ['200', '401', '449', '457', '503', '504'])
  t.same([204, 404, 413, 599, 999].map(responseStatusLabel), ['other', 'other', 'other', 'other', 'other'])
  t.same([1, 2, 5, 8, 129].map(pingStatusLabel), ['1', '2', '5', '8', '129'])
  t.same([0, 9, 130, 177, undefined].map(pingStatusLabel), ['other', 'other', 'other', 'other', 'other'])
})
