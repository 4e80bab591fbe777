import { encodePingResponse, parsePingRequest } from '../../eas/index.js'
import { isGatewayError } from '../../errors.js'
import { WBXML_TYPE } from '../ping-answers.js'
import type { Pass } from './index.js'

/**
 * Parses a Ping body (MS-ASCMD §2.2.1.13): every Ping, whatever its framing, since body intake
 * always buffers one. Malformed WBXML is answered 400 and never forwarded. A well-formed body
 * that is not a valid Ping gets Ping Status 4 (protocol error), the server's own answer
 * (§2.2.3.177.10). A Ping without HeartbeatInterval (an empty body, or Folders only) reuses the
 * device's last heartbeat (§3.1.5.8).
 */
export const parsePing: Pass = ({ request }) => {
  if (request.ctx.command !== 'Ping' || request.ctx.method !== 'POST' || request.body === undefined) return undefined
  let parsed
  try {
    parsed = parsePingRequest(request.body)
  } catch (err) {
    if (!isGatewayError(err)) throw err
    if (err.code === 'GW_ERR_EAS_BAD_REQUEST') {
      return { status: 200, reason: 'ping_invalid', outcome: 'refused_malformed', code: err.code, headers: { 'content-type': WBXML_TYPE }, body: encodePingResponse({ status: 4 }) }
    }
    return { status: 400, reason: 'bad_wbxml', outcome: 'refused_malformed', code: err.code, headers: { connection: 'close' } }
  }
  // The server caches HeartbeatInterval and reuses it whenever a Ping omits it: empty body or
  // Folders only (§3.1.5.8), so the gateway does the same with its own cache.
  const last = request.device?.heartbeat
  const heartbeat = parsed.empty ? last : parsed.heartbeatInterval ?? last
  return { ping: { heartbeat, empty: parsed.empty, folders: parsed.empty ? undefined : parsed.folders.length } }
}
