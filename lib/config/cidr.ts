import { isIP } from 'node:net'

/** A CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address (a /32 or /128); undefined when invalid. */
export function parseCidr (cidr: string): { address: string, prefix: number, family: 'ipv4' | 'ipv6' } | undefined {
  const slash = cidr.indexOf('/')
  const address = slash < 0 ? cidr : cidr.slice(0, slash)
  const family = isIP(address)
  if (family === 0) return undefined
  const max = family === 4 ? 32 : 128
  const prefixText = slash < 0 ? String(max) : cidr.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined
  return { address, prefix: Number(prefixText), family: family === 4 ? 'ipv4' : 'ipv6' }
}
