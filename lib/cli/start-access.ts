import { resolve } from 'node:path'
import { createAccessController, createBearerVerifier, watchPolicyFile, type AccessController, type BearerVerifier, type Timers } from '../access/index.js'
import { DEFAULT_USER_CLAIMS, formatDiagnostic, type GatewayConfig } from '../config/index.js'
import type { Logger } from '../log/index.js'
import type { CliIo } from './io.js'

/** Device access control as serve runs it: what the gateway needs, and how to reload and stop it. */
export interface RunningAccess {
  readonly deps: { readonly controller?: AccessController, readonly verifier?: BearerVerifier }
  /** SIGHUP: re-reads the policy (kept when invalid) and a `jwksFile`. Never rejects. */
  reload (): Promise<void>
  stop (): void
}

/** Real timers that never keep the process alive on their own. */
const TIMERS: Timers = {
  setTimeout: (fn, ms) => { const h = setTimeout(fn, ms); h.unref(); return h },
  clearTimeout: (h) => { clearTimeout(h as NodeJS.Timeout) }
}

/**
 * Builds access control from `access:` and `auth.bearer` (paths relative to the config's folder):
 * loads the policy with the checks of `gateway lint` (an invalid one refuses the start, with its
 * findings), starts its lists and the file watcher, and builds the Bearer verifier. Returns the
 * message to print when the start is refused.
 */
export async function startAccess (config: GatewayConfig, base: string, io: CliIo, logger: Logger): Promise<RunningAccess | string> {
  let controller: AccessController | undefined
  let stopWatch: (() => void) | undefined
  const policy = config.access.policy
  if (policy !== undefined) {
    const file = resolve(base, policy)
    controller = createAccessController({
      policyFile: file,
      readFile: io.readFile,
      timers: TIMERS,
      now: Date.now,
      logger,
      ...(config.access.cacheDir !== undefined ? { cacheDir: resolve(base, config.access.cacheDir) } : {})
    })
    const r = await controller.reload()
    for (const d of r.findings) io.stderr(formatDiagnostic(d) + '\n')
    if (!r.ok) { controller.close(); return `gateway: GW_ERR_CONFIG_INVALID: access.policy ${policy}: policy refused, not starting\n` }
    if (config.access.watch) {
      const c = controller
      stopWatch = watchPolicyFile({ file, timers: TIMERS, logger, onChange: () => { void c.reload() } })
    }
  }
  let verifier: BearerVerifier | undefined
  const bearer = config.auth.bearer
  const readKeys = async (): Promise<import('jose').JSONWebKeySet | string> => {
    if (bearer?.jwksFile === undefined) return { keys: [] }
    try { return JSON.parse(await io.readFile(resolve(base, bearer.jwksFile))) as import('jose').JSONWebKeySet } catch (err) {
      return `gateway: GW_ERR_CONFIG_INVALID: auth.bearer.jwksFile ${bearer.jwksFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`
    }
  }
  if (bearer !== undefined) {
    const jwks = await readKeys()
    if (typeof jwks === 'string') { controller?.close(); stopWatch?.(); return jwks }
    verifier = createBearerVerifier({ config: { ...bearer, userClaims: bearer.userClaims ?? DEFAULT_USER_CLAIMS }, jwks, now: Date.now })
  }
  return {
    deps: { ...(controller !== undefined ? { controller } : {}), ...(verifier !== undefined ? { verifier } : {}) },
    async reload () {
      await controller?.reload()
      if (bearer?.jwksFile !== undefined && verifier !== undefined) {
        const jwks = await readKeys()
        if (typeof jwks === 'string') logger.error({ code: 'GW_ERR_CONFIG_INVALID' }, jwks.trim() + ' (the previous keys stay in force)')
        else verifier.setKeys(jwks)
      }
    },
    stop () { stopWatch?.(); controller?.close() }
  }
}
