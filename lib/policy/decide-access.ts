import type { AccessAction } from '../config/index.js'
import {
  QUARANTINE_COMMANDS,
  type AccessDecision, type AccessPolicy, type AccessReason, type AccessRequest, type AccessState, type CompiledRule, type DeviceSlot
} from './access-types.js'
import { requestCommand } from './compile-access-policy.js'

/** The decision without a policy (`access.policy` unset): every device is allowed, as before. */
export const NO_POLICY: AccessDecision = Object.freeze({ decision: 'allow', rule: 'none', reason: 'no-policy', forward: true })

/**
 * Decides one request: the first rule that matches wins, else the default; then the device limit
 * (maxDevicesPerUser) for a device that is not blocked; then what a quarantined device may run.
 * Pure: the state (lists, the user's devices, now) is passed in and nothing is remembered.
 */
export function decideAccess (policy: AccessPolicy | undefined, req: AccessRequest, state: AccessState): AccessDecision {
  if (policy === undefined) return NO_POLICY
  const hit = firstMatch(policy.rules, req, state)
  const action: AccessAction = hit?.action ?? policy.file.default
  const rule = hit?.rule.name ?? 'default'
  const reason: AccessReason = hit?.reason ?? 'default'
  if (action === 'block') return { decision: 'block', rule, reason, forward: false, status: hit?.rule.status ?? 129 }
  if (overDeviceLimit(policy, req, state)) {
    // MS-ASCMD §2.2.2 177 MaximumDevicesReached: the user has too many device partnerships.
    return { decision: 'block', rule: 'device-limit', reason: 'device-limit', forward: false, status: 177 }
  }
  if (action === 'quarantine' && !QUARANTINE_COMMANDS.has(requestCommand(req))) {
    return { decision: 'quarantine', rule, reason, forward: false, status: 129 }
  }
  return { decision: action, rule, reason, forward: true }
}

interface Hit { readonly rule: CompiledRule, readonly action: AccessAction, readonly reason: AccessReason }

function firstMatch (rules: readonly CompiledRule[], req: AccessRequest, state: AccessState): Hit | undefined {
  for (const rule of rules) {
    if (!rule.matches(req)) continue
    if (rule.lists.length === 0) return { rule, action: rule.action, reason: 'rule' }
    const id = req.deviceId?.toLowerCase()
    let unavailable: 'allow' | 'block' | undefined
    let on = false
    for (const name of rule.lists) {
      const view = state.lists?.get(name)
      const mode = rule.onUnavailable.get(name) ?? 'last-known'
      if ((view === undefined || !view.available) && mode !== 'last-known') { unavailable ??= mode; continue }
      if (id !== undefined && view?.entries.has(id) === true) on = true
    }
    if (on) return { rule, action: rule.action, reason: 'rule' }
    // onUnavailable allow|block decides at this rule, whatever the rule's own action.
    if (unavailable !== undefined) return { rule, action: unavailable, reason: 'list-unavailable' }
  }
  return undefined
}

/**
 * True when this device is beyond its user's limit. Slots are ordered by first sight: with
 * `refuseOverLimit: newest` the devices seen last are refused, with `oldest` the first ones.
 * Ordering by first sight (not last) keeps the answer stable: a refused device that retries does
 * not take a slot back. Without a user the limit cannot apply.
 */
export function overDeviceLimit (policy: AccessPolicy, req: AccessRequest, state: AccessState): boolean {
  const max = policy.file.maxDevicesPerUser
  if (max === undefined || req.user === undefined || req.deviceId === undefined) return false
  const known = state.userDevices ?? []
  if (known.length < max) return false
  const slots: DeviceSlot[] = known.some((d) => d.deviceId === req.deviceId) ? [...known] : [...known, { deviceId: req.deviceId, firstSeen: state.now }]
  if (slots.length <= max) return false
  slots.sort((a, b) => a.firstSeen - b.firstSeen || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0))
  const allowed = policy.file.refuseOverLimit === 'oldest' ? slots.slice(slots.length - max) : slots.slice(0, max)
  return !allowed.some((d) => d.deviceId === req.deviceId)
}
