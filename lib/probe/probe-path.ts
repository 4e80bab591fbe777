import { request } from 'node:http'
import { request as requestTls } from 'node:https'
import { PROBE_BODY_PREFIX, PROBE_DELAY_HEADER } from './probe-server.js'

/** How one probe ended: answered by the probe server, or cut by the path (and how). */
export type ProbeEnd = 'answered' | 'status' | 'rst' | 'fin' | 'silent'

/** One silent request and what happened to it. Milliseconds. */
export interface ProbeOutcome {
  readonly delayMs: number
  readonly end: ProbeEnd
  /** From the request being sent to the end (answer, status, reset, close, or giving up). */
  readonly elapsedMs: number
  /** The HTTP status a proxy answered with (`end: status`). */
  readonly status?: number
}

/** Options of {@link probePath}. Milliseconds. */
export interface ProbePathOptions {
  readonly url: string
  /** Default: 1000 */
  readonly minMs?: number
  /** Default: 3 600 000 */
  readonly maxMs?: number
  /** Probes in flight at once. Default: 4 */
  readonly parallel?: number
  /** Probes in all. Default: 24 */
  readonly maxProbes?: number
  /** Stop when the bracket is this narrow, relative to its lower end. Default: 0.02 */
  readonly precision?: number
  /** How long past its delay a probe waits for an answer before calling the path silent. Default: max(2 s, 10 %) */
  readonly graceMs?: (delayMs: number) => number
  /** Extra request headers (a Host the proxy routes on). */
  readonly headers?: Readonly<Record<string, string>>
}

/** What the search found. */
export interface ProbeResult {
  /** The idle timeout of the path: the cut time measured on signalled cuts, else the bracket's middle; absent: nothing cut up to `maxMs`. */
  readonly timeoutMs?: number
  /** Largest delay answered and smallest delay cut. */
  readonly bracket: { readonly answeredMs: number, readonly cutMs?: number }
  /** How the path cut: a status from a proxy (`504`), a reset, a close without answer, or silence. */
  readonly cut?: { readonly end: Exclude<ProbeEnd, 'answered'>, readonly status?: number }
  readonly probes: readonly ProbeOutcome[]
}

/**
 * Measures the idle timeout of a live path: silent requests to a probe server behind it
 * (`gateway probe --listen`), each asking to be answered after a delay, several in parallel, in
 * rounds that narrow the bracket between the longest delay the path let through and the shortest
 * it cut (a search between the bounds, bounded in count and time: no probe waits longer than
 * `maxMs` plus its grace). A proxy's 504, a reset and a close carry the time of the cut, which is
 * the measurement; a silent drop only narrows the bracket.
 */
export async function probePath (opts: ProbePathOptions): Promise<ProbeResult> {
  const parallel = Math.max(1, opts.parallel ?? 4)
  const maxProbes = opts.maxProbes ?? 24
  const precision = opts.precision ?? 0.02
  let lo = opts.minMs ?? 1000
  let hi = opts.maxMs ?? 3_600_000
  let answered = 0
  let cutAt: number | undefined
  const probes: ProbeOutcome[] = []
  // First round: the upper bound itself (does the path cut at all?) and points below it.
  let delays = spread(lo, hi, parallel, true)
  while (delays.length > 0 && probes.length < maxProbes) {
    const round = await Promise.all(delays.slice(0, maxProbes - probes.length).map(async (d) => await probeOnce(opts, d)))
    probes.push(...round)
    for (const p of round) {
      if (p.end === 'answered') { answered = Math.max(answered, p.delayMs); lo = Math.max(lo, p.delayMs) } else { cutAt = Math.min(cutAt ?? Infinity, p.delayMs); hi = Math.min(hi, p.delayMs) }
    }
    if (cutAt === undefined || hi - lo <= precision * lo || lo >= hi) break
    // A signalled cut tells when the path cut: confirm it with one probe just below and one just
    // above the earliest such time, instead of halving the bracket again.
    const seen = probes.filter((p) => p.end !== 'answered' && p.end !== 'silent').map((p) => p.elapsedMs)
    const at = seen.length > 0 ? Math.min(...seen) : undefined
    delays = at !== undefined && at > lo && at < hi
      ? [...new Set([Math.round(Math.max(lo + 1, at * (1 - precision / 2))), Math.round(Math.min(hi - 1, at * (1 + precision / 2)))])].filter((d) => d > lo && d < hi)
      : spread(lo, hi, parallel, false)
    if (delays.length === 0) break
  }
  const cuts = probes.filter((p) => p.end !== 'answered')
  const signalled = cuts.filter((p) => p.end !== 'silent')
  const first = signalled.sort((a, b) => a.elapsedMs - b.elapsedMs)[0] ?? cuts[0]
  // A path never cuts before its timeout, and load only adds latency: the earliest signalled cut is the best estimate.
  const timeoutMs = cutAt === undefined ? undefined : signalled.length > 0 ? Math.min(...signalled.map((p) => p.elapsedMs)) : Math.round((answered + cutAt) / 2)
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    bracket: { answeredMs: answered, ...(cutAt !== undefined ? { cutMs: cutAt } : {}) },
    ...(first !== undefined && first.end !== 'answered' ? { cut: { end: first.end, ...(first.status !== undefined ? { status: first.status } : {}) } } : {}),
    probes
  }
}

/** `n` delays strictly inside (lo, hi), evenly spread; with `withHi`, hi itself replaces the last. */
function spread (lo: number, hi: number, n: number, withHi: boolean): number[] {
  const out = Array.from({ length: n }, (_, i) => Math.round(lo + (hi - lo) * (i + 1) / (n + (withHi ? 0 : 1))))
  return [...new Set(out.filter((d) => d > lo && d <= hi))]
}

/** One probe on its own connection (no pooling: a reused connection would mix two requests' timers). */
async function probeOnce (opts: ProbePathOptions, delayMs: number): Promise<ProbeOutcome> {
  const grace = opts.graceMs?.(delayMs) ?? Math.max(2000, delayMs / 10)
  return await new Promise((resolve) => {
    let t0 = performance.now()
    let done = false
    const finish = (o: Omit<ProbeOutcome, 'delayMs' | 'elapsedMs'>): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      req.destroy()
      resolve({ delayMs, elapsedMs: Math.round(performance.now() - t0), ...o })
    }
    const send = opts.url.startsWith('https:') ? requestTls : request
    const req = send(opts.url, { method: 'GET', agent: false, headers: { ...opts.headers, [PROBE_DELAY_HEADER]: String(delayMs), connection: 'close' } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { if (body.length < 256) body += c })
      res.on('end', () => finish(res.statusCode === 200 && body.startsWith(PROBE_BODY_PREFIX) ? { end: 'answered' } : { end: 'status', status: res.statusCode ?? 0 }))
      res.on('error', () => finish({ end: 'fin' }))
    })
    req.on('finish', () => { t0 = performance.now() })
    req.on('error', (err: NodeJS.ErrnoException) => finish({ end: /hang up/.test(err.message) ? 'fin' : 'rst' }))
    const timer = setTimeout(() => finish({ end: 'silent' }), delayMs + grace)
    req.end()
  })
}
