import type { IncomingMessage } from 'node:http'
import type { GatewayConfig } from '../config/index.js'

/** Where a device request goes: forwarded as EAS, refused (404), or wrong method (405). */
export type Route = 'eas' | 'not_found' | 'method_not_allowed'

const EAS_PATH = '/microsoft-server-activesync'
const AUTODISCOVER_PATH = '/autodiscover/autodiscover.xml'

/**
 * Only the EAS path is forwarded (any case, MS-ASHTTP §2.2.1.1.1; POST and OPTIONS), plus
 * Autodiscover when enabled. Everything else is a 404: the gateway is never an open proxy.
 */
export function routeRequest (req: IncomingMessage, config: GatewayConfig): Route {
  const url = req.url ?? ''
  if (!url.startsWith('/')) return 'not_found'
  const q = url.indexOf('?')
  const path = (q >= 0 ? url.slice(0, q) : url).toLowerCase()
  if (path === EAS_PATH || path === EAS_PATH + '/') {
    return req.method === 'POST' || req.method === 'OPTIONS' ? 'eas' : 'method_not_allowed'
  }
  if (config.proxy.autodiscover && path === AUTODISCOVER_PATH) {
    return req.method === 'POST' ? 'eas' : 'method_not_allowed'
  }
  return 'not_found'
}
