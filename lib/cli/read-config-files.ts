import { resolve } from 'node:path'
import { createSecureContext } from 'node:tls'
import type { GatewayConfig } from '../config/index.js'
import { GatewayError } from '../errors.js'
import { errorCode, readOrThrow } from './cli-error.js'
import type { CliIo } from './io.js'

/** The PEM material a config names, read and checked. */
export interface ConfigFiles {
  readonly tls?: { readonly key: string, readonly cert: string }
  /** CA PEM by upstream name. */
  readonly ca: Readonly<Record<string, string>>
}

/**
 * Reads the TLS key/certificate and upstream CA files a config names (relative to the config's
 * folder) and checks they are usable, so `check` and `serve` refuse the same configs with a
 * message instead of an OpenSSL stack trace at start-up or a TLS failure on every request later.
 * Throws GW_ERR_CONFIG_UNREADABLE or GW_ERR_CONFIG_INVALID naming the setting and the file.
 */
export async function readConfigFiles (config: GatewayConfig, base: string, io: CliIo): Promise<ConfigFiles> {
  const read = async (what: string, p: string): Promise<string> => await readOrThrow(io.readFile, resolve(base, p), `${what} ${p}`)
  const usable = (what: string, options: { ca?: string, key?: string, cert?: string }): void => {
    try { createSecureContext(options) } catch (err) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${what} cannot be used: ${err instanceof Error ? err.message : String(err)} (${errorCode(err) ?? 'invalid'})`, { cause: err })
    }
  }
  const ca: Record<string, string> = {}
  for (const u of config.upstreams) {
    if (u.ca === undefined) continue
    const pem = await read(`upstreams "${u.name}" ca`, u.ca)
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new GatewayError('GW_ERR_CONFIG_INVALID', `upstreams "${u.name}" ca ${u.ca} holds no PEM certificate`)
    usable(`upstreams "${u.name}" ca ${u.ca}`, { ca: pem })
    ca[u.name] = pem
  }
  const t = config.listen.tls
  if (t === undefined) return { ca }
  const tls = { key: await read('listen.tls.key', t.key), cert: await read('listen.tls.cert', t.cert) }
  // Not PEM, or a key that does not match: the HTTPS server would throw it, with a stack trace.
  usable(`listen.tls cert ${t.cert} / key ${t.key}`, tls)
  return { ca, tls }
}
