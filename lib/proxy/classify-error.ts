import { classifyConnectError, errorCode } from '../upstream/index.js'
import type { Outcome, UpstreamFailure } from './outcome.js'

/** An upstream error, classified: the outcome it means and the finer reason for logs and metrics. */
export interface ClassifiedError { readonly outcome: Outcome, readonly reason: UpstreamFailure, readonly code: string }

/** Codes of an upstream that closed or broke the connection once the request was under way. */
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'GW_ERR_UPSTREAM_STREAM_RESET'])

/** The gateway itself ran out of file descriptors: no fault of the upstream's. */
const FD_CODES = new Set(['EMFILE', 'ENFILE'])

/**
 * Classifies an error from undici's dispatch by its `code` (never by message or class, as undici's
 * Errors.md advises). Connect failures (DNS, refused, connect timeout, TLS) use the same table as
 * the pool's health checks, so logs, metrics and ejection never disagree about a cause. A response
 * undici's parser refused (`HPE_*`) is `bad_response`; running out of descriptors is
 * `fd_exhausted`, the gateway's own trouble, never blamed on the upstream as a reset.
 */
export function classifyUpstreamError (err: unknown): ClassifiedError {
  // undici's HTTPParserError (a response its llhttp parser refused) often carries no code.
  if ((err as Error | null)?.name === 'HTTPParserError') {
    const own = errorCode(err)
    return { outcome: 'upstream_reset', reason: 'bad_response', code: own === 'UNKNOWN' ? 'HTTPParserError' : own }
  }
  const code = errorCode(err)
  if (FD_CODES.has(code)) return { outcome: 'upstream_unreachable', reason: 'fd_exhausted', code }
  const connect = classifyConnectError(err)
  if (connect !== undefined) return { outcome: 'upstream_unreachable', reason: connect, code }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { outcome: 'upstream_timeout', reason: 'timeout', code }
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'GW_ERR_PROXY_RELAY_ORDER') return { outcome: 'upstream_reset', reason: 'bad_response', code }
  return { outcome: 'upstream_reset', reason: RESET_CODES.has(code) ? 'reset' : 'other', code }
}
