/**
 * The one runtime error catalog. Codes are append-only: once released, a code is never renamed or
 * reused. Every code is listed in README § Error codes (checked by test/errors.test.ts).
 * Match on `err.code`, never on the message text.
 */

/** One catalog entry: message template (`%s` is replaced by the detail), HTTP status if it escapes. */
interface ErrorSpec {
  readonly message: string
  readonly statusCode: number
}

/** Every runtime error the gateway can raise, by code. */
export const ERRORS = {
  GW_ERR_CONFIG_INVALID: { message: 'invalid configuration: %s', statusCode: 500 },
  GW_ERR_CONFIG_UNREADABLE: { message: 'cannot read %s', statusCode: 500 },
  GW_ERR_CLI_USAGE: { message: '%s (see gateway help)', statusCode: 500 },
  GW_ERR_CLI_WORKER_DIED: { message: 'worker process died: %s', statusCode: 500 },
  GW_ERR_EAS_BAD_QUERY: { message: 'malformed ActiveSync query: %s', statusCode: 400 },
  GW_ERR_EAS_BAD_REQUEST: { message: 'malformed ActiveSync request: %s', statusCode: 400 },
  GW_ERR_WBXML_INVALID: { message: 'malformed WBXML: %s', statusCode: 400 },
  GW_ERR_PROXY_BODY_TOO_LARGE: { message: 'request body too large: %s', statusCode: 413 },
  GW_ERR_UPSTREAM_UNREACHABLE: { message: 'upstream unreachable: %s', statusCode: 502 },
  GW_ERR_UPSTREAM_DNS: { message: 'upstream host name does not resolve: %s', statusCode: 502 },
  GW_ERR_UPSTREAM_RESET: { message: 'upstream closed the connection: %s', statusCode: 502 },
  GW_ERR_UPSTREAM_TIMEOUT: { message: 'upstream did not answer within easRequestTimeout: %s', statusCode: 504 },
  GW_ERR_PROXY_EXECUTION_TIMEOUT: { message: 'request exceeded executionTimeout: %s', statusCode: 504 },
  GW_ERR_PROXY_DEVICE_ABORT: { message: 'device closed the connection: %s', statusCode: 499 },
  GW_ERR_EAS_INVALID_RESPONSE: { message: 'cannot build ActiveSync response: %s', statusCode: 500 },
  GW_ERR_WBXML_TRUNCATED: { message: 'WBXML input ends early: %s', statusCode: 400 },
  GW_ERR_WBXML_BAD_HEADER: { message: 'unsupported WBXML header: %s', statusCode: 400 },
  GW_ERR_WBXML_BAD_MB_UINT32: { message: 'invalid WBXML multi-byte integer: %s', statusCode: 400 },
  GW_ERR_WBXML_UNKNOWN_PAGE: { message: 'unknown WBXML code page: %s', statusCode: 400 },
  GW_ERR_WBXML_UNKNOWN_TOKEN: { message: 'unknown WBXML tag token: %s', statusCode: 400 },
  GW_ERR_WBXML_UNSUPPORTED_TOKEN: { message: 'WBXML token not used by ActiveSync: %s', statusCode: 400 },
  GW_ERR_WBXML_TOO_DEEP: { message: 'WBXML nesting too deep: %s', statusCode: 400 },
  GW_ERR_WBXML_TOO_MANY_NODES: { message: 'WBXML document has too many nodes: %s', statusCode: 400 },
  GW_ERR_WBXML_TOO_LONG: { message: 'WBXML string or opaque data too long: %s', statusCode: 400 },
  GW_ERR_WBXML_BAD_UTF8: { message: 'WBXML string is not valid UTF-8: %s', statusCode: 400 },
  GW_ERR_WBXML_TRAILING_DATA: { message: 'unexpected bytes after the WBXML root element: %s', statusCode: 400 },
  GW_ERR_STATE_REDIS_UNAVAILABLE: { message: 'shared-state Redis unavailable, running on local state: %s', statusCode: 500 },
  GW_ERR_WBXML_ENCODE: { message: 'cannot encode WBXML: %s', statusCode: 500 },
  GW_ERR_PROXY_BODY_TIMEOUT: { message: 'request body stalled longer than deviceBodyIdle: %s', statusCode: 408 },
  GW_ERR_PROXY_HEADERS_TIMEOUT: { message: 'request headers not complete within deviceHeaders: %s', statusCode: 408 },
  GW_ERR_PROXY_HEADERS_TOO_LARGE: { message: 'request headers over proxy.maxHeaders or proxy.maxHeaderBytes: %s', statusCode: 431 },
  GW_ERR_PROXY_URL_TOO_LONG: { message: 'request URL over proxy.maxUrlBytes: %s', statusCode: 414 },
  GW_ERR_PROXY_BAD_REQUEST: { message: 'malformed HTTP request: %s', statusCode: 400 },
  GW_ERR_PROXY_RELAY_ORDER: { message: 'upstream callbacks out of order: %s', statusCode: 502 },
  GW_ERR_PROXY_FD_EXHAUSTED: { message: 'out of file descriptors (EMFILE/ENFILE): %s', statusCode: 503 },
  GW_ERR_PROXY_CONNECTIONS: { message: 'connection refused at limits.maxConnections: %s', statusCode: 503 },
  GW_ERR_PROXY_TLS_HANDSHAKE: { message: 'TLS handshake failed: %s', statusCode: 400 },
  GW_ERR_UPSTREAM_BAD_RESPONSE: { message: 'upstream sent a malformed HTTP response: %s', statusCode: 502 },
  GW_ERR_POLICY_TOKEN_INVALID: { message: 'Bearer token refused: %s', statusCode: 401 },
  GW_ERR_POLICY_KEYS_UNAVAILABLE: { message: 'cannot verify Bearer tokens, the issuer keys are unavailable: %s', statusCode: 503 },
  GW_ERR_POLICY_LIST_UNAVAILABLE: { message: 'compliance list unavailable: %s', statusCode: 503 },
  GW_ERR_POLICY_RELOAD_REFUSED: { message: 'device access policy not reloaded, the previous one stays in force: %s', statusCode: 500 },
  GW_ERR_UPSTREAM_NONE_ALIVE: { message: 'no upstream alive, request refused with Retry-After: %s', statusCode: 503 },
  GW_ERR_POLICY_LIMIT: { message: 'request refused by storm protection: %s', statusCode: 503 },
  GW_ERR_POLICY_DEVICE_REFUSED: { message: 'device refused by the access policy: %s', statusCode: 403 },
  GW_ERR_PROXY_PROXY_PROTOCOL: { message: 'missing or malformed PROXY protocol header: %s', statusCode: 400 },
  GW_ERR_UPSTREAM_STREAM_RESET: { message: 'upstream reset the HTTP/2 stream or ended its session: %s', statusCode: 502 }
} as const satisfies Record<string, ErrorSpec>

/** A code from the catalog. */
export type ErrorCode = keyof typeof ERRORS

/** Base class of every error the gateway raises on purpose. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError'
  readonly code: ErrorCode
  readonly statusCode: number
  /** Structured findings attached by the config boundary (GW_ERR_CONFIG_INVALID). */
  diagnostics?: readonly unknown[]

  constructor (code: ErrorCode, detail: string, options?: { cause?: unknown }) {
    super(ERRORS[code].message.replace('%s', detail), options)
    this.code = code
    this.statusCode = ERRORS[code].statusCode
  }
}

/** True when `err` is a GatewayError, optionally with the given code. */
export function isGatewayError (err: unknown, code?: ErrorCode): err is GatewayError {
  return err instanceof GatewayError && (code === undefined || err.code === code)
}
