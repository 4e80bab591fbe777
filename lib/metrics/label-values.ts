/**
 * The bounded label values the gateway's own metrics use, declared once so every counter an alert
 * reads can exist at 0 from start-up: `increase(x[15m])` only sees the first event of a series
 * that existed before it. The sets owned by other parts (EAS commands, outcomes, upstream names)
 * arrive as arguments of `presetCounters`; test/metrics/label-values.test.ts pins these lists to
 * the types of the code that increments them.
 */

/** Why a forwarded request failed at the upstream (proxy's UpstreamFailure). */
export const UPSTREAM_ERROR_REASONS = ['dns', 'refused', 'connect_timeout', 'tls', 'reset', 'bad_response', 'timeout', 'fd_exhausted', 'other'] as const

/** Why nothing reached an upstream (upstream's ConnectFailure): the failover reasons. */
export const CONNECT_FAILURES = ['dns', 'refused', 'connect_timeout', 'tls'] as const

/** Why a health-check probe failed (upstream's ProbeFailure): also the ejection reasons. */
export const PROBE_FAILURES = [...CONNECT_FAILURES, 'timeout', 'status', 'reset', 'other'] as const

/** Storm-protection limits (policy's LimitName). */
export const LIMIT_NAMES = ['global_rate', 'device_rate', 'held_pings', 'connections'] as const

/** HTTP status classes of responses sent to devices. */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const

/**
 * Exact HTTP statuses of responses sent to devices that say something in EAS (401 credentials,
 * 403 forbidden, 449 retry after provisioning, 451 redirect to another server, 456 blocked,
 * 457 quarantined, 5xx the gateway's or the server's trouble); the rest is `other` (bounded).
 */
export const RESPONSE_STATUSES = ['200', '401', '403', '449', '451', '456', '457', '500', '502', '503', '504', 'other'] as const

/** The `status` label of a response: the exact status when it is in {@link RESPONSE_STATUSES}, else `other`. */
export function responseStatusLabel (status: number): string {
  const s = String(status)
  return (RESPONSE_STATUSES as readonly string[]).includes(s) ? s : 'other'
}

/**
 * Ping Status values (MS-ASCMD §2.2.3.177.10: 1 expired, 2 changes, 3-8 errors and bounds) and
 * 129 (the common "device blocked" status the access policy answers); anything else or an
 * unreadable answer is `other`.
 */
export const PING_ANSWER_STATUSES = ['1', '2', '3', '4', '5', '6', '7', '8', '129', 'other'] as const

/** The `status` label of a Ping answer (undefined: no readable Status). */
export function pingStatusLabel (status: number | undefined): string {
  const s = String(status)
  return (PING_ANSWER_STATUSES as readonly string[]).includes(s) ? s : 'other'
}

/** Statuses of requests refused before any EAS handling (404 not the EAS path, 405 method). */
export const REFUSED_STATUSES = ['404', '405'] as const

/** Where the gateway ran out of file descriptors: accepting a device, or connecting upstream. */
export const FD_SIDES = ['device', 'upstream'] as const

/** Why a device's TLS handshake failed (proxy's HandshakeFailure). */
export const TLS_HANDSHAKE_FAILURES = ['timeout', 'reset', 'protocol_version', 'no_shared_cipher', 'http_on_tls_port', 'client_alert', 'other'] as const

/** Why a device connection's PROXY protocol header was refused (proxy's ProxyHeaderRejection). */
export const PROXY_PROTOCOL_REJECTIONS = ['missing', 'malformed', 'timeout'] as const

/** Which heartbeat bound a clamped Ping broke. */
export const CLAMP_BOUNDS = ['min', 'max'] as const

/** The sets other parts own, handed in by the composition root. */
export interface BoundedLabels {
  /** Every command label (`normalizeCommand`'s range, `other` included). */
  readonly commands: readonly string[]
  /** Every outcome (proxy's OUTCOMES). */
  readonly outcomes: readonly string[]
  /** Every configured upstream name. */
  readonly upstreams: readonly string[]
}
