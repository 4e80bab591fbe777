/**
 * A real Prometheus (Debian's package) scraping the gateway's `/metrics` every second, while
 * nginx in front of the gateway cuts Pings (the path of fixtures/topology-nginx-short.yaml for
 * SOGo, topology-horde-nginx-short.yaml for Horde: proxy_read_timeout 2 s, which `gateway lint`
 * rejects with GW0103). The same suite for each server: gateway-prometheus.test.ts (SOGo) and
 * gateway-prometheus-horde.test.ts.
 *
 * The test asks Prometheus' HTTP API (never the gateway) for the abort counters, then evaluates
 * the abort-rate expression exactly as README.md § "Abort rate in PromQL" prints it (read from
 * the file): it must return a share in (0, 1] for command Ping / outcome device_abort.
 *
 * To make the share meaningful, the Pings are a mix: cut ones (device_abort) and clamped ones
 * (answered_locally, heartbeat below the gateway's minimum), two of each, each kind counted
 * once before and once after Prometheus' first sight of it, so that rate() sees both rise.
 * The Pings watch alice's Junk folder, which no other test writes to.
 */
import type { Test } from 'tap'
import {
  deviceOnPath,
  metricsView,
  ping,
  queryPrometheus,
  readmePromql,
  requirePeer,
  startPath,
  startPrometheus,
  waitFor,
  waitForMetrics,
  waitForScrape,
  type EasServer,
  type Peer,
} from '../helpers/index.js'

const REQUESTS = 'eas_gateway_requests_total'
const PING_ABORT = { command: 'Ping', outcome: 'device_abort' }
const PING_LOCAL = { command: 'Ping', outcome: 'answered_locally' }

/** The value Prometheus has for `eas_gateway_requests_total{command="Ping",outcome=...}` (undefined: no series yet). */
async function promCount (prom: Peer, outcome: string): Promise<number | undefined> {
  const r = await queryPrometheus(prom, `${REQUESTS}{command="Ping",outcome="${outcome}"}`)
  return r[0] === undefined ? undefined : Number(r[0].value[1])
}

/** Runs the suite on `topology` (an nginx-short path) in front of `server`. */
export async function runPrometheusSuite (t: Test, server: EasServer, topology: string): Promise<void> {
  t.test(`Prometheus scrapes the gateway in front of ${server.title}; the README abort-rate expression reports the cut Pings`, { timeout: 90_000 }, async (t) => {
    if (!(await requirePeer(t, [server.peers[0]!, 'libwbxml', 'nginx', 'prometheus', 'gateway']))) return
    const expr = readmePromql('Abort rate in PromQL')
    t.match(expr, /eas_gateway_requests_total/, 'README.md § Abort rate in PromQL has the expression')
    t.comment(`README expression:\n${expr}`)

    const path = await startPath(t, topology)
    const prom = await startPrometheus(t, { targets: [`127.0.0.1:${path.gw.adminPort}`], scrapeIntervalSec: 1 })
    await waitForScrape(prom)
    t.pass(`Prometheus ${prom.url} scrapes the gateway's admin port ${path.gw.adminPort}`)

    // The device is provisioned at the gateway itself: the hop's 2 s read timeout is there to cut
    // Pings, and a first FolderSync of a new device took Horde over 2 s when the suite loaded the
    // machine (nginx 504, two full runs on 2026-12-04). The Pings below go through the hop.
    const { s, folders } = await deviceOnPath({ base: `${path.gw.url}/Microsoft-Server-ActiveSync` }, 'prom', 'Junk', server.alice)
    s.baseUrl = path.base
    /** A Ping nginx cuts at 2 s (the gateway: device_abort). */
    const cut = async (n: number): Promise<void> => {
      const r = await ping(s, { heartbeat: 5, folders, timeoutMs: 30_000, closeWatchMs: 0 })
      t.equal(r.response.status, 504, `cut Ping ${n}: nginx answered 504 after ${r.response.elapsedMs} ms`)
      await waitForMetrics(path.admin, `device_abort count ${n}`, (m) => m.value(REQUESTS, PING_ABORT) >= n)
    }
    /** A Ping the gateway clamps (answered_locally, Status 5). */
    const clamp = async (n: number): Promise<void> => {
      const r = await ping(s, { heartbeat: 1, folders, timeoutMs: 30_000, closeWatchMs: 0 })
      t.equal(r.status, '5', `clamped Ping ${n}: Status 5 from the gateway`)
    }
    /** Polls Prometheus until it has seen both counters at `n`. */
    const seen = (n: number): Promise<unknown> =>
      waitFor(
        `Prometheus to see ${n} device_abort and ${n} answered_locally Pings`,
        async () => (await promCount(prom, 'device_abort')) === n && (await promCount(prom, 'answered_locally')) === n,
        { timeoutMs: 15_000, maxIntervalMs: 250 }
      )

    await clamp(1)
    await cut(1)
    // The brief: query until eas_gateway_requests_total{outcome="device_abort"} appears.
    const appeared = await waitFor(
      'eas_gateway_requests_total{outcome="device_abort"} in Prometheus',
      async () => {
        // Every command/outcome series exists at 0 from start-up: the ones that counted.
        const r = await queryPrometheus(prom, `${REQUESTS}{outcome="device_abort"} > 0`)
        return r.length > 0 ? r : undefined
      },
      { timeoutMs: 15_000, maxIntervalMs: 250 }
    )
    t.same(
      appeared.map((x) => [x.metric.command, x.value[1]]),
      [['Ping', '1']],
      'Prometheus has eas_gateway_requests_total{command="Ping",outcome="device_abort"} 1, and no other command aborted'
    )
    await seen(1)

    await clamp(2)
    await cut(2)
    await seen(2)
    const gw = await metricsView(path.admin)
    t.equal(gw.value(REQUESTS, PING_ABORT), 2, 'the gateway\'s own /metrics agrees: 2 device_abort')
    t.equal(gw.value(REQUESTS, PING_LOCAL), 2, 'and 2 answered_locally')

    const result = await waitFor(
      'the README abort-rate expression to report Ping / device_abort',
      async () => {
        const r = await queryPrometheus(prom, expr)
        const hit = r.find((x) => x.metric.command === 'Ping' && x.metric.outcome === 'device_abort')
        return hit && Number(hit.value[1]) > 0 ? r : undefined
      },
      { timeoutMs: 15_000, maxIntervalMs: 250 }
    )
    for (const x of result) {
      const v = Number(x.value[1])
      t.ok(Number.isFinite(v) && v >= 0 && v <= 1, `abort rate {command="${x.metric.command}",outcome="${x.metric.outcome}"} = ${x.value[1]} is a share in [0, 1]`)
    }
    const v = Number(result.find((x) => x.metric.command === 'Ping' && x.metric.outcome === 'device_abort')!.value[1])
    t.ok(v > 0 && v <= 1, `abort rate for Ping / device_abort: 0 < ${v} <= 1`)
    t.ok(v < 1, `below 1: the clamped Pings (answered_locally, not an abort) are in the denominator (${v})`)
    t.same(
      result.map((x) => `${x.metric.command}/${x.metric.outcome}`).sort(),
      ['Ping/device_abort'],
      'only Ping / device_abort is reported (FolderSync, Sync and the clamped Pings are no aborts)'
    )
    t.comment(`Prometheus: 2 cut + 2 clamped Pings -> abort rate {command="Ping",outcome="device_abort"} = ${v}`)
  })
}
