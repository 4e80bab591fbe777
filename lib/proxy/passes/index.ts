import type { AccessController } from '../../access/index.js'
import type { GatewayConfig } from '../../config/index.js'
import type { Logger } from '../../log/index.js'
import type { Metrics } from '../../metrics/index.js'
import type { DeviceRegistry } from '../device-registry.js'
import type { RequestState, StateChange } from '../request-state.js'
import type { RequestControl, Verdict } from '../verdict.js'
import { clampHeartbeat } from './clamp-heartbeat.js'
import { controlAccess } from './control-access.js'
import { holdPing } from './hold-ping.js'
import type { PassLimits } from './limit-context.js'
import { limitDeviceRate } from './limit-device-rate.js'
import { limitGlobalRate } from './limit-global-rate.js'
import { limitHeldPings } from './limit-held-pings.js'
import { parsePing } from './parse-ping.js'
import { rejectMalformedQuery } from './reject-malformed-query.js'
import { trackDevice } from './track-device.js'

/** What a pass sees: the request's state record and the gateway's services. */
export interface PassContext {
  /** The request's plain state record (read it; change it by returning a {@link StateChange}). */
  readonly request: Readonly<RequestState>
  /** Ending the request later (supersede) and hearing when it ends. */
  readonly control: RequestControl
  readonly config: GatewayConfig
  readonly gateway: { readonly draining: boolean }
  readonly devices: DeviceRegistry
  readonly metrics: Metrics
  readonly logger: Logger
  /** Storm protection; absent when none is wired (stub contexts). */
  readonly limits?: PassLimits
  /** Device access control; absent without `access.policy` (held Pings are then never re-checked). */
  readonly access?: { readonly controller?: AccessController }
}

/**
 * A local decision before the upstream: a Verdict answers the device and stops the chain; a
 * StateChange is applied to the request's state record and the chain goes on.
 */
export type Pass = (ctx: PassContext) => Verdict | StateChange | undefined

/** The incoming passes, in the order they run. Explicit on purpose: never derived from keys. */
export const INCOMING_PASSES: readonly Pass[] = [
  rejectMalformedQuery,
  trackDevice,
  // After the device is tracked (so /devices shows blocked devices too), before anything that
  // spends a budget or reaches the upstream.
  controlAccess,
  limitDeviceRate,
  parsePing,
  clampHeartbeat,
  // The held-Ping cap and the global rate come last before holdPing: a refused Ping never
  // supersedes its device's held one, and only requests about to be forwarded spend a token.
  limitHeldPings,
  limitGlobalRate,
  holdPing
]

/**
 * Runs passes in order on `ctx.request`; the first Verdict wins. The caller builds `ctx` once per
 * request as a literal (no spread: a copy of the services per request was measurable, issue #14).
 */
export function runPasses (passes: readonly Pass[], ctx: PassContext & { readonly request: RequestState }): Verdict | undefined {
  const state = ctx.request
  for (const pass of passes) {
    const r = pass(ctx)
    if (r === undefined) continue
    if (isVerdict(r)) return r
    Object.assign(state, r)
  }
  return undefined
}

function isVerdict (r: Verdict | StateChange): r is Verdict {
  return 'status' in r
}
