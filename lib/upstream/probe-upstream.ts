import type { Dispatcher } from 'undici'
import { classifyConnectError, errorCode, type ProbeFailure } from './probe-failure.js'

/** A probe's verdict: alive (with the status that proved it) or why not. */
export type ProbeResult =
  | { readonly ok: true, readonly status: number }
  | { readonly ok: false, readonly reason: ProbeFailure, readonly code: string, readonly status?: number }

/** Options of {@link probeUpstream}. */
export interface ProbeOptions {
  /** Request path on the upstream (its base path plus `pool.healthCheck.path`). */
  readonly path: string
  /** The whole probe, connect included, is bounded by this (ms). */
  readonly timeout: number
  /** Aborts the probe (the pool is stopping); it then resolves as `other`. */
  readonly signal?: AbortSignal
}

/**
 * One active health check: `OPTIONS` on the EAS path, as a device does first (MS-ASHTTP §2.2.3).
 * 200 or 401 means alive: a 401 proves IIS and the EAS application answer, and the probe carries
 * no credentials on purpose. Never rejects and always settles within `timeout`, so a probe cannot
 * leave an upstream stuck. A timeout before the connection was made is told apart
 * (`connect_timeout`) from one after it (`timeout`).
 */
export async function probeUpstream (dispatcher: Pick<Dispatcher, 'dispatch'>, opts: ProbeOptions): Promise<ProbeResult> {
  return await new Promise<ProbeResult>((resolve) => {
    let connected = false
    let settled = false
    let controller: Dispatcher.DispatchController | undefined
    // `cancel` cuts the request (timeout, abort); an answered probe is left to finish so its
    // connection stays reusable.
    const finish = (r: ProbeResult, cancel = false): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      if (cancel) controller?.abort(new Error('health check cancelled'))
      resolve(r)
    }
    const timer = setTimeout(() => {
      finish(connected ? { ok: false, reason: 'timeout', code: 'PROBE_TIMEOUT' } : { ok: false, reason: 'connect_timeout', code: 'PROBE_CONNECT_TIMEOUT' }, true)
    }, opts.timeout)
    const onAbort = (): void => { finish({ ok: false, reason: 'other', code: 'PROBE_ABORTED' }, true) }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart (c) {
        controller = c
        connected = true
        if (settled) c.abort(new Error('health check cancelled'))
      },
      onResponseStart (_c, status) {
        if (status < 200) return
        finish(status === 200 || status === 401 ? { ok: true, status } : { ok: false, reason: 'status', code: `HTTP_${status}`, status })
      },
      onResponseData () {},
      onResponseEnd () {},
      onResponseError (_c, err) {
        const code = errorCode(err)
        finish({ ok: false, reason: connected ? 'reset' : classifyConnectError(err) ?? 'other', code })
      }
    }
    if (opts.signal?.aborted === true) { onAbort(); return }
    try {
      dispatcher.dispatch({
        method: 'OPTIONS',
        path: opts.path,
        headers: { 'user-agent': 'eas-gateway-health-check' },
        // The probe's own timer above is the bound: undici's, checked on a 0.5 s tick, could end
        // the probe up to 499 ms early and as a reset instead of a timeout.
        headersTimeout: 0,
        bodyTimeout: 0
      }, handler)
    } catch (err) {
      finish({ ok: false, reason: 'other', code: errorCode(err) })
    }
  })
}
