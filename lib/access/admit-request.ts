import { createHash } from 'node:crypto'
import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'
import { accessAnswer, NO_POLICY, type AccessAnswer, type AccessDecision, type AccessRequest } from '../policy/index.js'
import type { AccessController } from './create-access-controller.js'
import { bearerToken, type BearerRefusal, type BearerVerifier } from './verify-bearer.js'

/** The request facts admission needs; `authorization` is the raw header, never logged. */
export interface AdmitInput extends Omit<AccessRequest, 'user'> {
  readonly authorization?: string | undefined
}

/** What to do with a request. */
export type Admission =
  | {
    readonly kind: 'forward'
    readonly decision: AccessDecision
    /** The user rules saw: the Basic name, or the verified token's user. */
    readonly user?: string
    /**
     * Who holds this request's credentials, for superseding Pings: the verified token identity
     * (stable when the token rotates), else a digest of the Authorization header (as before).
     */
    readonly identity: string
    /** The request as the policy saw it (to re-check it later, e.g. a held Ping after a reload). */
    readonly request: AccessRequest
  }
  | { readonly kind: 'unauthorized', readonly reason: BearerRefusal, readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'unavailable', readonly reason: 'keys_unavailable', readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'refused', readonly decision: AccessDecision, readonly answer: AccessAnswer, readonly user?: string, readonly request: AccessRequest }

/** Dependencies: either may be absent (no `auth.bearer`, no `access.policy`). */
export interface AdmitDeps {
  readonly controller?: AccessController
  readonly verifier?: BearerVerifier
  readonly metrics?: Pick<Metrics, 'bearerRefusals'>
  readonly logger?: Logger
}

/** RFC 6750 §3: the challenge for a refused token; the connection is closed after it (DESIGN: after every 401). */
const BEARER_401 = Object.freeze({ 'www-authenticate': 'Bearer error="invalid_token"', connection: 'close' })

/**
 * Admits one request at the edge, before any byte goes upstream: with `auth.bearer`, a Bearer
 * token is verified (refused: 401 `WWW-Authenticate: Bearer` + `Connection: close`, never
 * forwarded; keys unreachable: 503); then the policy decides with the trustworthy user (the
 * Basic name, or the verified token's; never the query's `User=`). Without `auth.bearer`, Bearer
 * tokens pass through untouched, and rules on users do not match them.
 */
export async function admitRequest (input: AdmitInput, deps: AdmitDeps): Promise<Admission> {
  const token = bearerToken(input.authorization)
  let user = basicUser(input.authorization)
  let identity = credentialDigest(input.authorization)
  if (token !== undefined && deps.verifier !== undefined) {
    const r = await deps.verifier.verify(token)
    if (!r.ok) {
      deps.metrics?.bearerRefusals.inc({ reason: r.reason })
      deps.logger?.info({ code: r.error.code, reason: r.reason, deviceId: input.deviceId }, r.error.message)
      return r.reason === 'keys_unavailable'
        ? { kind: 'unavailable', reason: r.reason, headers: { 'retry-after': '30' } }
        : { kind: 'unauthorized', reason: r.reason, headers: BEARER_401 }
    }
    user = r.user
    identity = `bearer:${createHash('sha256').update(r.identity).digest('hex').slice(0, 32)}`
  }
  const { authorization: _omit, ...facts } = input
  const req: AccessRequest = { ...facts, user }
  const decision = deps.controller?.decide(req) ?? NO_POLICY
  const answer = accessAnswer(decision, req)
  if (answer !== undefined) return { kind: 'refused', decision, answer, request: req, ...(user !== undefined ? { user } : {}) }
  return { kind: 'forward', decision, identity, request: req, ...(user !== undefined ? { user } : {}) }
}

/** The user name of a Basic Authorization header (RFC 7617), or undefined. The password is dropped. */
export function basicUser (authorization: string | undefined): string | undefined {
  if (authorization === undefined || !/^basic\s/i.test(authorization)) return undefined
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon > 0 ? decoded.slice(0, colon) : undefined
}

/** A digest of the whole Authorization header: equal for equal credentials, reveals nothing. */
export function credentialDigest (authorization: string | undefined): string {
  // toString('hex', 0, 16): a flat 32-character string, not a slice that keeps the whole 64-character
  // hex digest alive for as long as a Ping is held (issue #14).
  return authorization === undefined ? 'none' : 'auth:' + createHash('sha256').update(authorization).digest().toString('hex', 0, 16)
}
