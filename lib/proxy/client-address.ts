import { BlockList, isIP } from 'node:net'
import { parseCidr } from '../config/index.js'

/** Resolves the device's address from the socket peer and X-Forwarded-For (README § Logs). */
export type ClientAddressResolver = (peer: string | undefined, forwardedFor: string | undefined) => string | undefined

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) as `192.0.2.1`. */
export function plainAddress (a: string): string {
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a
}

/**
 * Builds the resolver for `listen.trustedProxies` (CIDR list): X-Forwarded-For is believed only
 * when the socket peer is a trusted proxy; then its entries are read right to left, past every
 * trusted proxy, and the first address that is not one is the client (nginx's
 * `real_ip_recursive on`). An entry that is not an IP address stops the walk at the last good
 * one. Without trusted proxies, or from any other peer, the client is the peer: a device cannot
 * claim another address by sending X-Forwarded-For.
 */
export function createClientAddressResolver (trustedProxies: readonly string[]): ClientAddressResolver {
  if (trustedProxies.length === 0) return (peer) => peer === undefined ? undefined : plainAddress(peer)
  const trusted = new BlockList()
  for (const cidr of trustedProxies) {
    const parsed = parseCidr(cidr)
    if (parsed !== undefined) trusted.addSubnet(parsed.address, parsed.prefix, parsed.family)
  }
  const isTrusted = (a: string): boolean => {
    const family = isIP(a)
    return family !== 0 && trusted.check(a, family === 4 ? 'ipv4' : 'ipv6')
  }
  return (peer, forwardedFor) => {
    if (peer === undefined) return undefined
    let client = plainAddress(peer)
    if (forwardedFor === undefined || !isTrusted(client)) return client
    const hops = forwardedFor.split(',')
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plainAddress((hops[i] as string).trim())
      if (isIP(hop) === 0) break
      client = hop
      if (!isTrusted(hop)) break
    }
    return client
  }
}
