import { errorCode } from './probe-failure.js'
import type { ProbeResult } from './probe-upstream.js'

/** Time, randomness and timers of the pool, injected so tests run on a fake clock. */
export interface PoolClock {
  /** Monotonic milliseconds. */
  now (): number
  /** Uniform in [0, 1). */
  random (): number
  setTimeout (fn: () => void, ms: number): unknown
  clearTimeout (handle: unknown): void
}

/** The real clock: performance.now, Math.random, unref'd timers (a pool never keeps a process alive). */
export const SYSTEM_CLOCK: PoolClock = {
  now: () => performance.now(),
  random: Math.random,
  setTimeout (fn, ms) { const t = setTimeout(fn, ms); t.unref(); return t },
  clearTimeout (handle) { clearTimeout(handle as NodeJS.Timeout) }
}

/** What the checker reads of an upstream: is it alive, and when is an ejected one due. */
export interface Checked { readonly health: { readonly alive: boolean, readonly retryAt: number } }

/** Dependencies of {@link createHealthChecker}. */
export interface HealthCheckerDeps<U> {
  readonly clock: PoolClock
  /** Probe period of alive upstreams (ms), once started. */
  readonly interval: number
  /** Runs one probe; must settle (probeUpstream does, within its timeout). */
  readonly probe: (u: U, signal: AbortSignal) => Promise<ProbeResult>
  /** Applies a probe's result to the upstream's health (before the next probe is scheduled). */
  readonly onResult: (u: U, r: ProbeResult) => void
}

/** The timers behind health checks and re-probes. */
export interface HealthChecker<U> {
  /** Schedules the upstream's next probe in `delay` ms (replacing any timer; a running probe re-arms itself). */
  arm (u: U, delay: number): void
  /** Starts periodic probes of alive upstreams, the first one `interval` from now. */
  start (all: readonly U[]): void
  /** Clears every timer and aborts running probes, for good. */
  stop (): void
}

/**
 * One timer per upstream, re-armed after every probe from the upstream's state: an alive upstream
 * is probed every `interval` (once started), an ejected one at its `retryAt`, whether or not
 * periodic checks were started. So every ejected upstream always has a re-probe ahead of it (or
 * running) until `stop()`: no state stays stuck. Probes of one upstream never overlap.
 */
export function createHealthChecker<U extends Checked> (deps: HealthCheckerDeps<U>): HealthChecker<U> {
  const { clock } = deps
  const timers = new Map<U, unknown>()
  const running = new Map<U, AbortController>()
  let periodic = false
  let stopped = false

  const clear = (u: U): void => {
    const t = timers.get(u)
    if (t !== undefined) { clock.clearTimeout(t); timers.delete(u) }
  }
  const arm = (u: U, delay: number): void => {
    if (stopped) return
    clear(u)
    timers.set(u, clock.setTimeout(() => { timers.delete(u); void run(u) }, Math.max(0, Math.round(delay))))
  }
  const rearm = (u: U): void => {
    if (!u.health.alive) arm(u, u.health.retryAt - clock.now())
    else if (periodic) arm(u, deps.interval)
    else clear(u)
  }
  const run = async (u: U): Promise<void> => {
    if (stopped || running.has(u)) return
    const ac = new AbortController()
    running.set(u, ac)
    let r: ProbeResult
    try {
      r = await deps.probe(u, ac.signal)
    } catch (err) {
      r = { ok: false, reason: 'other', code: errorCode(err) }
    }
    running.delete(u)
    if (stopped) return
    deps.onResult(u, r)
    rearm(u)
  }

  return {
    arm (u, delay) { if (!running.has(u)) arm(u, delay) },
    start (all) {
      if (stopped || periodic) return
      periodic = true
      for (const u of all) if (!timers.has(u) && !running.has(u)) rearm(u)
    },
    stop () {
      stopped = true
      periodic = false
      for (const t of timers.values()) clock.clearTimeout(t)
      timers.clear()
      for (const ac of running.values()) ac.abort()
      running.clear()
    }
  }
}
