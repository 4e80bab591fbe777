import { resolve } from 'node:path'
import { formatDiagnostic, type GatewayConfig } from '../config/index.js'
import { lintAccessPolicy } from '../lint/index.js'
import type { CliIo } from './io.js'

/**
 * Checks the files `access:` and `auth.bearer` name, relative to the config's folder: the policy
 * file with the same checks as `gateway lint DEVICES.yaml` (findings printed; any error refuses),
 * and a `jwksFile` that must hold a JSON Web Key Set. Returns false when the config is refused.
 */
export async function checkAccessFiles (config: GatewayConfig, base: string, io: CliIo): Promise<boolean> {
  const policy = config.access.policy
  if (policy !== undefined) {
    const file = resolve(base, policy)
    let text: string
    try { text = await io.readFile(file) } catch (err) {
      io.stderr(`gateway: GW_ERR_CONFIG_UNREADABLE: cannot read access.policy ${policy}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
      return false
    }
    const r = lintAccessPolicy({ file: policy, text })
    for (const d of r.findings) io.stderr(formatDiagnostic(d) + (d.hint !== undefined ? `\n  hint: ${d.hint}` : '') + '\n')
    if (r.policy === undefined) { io.stderr(`gateway: GW_ERR_CONFIG_INVALID: access.policy ${policy} has errors\n`); return false }
  }
  const jwks = config.auth.bearer?.jwksFile
  if (jwks !== undefined) {
    try {
      const doc = JSON.parse(await io.readFile(resolve(base, jwks))) as { keys?: unknown }
      if (!Array.isArray(doc.keys)) throw new Error('no "keys" array')
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      io.stderr(`gateway: GW_ERR_CONFIG_INVALID: auth.bearer.jwksFile ${jwks} is not a JSON Web Key Set: ${why}\n`)
      return false
    }
  }
  return true
}
