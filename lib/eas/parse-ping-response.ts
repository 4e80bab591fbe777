import { decodeWbxml } from './wbxml/decode-wbxml.js'
import { childElements, textContent } from './wbxml/wbxml-node.js'

/** What a server's Ping answer says about the heartbeat (MS-ASCMD §2.2.3.177.10, §2.2.3.79.1). */
export interface PingAnswer {
  readonly status: number
  /** The allowed heartbeat a Status 5 carries (seconds). */
  readonly heartbeatInterval: number | undefined
}

/**
 * Reads the Status and HeartbeatInterval of a server's Ping response. Undefined for anything that
 * is not a well-formed Ping response (an empty body, as Horde sends for a superseded Ping, or
 * malformed WBXML): the gateway relays such answers untouched and learns nothing from them.
 */
export function parsePingResponse (body: Uint8Array): PingAnswer | undefined {
  if (body.length === 0) return undefined
  let root
  try {
    root = decodeWbxml(body)
  } catch {
    return undefined
  }
  if (root.namespace !== 'Ping' || root.tag !== 'Ping') return undefined
  let status: number | undefined
  let heartbeatInterval: number | undefined
  for (const child of childElements(root)) {
    if (child.namespace !== 'Ping') continue
    if (child.tag === 'Status') status = wholeNumber(textContent(child))
    else if (child.tag === 'HeartbeatInterval') heartbeatInterval = wholeNumber(textContent(child))
  }
  return status === undefined ? undefined : { status, heartbeatInterval }
}

function wholeNumber (s: string | undefined): number | undefined {
  const v = (s ?? '').trim()
  return /^\d{1,6}$/.test(v) ? Number(v) : undefined
}
