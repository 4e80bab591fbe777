import { resolve } from 'node:path'
import { createSecureContext } from 'node:tls'
import { formatPath, type Diagnostic, type DocPath, type GatewayConfig, type LoadedGatewayConfig } from '../config/index.js'
import { GatewayError, type ErrorCode } from '../errors.js'
import { errorCode, readFailure } from './cli-error.js'
import type { CliIo } from './io.js'

/** The PEM material a config names, read and checked. */
export interface ConfigFiles {
  readonly tls?: { readonly key: string, readonly cert: string }
  /** CA PEM by upstream name. */
  readonly ca: Readonly<Record<string, string>>
  /** The admin listener's credential and HTTPS material (README § Admin listener). */
  readonly admin?: { readonly token?: string, readonly tls?: { readonly key: string, readonly cert: string, readonly ca?: string } }
}

/** A loaded config without errors: the values, and where each stands in its file. */
export type ValidLoadedConfig = Pick<LoadedGatewayConfig, 'positions' | 'source'> & { readonly config: GatewayConfig }

/**
 * Reads the TLS key/certificate and upstream CA files a config names (relative to the config's
 * folder) and checks they are usable, so `check` and `serve` refuse the same configs with a
 * message instead of an OpenSSL stack trace at start-up or a TLS failure on every request later.
 * Throws GW_ERR_CONFIG_UNREADABLE or GW_ERR_CONFIG_INVALID with one diagnostic attached: at the
 * file:line:col of the key that names the file (`key:`, `ca:`), with the path it resolved to.
 */
export async function readConfigFiles (loaded: ValidLoadedConfig, base: string, io: CliIo): Promise<ConfigFiles> {
  const refuse = (code: ErrorCode, path: DocPath, rule: Pick<Diagnostic, 'code' | 'rule'>, message: string, detail: string, cause?: unknown): GatewayError => {
    const { line, col } = loaded.positions.keyAt(path)
    const err = new GatewayError(code, detail, { cause })
    err.diagnostics = [{ ...rule, severity: 'error', file: loaded.source.file, line, col, path, message: `${formatPath(path)}: ${message}` }]
    return err
  }
  const read = async (path: DocPath, p: string): Promise<string> => {
    const full = resolve(base, p)
    try { return await io.readFile(full) } catch (err) {
      const why = readFailure(err)
      throw refuse('GW_ERR_CONFIG_UNREADABLE', path, { code: 'GW0010', rule: 'unreadable-file' }, `cannot read ${p} (resolved to ${full}): ${why}`, `${full}: ${why}`, err)
    }
  }
  const usable = (path: DocPath, what: string, options: { ca?: string, key?: string, cert?: string }): void => {
    try { createSecureContext(options) } catch (err) {
      const why = `${err instanceof Error ? err.message : String(err)} (${errorCode(err) ?? 'invalid'})`
      throw refuse('GW_ERR_CONFIG_INVALID', path, { code: 'GW0006', rule: 'invalid-value' }, `${what} cannot be used: ${why}`, `${what} cannot be used: ${why}`, err)
    }
  }
  const ca: Record<string, string> = {}
  for (const [i, u] of loaded.config.upstreams.entries()) {
    if (u.ca === undefined) continue
    const path = ['upstreams', i, 'ca']
    const pem = await read(path, u.ca)
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      const why = `upstreams "${u.name}" ca ${u.ca} holds no PEM certificate`
      throw refuse('GW_ERR_CONFIG_INVALID', path, { code: 'GW0006', rule: 'invalid-value' }, why, why)
    }
    usable(path, `upstreams "${u.name}" ca ${u.ca}`, { ca: pem })
    ca[u.name] = pem
  }
  const admin = await readAdminFiles(loaded.config, read, usable, refuse)
  const t = loaded.config.listen.tls
  if (t === undefined) return { ca, ...admin }
  const tls = { key: await read(['listen', 'tls', 'key'], t.key), cert: await read(['listen', 'tls', 'cert'], t.cert) }
  // Not PEM, or a key that does not match: the HTTPS server would throw it, with a stack trace.
  usable(['listen', 'tls', 'cert'], `listen.tls cert ${t.cert} / key ${t.key}`, tls)
  return { ca, tls, ...admin }
}

type Refuse = (code: ErrorCode, path: DocPath, rule: Pick<Diagnostic, 'code' | 'rule'>, message: string, detail: string) => GatewayError

/** admin.auth.tokenFile (one non-empty token, whitespace around it ignored) and admin.tls. */
async function readAdminFiles (config: GatewayConfig, read: (path: DocPath, p: string) => Promise<string>, usable: (path: DocPath, what: string, o: { ca?: string, key?: string, cert?: string }) => void, refuse: Refuse): Promise<{ admin?: NonNullable<ConfigFiles['admin']> }> {
  const a = config.admin
  if (a.auth?.tokenFile === undefined && a.tls === undefined) return {}
  let token: string | undefined
  if (a.auth?.tokenFile !== undefined) {
    const path = ['admin', 'auth', 'tokenFile']
    token = (await read(path, a.auth.tokenFile)).trim()
    if (token === '' || /\s/.test(token)) {
      const why = `admin.auth.tokenFile ${a.auth.tokenFile} must hold one token (no spaces), got ${token === '' ? 'an empty file' : 'several words'}`
      throw refuse('GW_ERR_CONFIG_INVALID', path, { code: 'GW0006', rule: 'invalid-value' }, why, why)
    }
  }
  let tls: { key: string, cert: string, ca?: string } | undefined
  if (a.tls !== undefined) {
    tls = { key: await read(['admin', 'tls', 'key'], a.tls.key), cert: await read(['admin', 'tls', 'cert'], a.tls.cert) }
    usable(['admin', 'tls', 'cert'], `admin.tls cert ${a.tls.cert} / key ${a.tls.key}`, tls)
    if (a.tls.clientCa !== undefined) {
      const ca = await read(['admin', 'tls', 'clientCa'], a.tls.clientCa)
      usable(['admin', 'tls', 'clientCa'], `admin.tls clientCa ${a.tls.clientCa}`, { ca })
      tls.ca = ca
    }
  }
  return { admin: { ...(token !== undefined ? { token } : {}), ...(tls !== undefined ? { tls } : {}) } }
}
