import { classifyConnectError, errorCode } from '../upstream/index.js'
import type { Outcome, UpstreamFailure } from './outcome.js'

/** An upstream error, classified: the outcome it means and the finer reason for logs and metrics. */
export interface ClassifiedError { readonly outcome: Outcome, readonly reason: UpstreamFailure, readonly code: string }

/** Codes of an upstream that closed or broke the connection once the request was under way. */
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'HPE_INVALID_CONSTANT'])

/**
 * Classifies an error from undici's dispatch by its `code` (never by message or class, as undici's
 * Errors.md advises). Connect failures (DNS, refused, connect timeout, TLS) use the same table as
 * the pool's health checks, so logs, metrics and ejection never disagree about a cause.
 */
export function classifyUpstreamError (err: unknown): ClassifiedError {
  const code = errorCode(err)
  const connect = classifyConnectError(err)
  if (connect !== undefined) return { outcome: 'upstream_unreachable', reason: connect, code }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { outcome: 'upstream_timeout', reason: 'timeout', code }
  return { outcome: 'upstream_reset', reason: RESET_CODES.has(code) ? 'reset' : 'other', code }
}
