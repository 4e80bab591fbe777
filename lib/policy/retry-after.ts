/**
 * The `Retry-After` header value (RFC 9110 §10.2.3: whole seconds) for a wait in milliseconds:
 * rounded up, at least 1, so a device is never told to retry at once.
 */
export function retryAfterHeader (ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)))
}
