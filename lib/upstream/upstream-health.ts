import { backoffDelay } from './backoff-delay.js'
import type { ProbeFailure } from './probe-failure.js'

/** The pool settings the health state machine needs (milliseconds). */
export interface HealthSettings {
  /** Consecutive failures that eject an alive upstream. */
  readonly consecutiveFailures: number
  /** Re-probe backoff of an ejected upstream. */
  readonly initial: number
  readonly max: number
  /** A failure older than this is forgotten: failure count and backoff level start again. */
  readonly errorExpiry: number
}

/** One upstream's health, as the pool tracks it. Times are on the pool's clock (ms). */
export interface HealthState {
  /** Takes new requests. False = ejected, waiting for a re-probe at `retryAt`. */
  alive: boolean
  /**
   * Failing, but kept in rotation because it is the last alive upstream (panic mode). Ends with
   * its next success (a request's answer or a probe), or becomes an ejection once another
   * upstream is alive again.
   */
  panic: boolean
  /** Consecutive failures while alive. */
  failures: number
  /** Backoff attempt of the next ejection or failed re-probe (kept until the error expiry). */
  level: number
  lastFailureAt: number
  /** When an ejected upstream is probed next. */
  retryAt: number
  /** The last failure's reason, for logs. */
  reason: ProbeFailure | undefined
}

/** What a recorded result changed: the upstream left or rejoined the rotation. */
export type HealthChange = 'ejected' | 'restored' | 'panic' | undefined

/** A failure as the state machine sees it: from a request's connect or from a probe. */
export interface FailureEvent {
  readonly now: number
  readonly reason: ProbeFailure
  readonly source: 'request' | 'probe'
  /**
   * No other upstream is alive: ejecting this one would leave none. Then it stays in rotation
   * (panic mode, like Envoy's panic threshold and nginx's single-server groups): each request
   * still tries it, and only a request whose own connect fails is refused.
   */
  readonly last?: boolean
}

/** Highest backoff level kept (the delay is capped at `max` long before). */
const MAX_LEVEL = 64

/** A fresh upstream: presumed alive until it fails (passive checks work from the first request). */
export function createHealthState (): HealthState {
  return { alive: true, panic: false, failures: 0, level: 0, lastFailureAt: -Infinity, retryAt: 0, reason: undefined }
}

/**
 * Records a failure. `consecutiveFailures` in a row eject an alive upstream; a failed re-probe of
 * an ejected one pushes the next re-probe out along the backoff. A request failure seen while
 * ejected (a request sent before the ejection) changes nothing but the failure time. Failures
 * older than `errorExpiry` are forgotten first, so rare failures never add up to an ejection.
 */
export function recordFailure (s: HealthState, e: FailureEvent, settings: HealthSettings, random: () => number): HealthChange {
  if (e.now - s.lastFailureAt >= settings.errorExpiry) { s.failures = 0; s.level = 0 }
  s.lastFailureAt = e.now
  s.reason = e.reason
  if (!s.alive) {
    if (e.source === 'probe') scheduleRetry(s, e.now, settings, random)
    return undefined
  }
  if (s.panic && e.last === true) return undefined
  if (!s.panic && ++s.failures < settings.consecutiveFailures) return undefined
  if (e.last === true) {
    s.panic = true
    s.failures = 0
    return 'panic'
  }
  s.panic = false
  s.alive = false
  s.failures = 0
  scheduleRetry(s, e.now, settings, random)
  return 'ejected'
}

/**
 * Records a success. Only a probe brings an ejected upstream back: an answer to a request sent
 * before the ejection proves old connections work, not new ones. Once an alive upstream answers
 * again its backoff level decays to nothing, so a short blip long ago never lengthens the next
 * outage; an upstream that flaps (ejected again before it answered) is re-probed more slowly.
 */
export function recordSuccess (s: HealthState, source: 'request' | 'probe'): HealthChange {
  if (s.alive) {
    s.failures = 0
    s.level = 0
    if (!s.panic) return undefined
    s.panic = false
    return 'restored'
  }
  if (source === 'request') return undefined
  s.alive = true
  s.failures = 0
  return 'restored'
}

function scheduleRetry (s: HealthState, now: number, settings: HealthSettings, random: () => number): void {
  s.retryAt = now + backoffDelay(s.level, settings, random)
  s.level = Math.min(s.level + 1, MAX_LEVEL)
}
