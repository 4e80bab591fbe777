import type { GatewayConfig } from '../../config/index.js'
import type { ProxyRequest, Verdict } from '../proxy-request.js'
import { rejectMalformedQuery } from './reject-malformed-query.js'

/** What a pass sees: the request (context and buffered body) and the gateway's settings. */
export interface PassContext {
  readonly pr: ProxyRequest
  readonly config: GatewayConfig
  readonly state: { readonly draining: boolean }
}

/** A local decision before the upstream: a Verdict answers the device and stops the chain. */
export type Pass = (ctx: PassContext) => Verdict | undefined

/** The incoming passes, in the order they run. Explicit on purpose: never derived from keys. */
export const INCOMING_PASSES: readonly Pass[] = [
  rejectMalformedQuery
]

/** Runs passes in order; the first Verdict wins. */
export function runPasses (passes: readonly Pass[], ctx: PassContext): Verdict | undefined {
  for (const pass of passes) {
    const v = pass(ctx)
    if (v !== undefined) return v
  }
  return undefined
}
