import { Pool } from 'undici'

/** What the composition root hands over per upstream: config plus the CA's PEM text, already read. */
export interface UpstreamSpec {
  readonly name: string
  readonly url: string
  readonly caPem?: string
  readonly servername?: string
  readonly verifyCertificate: boolean
}

/** One mail server: its connection pool and where its EAS path lives. */
export interface Upstream {
  readonly name: string
  readonly origin: string
  /** Path prefix from the configured URL, without a trailing slash (`/SOGo` or ``). */
  readonly basePath: string
  readonly pool: Pool
  /** Requests in flight on this upstream (held Pings included). */
  inFlight: number
}

/** The set of upstreams a gateway forwards to. */
export interface UpstreamSet {
  readonly all: readonly Upstream[]
  /** The upstream for the next request: least requests in flight (a held Ping counts). */
  pick (): Upstream | undefined
  close (): Promise<void>
}

/**
 * Creates one undici Pool per upstream. undici's 300 s headers/body timeouts are switched off here
 * and set per request from easRequestTimeout (notes/engine.md §3.3): they would cut every Ping
 * held longer than 5 minutes.
 */
export function createUpstreams (specs: readonly UpstreamSpec[], opts: { connectTimeout: number }): UpstreamSet {
  const all: Upstream[] = specs.map((s) => {
    const u = new URL(s.url)
    const pool = new Pool(u.origin, {
      connections: null,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: {
        timeout: opts.connectTimeout,
        ...(s.caPem !== undefined ? { ca: s.caPem } : {}),
        ...(s.servername !== undefined ? { servername: s.servername } : {}),
        rejectUnauthorized: s.verifyCertificate
      }
    })
    return { name: s.name, origin: u.origin, basePath: u.pathname.replace(/\/+$/, ''), pool, inFlight: 0 }
  })
  return {
    all,
    pick () {
      let best: Upstream | undefined
      for (const u of all) if (best === undefined || u.inFlight < best.inFlight) best = u
      return best
    },
    async close () {
      await Promise.all(all.map(async (u) => { await u.pool.destroy() }))
    }
  }
}
