import { encodeBlockedResponse } from '../eas/index.js'
import type { AccessDecision, AccessRequest } from './access-types.js'
import { versionNumber } from './match-pattern.js'

/** How the gateway answers a refused request itself. */
export type AccessAnswer =
  | { readonly status: 200, readonly contentType: 'application/vnd.ms-sync.wbxml', readonly body: Uint8Array, readonly easStatus: number }
  | { readonly status: 403 }

/** Common status codes (> 100) are understood from protocol 14.0 on (PROTOCOL.md §4). */
const STATUS_BODY_FROM = 1400

/**
 * The answer to a request the policy does not forward, the EAS way and never a 5xx (PROTOCOL.md
 * §4): at protocol 14.0 and later HTTP 200 with the command's own root element and the common
 * Status (129 DeviceIsBlockedForThisUser, 126/130, 177 MaximumDevicesReached); at 12.1 and
 * earlier, with no protocol version, for OPTIONS, and for commands without a status-bearing body
 * (GetAttachment, the 2.x commands), HTTP 403 without a body. Undefined when the request is forwarded.
 */
export function accessAnswer (d: AccessDecision, req: AccessRequest): AccessAnswer | undefined {
  if (d.forward) return undefined
  const version = versionNumber(req.protocolVersion)
  if (req.method.toUpperCase() !== 'POST' || version === undefined || version < STATUS_BODY_FROM) return { status: 403 }
  const easStatus = d.status ?? 129
  const body = encodeBlockedResponse(req.command, easStatus)
  return body === null ? { status: 403 } : { status: 200, contentType: 'application/vnd.ms-sync.wbxml', body, easStatus }
}
