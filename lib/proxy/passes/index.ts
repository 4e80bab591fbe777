import type { GatewayConfig } from '../../config/index.js'
import type { Logger } from '../../log/index.js'
import type { Metrics } from '../../metrics/index.js'
import type { DeviceRegistry } from '../device-registry.js'
import type { ProxyRequest, Verdict } from '../proxy-request.js'
import { clampHeartbeat } from './clamp-heartbeat.js'
import { holdPing } from './hold-ping.js'
import { limitConnections } from './limit-connections.js'
import type { PassLimits } from './limit-context.js'
import { limitDeviceRate } from './limit-device-rate.js'
import { limitGlobalRate } from './limit-global-rate.js'
import { limitHeldPings } from './limit-held-pings.js'
import { parsePing } from './parse-ping.js'
import { rejectMalformedQuery } from './reject-malformed-query.js'
import { trackDevice } from './track-device.js'

/** What a pass sees: the request (context and buffered body) and the gateway's services. */
export interface PassContext {
  readonly pr: ProxyRequest
  readonly config: GatewayConfig
  readonly state: { readonly draining: boolean }
  readonly devices: DeviceRegistry
  readonly metrics: Metrics
  readonly logger: Logger
  /** Storm protection; absent when none is wired (stub contexts). */
  readonly limits?: PassLimits
}

/** A local decision before the upstream: a Verdict answers the device and stops the chain. */
export type Pass = (ctx: PassContext) => Verdict | undefined

/** The incoming passes, in the order they run. Explicit on purpose: never derived from keys. */
export const INCOMING_PASSES: readonly Pass[] = [
  rejectMalformedQuery,
  limitConnections,
  trackDevice,
  limitDeviceRate,
  parsePing,
  clampHeartbeat,
  // The held-Ping cap and the global rate come last before holdPing: a refused Ping never
  // supersedes its device's held one, and only requests about to be forwarded spend a token.
  limitHeldPings,
  limitGlobalRate,
  holdPing
]

/** Runs passes in order; the first Verdict wins. */
export function runPasses (passes: readonly Pass[], ctx: PassContext): Verdict | undefined {
  for (const pass of passes) {
    const v = pass(ctx)
    if (v !== undefined) return v
  }
  return undefined
}
