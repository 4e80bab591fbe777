/**
 * Real hops in front of the gateway: device -> nginx | HAProxy -> eas-gateway -> a real server,
 * the same suite for each server (gateway-hops.test.ts: SOGo; gateway-hops-horde.test.ts: Horde).
 *
 * Every path is described by a topology file in fixtures/ (topology-*.yaml for SOGo,
 * topology-horde-*.yaml for Horde), and the test starts exactly that path: the hop's timeouts (and
 * HAProxy's abortonclose and 401 rule) are read from the topology, the gateway's config is the file
 * its eas-gateway hop points at. So `gateway lint` and reality are asked about the same thing:
 *
 * - timeouts shorter than the heartbeat (2 s): lint fails (GW0103 on the hop; for Horde also
 *   GW0117, the path's safe heartbeat being below Horde's minimum), and in reality the hop cuts the
 *   Ping, which the gateway counts as `device_abort` for command Ping;
 * - timeouts above the maximum heartbeat plus the margin (20 s > 10 s + 5 s): lint passes, and
 *   a Ping of the maximum heartbeat completes through the hop;
 * - HAProxy without `option abortonclose`: lint warns (GW0113), and in reality the gateway
 *   keeps holding the upstream Ping of a device that vanished until the server answers it, where
 *   with abortonclose it is released at once (both measured side by side).
 *
 * What the server does with a Ping the gateway cancelled is the server's: SOGo's nginx logs 499 at
 * once; Horde never notices and its Apache logs 200 when the heartbeat ends (EasServer.cancelledPingStatus).
 *
 * The Pings watch alice's Drafts folder, which nothing writes to: the mail that the server suite
 * delivers to alice's INBOX (possibly at the same time) never wakes them.
 */
import type { Test } from 'tap'
import {
  deviceOnPath,
  easRequest,
  durationSeconds,
  lintTopology,
  loadGatewayFixture,
  loadTopology,
  metricsView,
  nginxOptionsFrom,
  ping,
  readDevice,
  requirePeer,
  startPath,
  waitFor,
  waitForMetrics,
  waitUntilHeld,
  type EasServer,
  type ServerAccessEntry,
  type PathDevice,
  type PeerName,
  type RunningPath,
} from '../helpers/index.js'

const REQUESTS = 'eas_gateway_requests_total'
const PING_ABORT = { command: 'Ping', outcome: 'device_abort' }
const PING_DONE = { command: 'Ping', outcome: 'completed' }

/** Which server's paths: the topology files' prefix, the gateway fixture, and what lint says beyond the SOGo paths. */
export interface HopsSetup {
  server: EasServer;
  /** `topology-` (SOGo) or `topology-horde-` (Horde). */
  prefix: string;
  /** The gateway config the topologies' eas-gateway hop names. */
  gatewayFixture: string;
  /** Extra lint errors by topology (without prefix), e.g. Horde's GW0117 on the short paths. */
  extraErrors?: Record<string, string[]>;
}

interface LintCase { file: string; exit: 0 | 1; errors: string[]; warnings: string[]; reality: string }

function lintCases (MAX_HB: number, server: string): LintCase[] {
  return [
    { file: 'nginx-short', exit: 1, errors: ['GW0103 hops.0.timeouts.proxy_read_timeout'], warnings: ['GW0112 hops.0.closeOn401'], reality: 'nginx cuts the Ping at 2 s' },
    {
      file: 'haproxy-short',
      exit: 1,
      errors: ['GW0103 hops.0.timeouts.timeout client', 'GW0103 hops.0.timeouts.timeout server'],
      warnings: [],
      reality: 'HAProxy cuts the Ping at 2 s',
    },
    { file: 'nginx-ok', exit: 0, errors: [], warnings: ['GW0112 hops.0.closeOn401'], reality: `a ${MAX_HB} s Ping completes` },
    { file: 'haproxy-ok', exit: 0, errors: [], warnings: [], reality: `a ${MAX_HB} s Ping completes; a vanished device's Ping is released at once` },
    {
      file: 'haproxy-no-abortonclose',
      exit: 0,
      errors: [],
      warnings: ['GW0113 hops.0.abortOnClose'],
      reality: `a vanished device's Ping stays held until ${server} answers`,
    },
  ]
}

