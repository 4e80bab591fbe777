import { encodePingResponse } from '../eas/index.js'
import type { Verdict } from './verdict.js'

/** Content type of every WBXML body (MS-ASHTTP §2.2.1.1.2.1). */
export const WBXML_TYPE = 'application/vnd.ms-sync.wbxml'

const STATUS_1 = encodePingResponse({ status: 1 })

/**
 * HTTP 200 with Ping Status 1 ("heartbeat expired, nothing changed"): the answer for a Ping the
 * gateway ends itself (drain, supersede, upstream reset or timeout during a hold). The device
 * re-Pings at once; a 5xx instead makes iOS back off and, after several, re-download whole
 * folders (PROTOCOL.md §1.7).
 */
export function pingStatus1 (reason: string): Verdict {
  return { status: 200, reason, headers: { 'content-type': WBXML_TYPE }, body: STATUS_1 }
}
