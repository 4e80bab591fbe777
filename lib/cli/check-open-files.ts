import type { GatewayConfig } from '../config/index.js'

/** Descriptors the gateway needs besides connections: listeners, logs, health checks, DNS. */
const BASE_DESCRIPTORS = 100

/**
 * The warning to print when the process's open-files limit is below what the config needs: one
 * descriptor per device connection (`limits.maxConnections`), one per held upstream Ping
 * (`limits.maxHeldPings`), plus a base. Reads the soft limit from /proc/self/limits (Linux);
 * undefined when the limit suffices or cannot be read.
 */
export function openFilesWarning (config: GatewayConfig, procLimits: string | undefined): string | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(procLimits ?? '')
  if (m === null || m[1] === 'unlimited') return undefined
  const soft = Number(m[1])
  const need = config.limits.maxConnections + config.limits.maxHeldPings + BASE_DESCRIPTORS
  if (soft >= need) return undefined
  return `the open-files limit is ${soft}, below the ${need} descriptors this config can need ` +
    `(limits.maxConnections ${config.limits.maxConnections} + limits.maxHeldPings ${config.limits.maxHeldPings} + ${BASE_DESCRIPTORS}): ` +
    'raise it (ulimit -n, LimitNOFILE= in systemd) or lower the limits, or connections will fail with EMFILE'
}
