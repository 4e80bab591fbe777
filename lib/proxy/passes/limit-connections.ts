import type { Pass } from './index.js'
import { limitVerdict } from './limit-verdict.js'

/**
 * A request on a connection accepted over `limits.maxConnections` is answered 503 with
 * Retry-After and `Connection: close`, which frees the connection: a clear answer, not a drop.
 */
export const limitConnections: Pass = ({ limits }) => {
  if (limits === undefined) return undefined
  return limitVerdict(limits, limits.connection, true)
}
