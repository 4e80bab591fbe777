/**
 * Why nothing reached an upstream: the name did not resolve (`dns`), the connect was refused or
 * unroutable (`refused`), it timed out (`connect_timeout`), or the TLS handshake failed (`tls`).
 * A bounded set, safe as a metric label; told apart in logs and metrics on purpose, because each
 * points at a different team (DNS, the server, the network, certificates).
 */
export type ConnectFailure = 'dns' | 'refused' | 'connect_timeout' | 'tls'

/** Why a health-check probe failed: a connect failure, or the server answered wrongly or not at all. */
export type ProbeFailure = ConnectFailure | 'timeout' | 'status' | 'reset' | 'other'

const BY_CODE: Readonly<Record<string, ConnectFailure>> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_FAIL: 'dns',
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  EADDRNOTAVAIL: 'refused',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  ETIMEDOUT: 'connect_timeout'
}

/** The `code` of an error or of its `cause` (undici wraps some), else `UNKNOWN`. */
export function errorCode (err: unknown): string {
  const e = err as { code?: unknown, cause?: { code?: unknown } } | null
  if (typeof e?.code === 'string') return e.code
  if (typeof e?.cause?.code === 'string') return e.cause.code
  return 'UNKNOWN'
}

/**
 * Classifies an error raised while connecting (before the request was written) by its `code`,
 * never by message text (undici docs/api/Errors.md). Undefined when the code is not a connect
 * failure.
 */
export function classifyConnectError (err: unknown): ConnectFailure | undefined {
  const code = errorCode(err)
  const hit = BY_CODE[code]
  if (hit !== undefined) return hit
  // OpenSSL verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE for an unknown CA, …) and Node's.
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('UNABLE_TO_') || code.includes('CERT') || code === 'EPROTO') return 'tls'
  return undefined
}
