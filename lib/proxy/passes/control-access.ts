import type { Admission } from '../../access/index.js'
import type { AccessAnswer, AccessDecision } from '../../policy/index.js'
import type { Verdict } from '../verdict.js'
import type { Pass } from './index.js'

/**
 * Device access control (README § Device access control): applies the admission made before the
 * passes (Bearer verification, then the policy). A refused token is answered 401 with
 * `WWW-Authenticate: Bearer` and `Connection: close`, keys out of reach 503, a refused device the
 * EAS way (HTTP 200 + Status 129/126/130/177 at 14.0+, 403 below); none of them is forwarded. The
 * decision goes to the device's `/devices` entry and the access line either way.
 */
export const controlAccess: Pass = ({ request, metrics }) => {
  const a = request.admission
  if (a === undefined) {
    // No policy and no auth.bearer: decided without an admission (create-gateway), recorded alike.
    if (request.access !== undefined && request.device !== undefined) request.device.access = request.access
    return undefined
  }
  if (a.kind === 'unauthorized') {
    if (a.headers.connection === 'close') metrics.unauthorizedCloses.inc()
    return { status: 401, headers: { ...a.headers }, reason: `bearer_${a.reason}`, outcome: 'refused_policy', code: 'GW_ERR_POLICY_TOKEN_INVALID' }
  }
  if (a.kind === 'unavailable') {
    return { status: 503, headers: { ...a.headers, connection: 'close' }, reason: 'bearer_keys_unavailable', outcome: 'refused_policy', code: 'GW_ERR_POLICY_KEYS_UNAVAILABLE' }
  }
  if (request.device !== undefined) request.device.access = { decision: a.decision.decision, rule: a.decision.rule }
  return a.kind === 'refused' ? accessVerdict(a.decision, a.answer) : undefined
}

/** The local answer of a refused request (also what ends a held Ping a reload blocks). */
export function accessVerdict (d: AccessDecision, answer: AccessAnswer): Verdict {
  const reason = `access_${d.decision}`
  const access = { decision: d.decision, rule: d.rule }
  if (answer.status === 403) return { status: 403, reason, access, outcome: 'refused_policy' }
  return { status: 200, headers: { 'content-type': answer.contentType }, body: answer.body, reason, access, outcome: 'refused_policy' }
}

/** Convenience for the admission's type in the state record. */
export type { Admission }