/** Runs the hop suite on the paths of `setup.server`. */
export async function runHopsSuite (t: Test, setup: HopsSetup): Promise<void> {
  const { server, prefix } = setup
  const USER = server.alice
  const NAME = server.title
  /** The folder every Ping here watches (see the file comment). */
  const FOLDER = 'Drafts'
  const GATEWAY_FIXTURE = loadGatewayFixture(setup.gatewayFixture)
  /** The gateway's clamp: the longest Ping any hop in front of it holds (10 s). */
  const MAX_HB = durationSeconds(String(GATEWAY_FIXTURE.server?.maxHeartbeat), 's')
  /** The shortest heartbeat it lets through (5 s); the server answers such a Ping after ≈ 5 s. */
  const MIN_HB = durationSeconds(String(GATEWAY_FIXTURE.server?.minHeartbeat), 's')
  const topology = (name: string): string => `${prefix}${name}.yaml`
  const LINT_CASES = lintCases(MAX_HB, NAME).map((c) => ({ ...c, errors: [...c.errors, ...(setup.extraErrors?.[c.file] ?? [])], file: topology(c.file) }))
  const peers = (...p: PeerName[]): PeerName[] => [...server.peers.filter((x) => !x.endsWith('lda')), 'libwbxml', ...p, 'gateway']
  /** A fresh device on `path`, with FOLDER synced until empty (so a Ping on it blocks). */
  const deviceOn = (path: RunningPath, label: string): Promise<PathDevice> => deviceOnPath(path, label, FOLDER, USER)

  t.test('gateway lint on the topology of every path this file starts', async (t) => {
    if (!(await requirePeer(t, 'gateway'))) return
    // One `gateway lint` process per file, all at once (each takes a second or two under tap).
    const runs = await Promise.all(LINT_CASES.map(async (c) => ({ c, r: await lintTopology(loadTopology(c.file).file) })))
    for (const { c, r } of runs) {
      if (!r.report) {
        t.fail(`${c.file}: lint printed no JSON (exit ${r.exitCode}): ${r.stderr}`)
        continue
      }
      const at = (level: string): string[] =>
        r.report!.findings.filter((f) => f.level === level).map((f) => `${f.ruleId} ${f.path.join('.')}`).sort()
      t.equal(r.exitCode, c.exit, `${c.file}: exit ${c.exit} (reality: ${c.reality})`)
      t.same(at('error'), [...c.errors].sort(), `${c.file}: errors ${c.errors.join(', ') || 'none'}`)
      const warnings = at('warning')
      for (const w of c.warnings) t.ok(warnings.includes(w), `${c.file}: warning ${w}`)
      t.comment(`${c.file}: exit ${r.exitCode}; errors: ${at('error').join(', ') || 'none'}; warnings: ${warnings.join(', ') || 'none'}`)
      t.equal(r.report.heartbeat?.effective.seconds, MAX_HB, `${c.file}: the heartbeat in force is the gateway's clamp, ${MAX_HB} s`)
    }
  })

  /** Ping through a hop with short timeouts: the hop answers (504) and the gateway records device_abort. */
  async function cutPing (t: Test, name: string): Promise<void> {
    const path = await startPath(t, topology(name))
    const hopTimeout = path.kind === 'nginx'
      ? nginxOptionsFrom(path.topo, path.gw.url).readTimeoutSec!
      : durationSeconds(path.topo.hop('haproxy').timeouts!['timeout server']!, 'ms')
    const { s, folders } = await deviceOn(path, `cut${path.kind}`)
    const before = await metricsView(path.admin)

    const r = await ping(s, { heartbeat: MIN_HB, folders, timeoutMs: 30_000, closeWatchMs: 0 })
    const ms = r.response.elapsedMs
    t.equal(r.response.status, 504, `${path.kind} answers the device 504 itself`)
    t.equal(r.status, undefined, 'no Ping answer reaches the device')
    t.ok(ms >= hopTimeout * 1000 - 100 && ms < hopTimeout * 1000 + 1500, `cut after ≈ ${hopTimeout} s (${ms} ms), before ${NAME}'s answer at ≈ ${MIN_HB} s`)

    const after = await waitForMetrics(path.admin, 'the cut Ping is counted', (m) => m.value(REQUESTS, PING_ABORT) > before.value(REQUESTS, PING_ABORT))
    t.equal(after.value(REQUESTS, PING_ABORT) - before.value(REQUESTS, PING_ABORT), 1, 'requests_total{command="Ping",outcome="device_abort"} +1')
    t.equal(after.value(REQUESTS, PING_DONE) - before.value(REQUESTS, PING_DONE), 0, 'and no completed Ping')
    t.equal(after.value('eas_gateway_requests_in_flight', { command: 'Ping' }), 0, 'nothing left in flight')
    t.equal((await readDevice(path.admin, s.deviceId))?.heldPing, null, '/devices: the Ping is no longer held')
    const line = await path.gw.logs.waitFor((e) => e.msg === 'request' && e['eas.device.id'] === s.deviceId && e['eas.command'] === 'Ping')
    t.equal(line['eas.outcome'], 'device_abort', 'access log: outcome device_abort')
    t.ok(Math.abs(Number(line['event.duration']) / 1e6 - hopTimeout * 1000) < 1500, `access log: held ${Number(line['event.duration']) / 1e6} ms at the gateway`)
    t.comment(`${topology(name)}: ${path.kind} cut a ${MIN_HB} s Ping after ${ms} ms (gateway: device_abort, ${Number(line['event.duration']) / 1e6} ms)`)
    const end = await upstreamPingEnded(t, s.deviceId, server.cancelledPingStatus, server.kind === 'sogo'
      ? 'the gateway cancelled its upstream Ping at once: the fixture\'s nginx in front of sogod logged 499 (client closed)'
      : 'the gateway cancelled its upstream Ping, but Horde never noticed: Apache logged 200 when the heartbeat ended')
    if (end?.durationMs !== undefined) t.comment(`${NAME} kept the cancelled Ping ${Math.round(end.durationMs)} ms (gateway: ${Number(line['event.duration']) / 1e6} ms)`)
  }

  /**
   * How the Ping of `deviceId` ended at the server's front (SOGo's nginx, Horde's Apache; polled
   * until the entry is written). Skipped with a comment when the log cannot be read.
   */
  async function upstreamPingEnded (t: Test, deviceId: string, status: number, message: string): Promise<ServerAccessEntry | undefined> {
    if ((await server.accessEntries(deviceId)) === undefined) {
      t.comment(`cannot read ${NAME}'s access log: not checking how the upstream Ping ended`)
      return undefined
    }
    const pings = await waitFor(
      `${NAME}'s front to log the Ping of ${deviceId}`,
      async () => {
        const e = (await server.accessEntries(deviceId))?.filter((x) => x.request.includes('Cmd=Ping'))
        return e && e.length > 0 ? e : undefined
      },
      { timeoutMs: (MAX_HB + 10) * 1000 }
    )
    const last = pings[pings.length - 1]!
    t.equal(last.status, status, message)
    return last
  }

  t.test('nginx with proxy_read_timeout 2 s cuts the Ping: device_abort at the gateway', { timeout: 60_000 }, async (t) => {
    if (!(await requirePeer(t, peers('nginx')))) return
    await cutPing(t, 'nginx-short')
  })

  t.test('HAProxy with timeout client/server 2 s cuts the Ping: device_abort at the gateway', { timeout: 60_000 }, async (t) => {
    if (!(await requirePeer(t, peers('haproxy')))) return
    await cutPing(t, 'haproxy-short')
  })

  t.test(`timeouts above the heartbeat plus the margin: a ${MAX_HB} s Ping completes through nginx and HAProxy`, { timeout: 90_000 }, async (t) => {
    if (!(await requirePeer(t, peers('nginx', 'haproxy')))) return
    const run = async (name: string): Promise<void> => {
      const path = await startPath(t, topology(name))
      const { s, folders } = await deviceOn(path, `ok${path.kind}`)
      const before = await metricsView(path.admin)
      const r = await ping(s, { heartbeat: MAX_HB, folders, closeWatchMs: 0 })
      const ms = r.response.elapsedMs
      t.equal(r.response.status, 200, `${path.kind}: HTTP 200`)
      t.equal(r.status, '1', `${path.kind}: Status 1 from ${NAME}`)
      // Horde loops on PHP's time(), in whole seconds: its Ping ends up to 1 s before the heartbeat
      // (notes/horde.md: 59.10 s for 60 s; here 9,047 ms for 10 s in one full run).
      t.ok(ms >= MAX_HB * 1000 - 1000 && ms <= MAX_HB * 1000 + 3000, `${path.kind}: held for the heartbeat (${ms} ms)`)
      const after = await metricsView(path.admin)
      t.equal(after.value(REQUESTS, PING_DONE) - before.value(REQUESTS, PING_DONE), 1, `${path.kind}: requests_total{command="Ping",outcome="completed"} +1`)
      t.equal(after.value(REQUESTS, PING_ABORT) - before.value(REQUESTS, PING_ABORT), 0, `${path.kind}: no device_abort`)
      t.comment(`${topology(name)}: a ${MAX_HB} s Ping completed through ${path.kind} in ${ms} ms`)

      // closeOn401 in the topology, and GW0112 when it is missing, against what the hop does.
      const closes = path.topo.hop(path.kind).closeOn401 === true
      const bad = await easRequest({ baseUrl: path.base, user: USER.user, password: 'wrong-password', timeoutMs: 30_000 })
      t.equal(bad.status, 401, `${path.kind}: a wrong password is 401`)
      t.equal(
        bad.socketClosed,
        closes,
        closes
          ? `${path.kind} closes the device connection after the 401 (closeOn401: true, no GW0112)`
          : `${path.kind} keeps the device connection after the 401, though the gateway closed its own (GW0112 warns about exactly this)`
      )
    }
    await Promise.all([run('nginx-ok'), run('haproxy-ok')])
  })

  t.test('HAProxy without option abortonclose keeps the upstream Ping of a vanished device', { timeout: 90_000 }, async (t) => {
    if (!(await requirePeer(t, peers('haproxy')))) return
    /** What the gateway did after the device behind HAProxy disappeared mid-hold. */
    interface Vanish {
      /** How long the Ping had been held when the device vanished (ms). */
      heldBefore: number;
      /** How long the gateway still held it afterwards (ms, until /devices shows no held Ping). */
      heldAfter: number;
      /** requests_in_flight{command="Ping"} 1 s after the device vanished. */
      inFlightAfter1s: number;
      outcome: unknown;
    }
    const run = async (name: string): Promise<Vanish> => {
      const path = await startPath(t, topology(name))
      const { s, folders } = await deviceOn(path, `gone${path.topo.hop('haproxy').abortOnClose ? 'abc' : 'noabc'}`)
      const device = new AbortController()
      const startedAt = Date.now()
      const pending = ping(s, { heartbeat: MAX_HB, folders, signal: device.signal })
      pending.catch(() => {}) // it is aborted below
      await waitUntilHeld(path.admin, s.deviceId)
      // The device vanishes (its socket is closed: FIN, as when a phone's process dies) once
      // /devices reports the Ping held for a second (heldSeconds is rounded: 0.5 s or more).
      await waitFor('the Ping to be held for 1 s', async () => ((await readDevice(path.admin, s.deviceId))?.heldPing?.heldSeconds ?? 0) >= 1, { timeoutMs: 5000 })
      device.abort()
      const vanishedAt = Date.now()
      const heldBefore = vanishedAt - startedAt
      await t.rejects(pending, 'the device saw no answer (it is gone)')
      // Poll until the gateway has released the Ping and at least 1 s has passed (so that the
      // in-flight gauge is sampled 1 s after the vanish in both cases); note when it was released.
      let inFlightAfter1s: number | undefined
      let releasedAt: number | undefined
      await waitFor(
        'the gateway to release the Ping',
        async () => {
          const m = await metricsView(path.admin)
          const inFlight = m.value('eas_gateway_requests_in_flight', { command: 'Ping' })
          if (inFlightAfter1s === undefined && Date.now() - vanishedAt >= 1000) inFlightAfter1s = inFlight
          const released = (await readDevice(path.admin, s.deviceId))?.heldPing === null && inFlight === 0
          if (released) releasedAt ??= Date.now()
          return released && inFlightAfter1s !== undefined
        },
        { timeoutMs: (MAX_HB + 10) * 1000, maxIntervalMs: 100 }
      )
      const heldAfter = releasedAt! - vanishedAt
      const line = await path.gw.logs.waitFor((e) => e.msg === 'request' && e['eas.device.id'] === s.deviceId && e['eas.command'] === 'Ping')
      const abc = path.topo.hop('haproxy').abortOnClose === true
      await upstreamPingEnded(
        t,
        s.deviceId,
        abc ? server.cancelledPingStatus : 200,
        abc
          ? server.kind === 'sogo'
            ? 'with abortonclose: the upstream Ping was cancelled (the fixture nginx in front of sogod logged 499)'
            : 'with abortonclose: the gateway cancelled the upstream Ping, yet Horde ran it to its end (Apache logged 200)'
          : `without abortonclose: the upstream Ping ran to its end (${NAME}'s front logged 200)`
      )
      return { heldBefore, heldAfter, inFlightAfter1s: inFlightAfter1s!, outcome: line['eas.outcome'] }
    }
    const [withAbc, without] = await Promise.all([run('haproxy-ok'), run('haproxy-no-abortonclose')])

    t.ok(withAbc.heldAfter < 1000, `with abortonclose: the gateway released the Ping ${withAbc.heldAfter} ms after the device vanished`)
    t.equal(withAbc.inFlightAfter1s, 0, 'with abortonclose: requests_in_flight{command="Ping"} 0 one second later')
    t.equal(withAbc.outcome, 'device_abort', 'with abortonclose: outcome device_abort')

    const rest = MAX_HB * 1000 - without.heldBefore
    t.ok(without.heldAfter >= rest - 1500, `without abortonclose: still held ${without.heldAfter} ms after the device vanished (until ${NAME} answered, ≈ ${rest} ms)`)
    t.equal(without.inFlightAfter1s, 1, 'without abortonclose: requests_in_flight{command="Ping"} still 1 one second later')
    t.equal(without.outcome, 'completed', `without abortonclose: outcome completed (${NAME}'s answer went to HAProxy, for nobody)`)
    t.ok(without.heldAfter - withAbc.heldAfter > 5000, `the difference: ${without.heldAfter - withAbc.heldAfter} ms of upstream Ping held for a device that is gone`)
    t.comment(
      `vanished ${withAbc.heldBefore} / ${without.heldBefore} ms into a ${MAX_HB} s Ping: held after the vanish ${withAbc.heldAfter} ms with abortonclose ` +
        `(outcome ${String(withAbc.outcome)}), ${without.heldAfter} ms without (outcome ${String(without.outcome)})`
    )
  })
}
