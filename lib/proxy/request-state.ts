import { createHash } from 'node:crypto'
import { credentialDigest, type Admission } from '../access/index.js'
import type { DeviceEntry } from './device-registry.js'
import type { RequestContext } from './request-context.js'

/** What the Ping passes learnt from the body. */
export interface PingInfo {
  /** Requested heartbeat in seconds (reused from the device's last Ping for an empty body). */
  readonly heartbeat: number | undefined
  readonly empty: boolean
  readonly folders: number | undefined
}

/**
 * One request's plain state record: what the passes read, and what they change by returning a
 * {@link StateChange} (never by reaching into the request object). Built once per request.
 */
export interface RequestState {
  readonly ctx: RequestContext
  /** The device's Authorization header: never logged, only compared as {@link credential}. */
  readonly authorization: string | undefined
  /**
   * SHA-256 of the Authorization header (`` without one). Per-device state that a stranger could
   * otherwise spend or end (the rate bucket, supersede) is keyed on it: the gateway cannot check a
   * password, but it can tell the device's own credentials from someone else's.
   */
  readonly credential: string
  /**
   * Who holds the credentials, for superseding Pings: a digest of the Authorization header
   * (access control's `credentialDigest`), or the verified Bearer identity once access control
   * verified the token (stable across token rotation).
   */
  identity: string
  /** What access control made of the request before the passes (Bearer, policy), when configured. */
  admission: Admission | undefined
  /** The access decision, once access control ran (for the access line and `/devices`). */
  access: { readonly decision: string, readonly rule: string } | undefined
  /** The buffered request body (Pings always; other small bodies), from the end of intake until it went upstream (then dropped). */
  body: Buffer | undefined
  /** The device's entry in the per-device table, once known. */
  device: DeviceEntry | undefined
  /** Set for a Ping whose body parsed. */
  ping: PingInfo | undefined
  /** Catalog code of a local rejection (e.g. GW_ERR_WBXML_TRUNCATED), for the access log. */
  errorCode: string | undefined
}

/** The fields a pass may change. */
export type StateChange = Partial<Pick<RequestState, 'device' | 'ping' | 'errorCode' | 'identity' | 'access'>>

/**
 * The state record of one request. Both digests of the Authorization header are computed on first
 * read, not per request: most requests (every Sync without a per-device rate) never need them,
 * and a SHA-256 per request was ~7 µs of the gateway's per-request cost (issue #14).
 */
class StateRecord implements RequestState {
  readonly ctx: RequestContext
  readonly authorization: string | undefined
  admission: Admission | undefined = undefined
  access: { readonly decision: string, readonly rule: string } | undefined = undefined
  body: Buffer | undefined = undefined
  device: DeviceEntry | undefined = undefined
  ping: PingInfo | undefined = undefined
  errorCode: string | undefined = undefined
  #credential: string | undefined
  #identity: string | undefined

  constructor (ctx: RequestContext, authorization: string | undefined) {
    this.ctx = ctx
    this.authorization = authorization
  }

  get credential (): string {
    this.#credential ??= this.authorization === undefined ? '' : createHash('sha256').update(this.authorization).digest('base64')
    return this.#credential
  }

  get identity (): string {
    this.#identity ??= credentialDigest(this.authorization)
    return this.#identity
  }

  set identity (v: string) { this.#identity = v }
}

/** Builds the state record of a request. */
export function createRequestState (ctx: RequestContext, authorization: string | undefined): RequestState {
  return new StateRecord(ctx, authorization)
}
