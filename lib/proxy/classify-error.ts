import type { Outcome, UpstreamFailure } from './outcome.js'

/** Error codes of a failed TLS handshake or certificate check (Node / OpenSSL). */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO', 'ERR_TLS_HANDSHAKE_TIMEOUT'
])

/** An upstream error, classified: the outcome it means and the finer reason for logs and metrics. */
export interface ClassifiedError { readonly outcome: Outcome, readonly reason: UpstreamFailure, readonly code: string }

/**
 * Classifies an error from undici's dispatch by its `code` (never by message or class, as undici's
 * Errors.md advises). `responseStarted` tells a reset before the answer from one mid-body.
 */
export function classifyUpstreamError (err: unknown): ClassifiedError {
  const e = err as { code?: unknown, cause?: { code?: unknown } } | null
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : 'UNKNOWN'
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return { outcome: 'upstream_unreachable', reason: 'dns', code }
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { outcome: 'upstream_unreachable', reason: 'refused', code }
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { outcome: 'upstream_unreachable', reason: 'connect_timeout', code }
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { outcome: 'upstream_timeout', reason: 'timeout', code }
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'HPE_INVALID_CONSTANT':
      return { outcome: 'upstream_reset', reason: 'reset', code }
    default:
      if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
        return { outcome: 'upstream_unreachable', reason: 'tls', code }
      }
      return { outcome: 'upstream_reset', reason: 'other', code }
  }
}
