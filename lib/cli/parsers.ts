import { normalizeCommand, parseEasQuery } from '../eas/index.js'
import type { ContextParsers } from '../proxy/index.js'

/** The EAS parsers the proxy builds request contexts with: both query forms (MS-ASHTTP §2.2.1.1.1). */
export const contextParsers: ContextParsers = {
  parseQuery (search) {
    const q = parseEasQuery(search)
    return {
      command: q.command,
      user: q.user,
      deviceId: q.deviceId,
      deviceType: q.deviceType,
      protocolVersion: q.protocolVersion,
      policyKey: q.policyKey === undefined ? undefined : String(q.policyKey)
    }
  },
  commandLabel: normalizeCommand
}
