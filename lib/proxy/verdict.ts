import type { OutgoingHttpHeaders } from 'node:http'
import type { LocalOutcome } from './outcome.js'

/** A local answer: what a pass or the gateway itself sends instead of forwarding. */
export interface Verdict {
  readonly status: number
  readonly headers?: OutgoingHttpHeaders
  readonly body?: Uint8Array
  /** Short machine-readable reason for the access log (`heartbeat_clamped`, `draining`, …). */
  readonly reason: string
  /** The outcome it counts as: a refusal says why (README § Outcomes). Default: `answered_locally` */
  readonly outcome?: LocalOutcome
  /** Catalog code (README § Error codes) of a refusal, for the access log (`GW_ERR_WBXML_TRUNCATED`, …). */
  readonly code?: string
  /** The access decision behind this answer (a held Ping a reload blocked), for the access line. */
  readonly access?: { readonly decision: string, readonly rule: string }
}

/** What a pass may do to its request besides returning a Verdict: end it later, or hear when it ends. */
export interface RequestControl {
  /** Ends the request on the gateway's behalf (supersede, drain): answered if possible, else cut. */
  endByGateway (v: Verdict): void
  /** Calls `listener.requestDone()` once when the request has its outcome. */
  onDone (listener: DoneListener): void
}

/**
 * Hears when a request ends. An object, not a callback: what listens (a held Ping) is already an
 * object that lives as long as the request, so no closure is kept alive beside it.
 */
export interface DoneListener {
  requestDone (): void
}
