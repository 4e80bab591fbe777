import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import t from 'tap'
import { createProbeServer, PROBE_DELAY_HEADER, probePath } from '../../lib/probe/index.js'

// Unit tests on loopback: the probe server, and the search against small "paths" that cut a
// silent request after CUT ms in each of the ways a real path does (504, RST, FIN, silence).
const CUT = 400

interface Tap { teardown: (fn: () => unknown) => void }

/** A stand-in for a path: answers like the probe server below CUT ms, cuts a longer request `how`. */
async function cutter (t: Tap, how: '504' | 'rst' | 'fin' | 'silent'): Promise<string> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    const delay = Number(req.headers[PROBE_DELAY_HEADER])
    const timer = setTimeout(() => {
      if (delay < CUT) { res.writeHead(200).end('gateway-probe ok'); return }
      if (how === '504') res.writeHead(504).end('gateway timeout')
      else if (how === 'rst') req.socket.resetAndDestroy()
      else if (how === 'fin') req.socket.end()
      // silent: nothing, ever (the probe gives up after its grace)
    }, Math.min(delay, CUT))
    res.on('close', () => clearTimeout(timer))
  })
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => { for (const s of sockets) s.destroy(); await new Promise((resolve) => server.close(resolve)) })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/Microsoft-Server-ActiveSync`
}

t.test('the probe server answers only after the delay asked for, and refuses requests without one', async (t) => {
  const server = await createProbeServer({ maxDelayMs: 5000 })
  t.teardown(server.close)
  const t0 = performance.now()
  const res = await fetch(`${server.url}/Microsoft-Server-ActiveSync?Cmd=Ping`, { headers: { [PROBE_DELAY_HEADER]: '300' } })
  const body = await res.text()
  const took = performance.now() - t0
  t.equal(res.status, 200)
  t.match(body, /^gateway-probe ok 300 \d+\n$/)
  t.ok(took >= 290, `answered after the delay (${Math.round(took)} ms)`)
  t.equal(server.answered(), 1)
  t.equal((await fetch(server.url)).status, 400, 'no delay header')
  t.equal((await fetch(server.url, { headers: { [PROBE_DELAY_HEADER]: '6000' } })).status, 400, 'above --max-delay')
})

t.test('closing the probe server cancels held answers and ends their connections', async (t) => {
  const server = await createProbeServer()
  const pending = fetch(server.url, { headers: { [PROBE_DELAY_HEADER]: '60000' } }).then(() => 'answered', () => 'cut')
  await new Promise((resolve) => setTimeout(resolve, 50))
  await server.close()
  t.equal(await pending, 'cut')
})

t.test('a path that cuts nothing up to the bound: no timeout, every probe answered', async (t) => {
  const server = await createProbeServer()
  t.teardown(server.close)
  const r = await probePath({ url: server.url, minMs: 100, maxMs: 500, parallel: 3, maxProbes: 6 })
  t.equal(r.timeoutMs, undefined)
  t.equal(r.bracket.answeredMs, 500)
  t.ok(r.probes.every((p) => p.end === 'answered'))
  t.ok(r.probes.length <= 6)
})

for (const how of ['504', 'rst', 'fin'] as const) {
  t.test(`a path that cuts with ${how} at ${CUT} ms is measured within 5 %`, async (t) => {
    const url = await cutter(t, how)
    const r = await probePath({ url, minMs: 100, maxMs: 1000, parallel: 4, maxProbes: 16 })
    t.ok(r.timeoutMs !== undefined && Math.abs(r.timeoutMs - CUT) <= CUT * 0.05, `found ${r.timeoutMs ?? 'nothing'} ms`)
    t.match(r.cut, how === '504' ? { end: 'status', status: 504 } : { end: how })
    t.ok(r.bracket.answeredMs < CUT && (r.bracket.cutMs ?? 0) >= CUT, `bracket ${r.bracket.answeredMs}..${r.bracket.cutMs ?? '?'}`)
    t.ok(r.probes.length <= 16, 'bounded in count')
  })
}

t.test('a silent drop narrows the bracket instead', async (t) => {
  const url = await cutter(t, 'silent')
  const r = await probePath({ url, minMs: 100, maxMs: 800, parallel: 4, maxProbes: 12, graceMs: () => 300 })
  t.match(r.cut, { end: 'silent' })
  t.ok(r.timeoutMs !== undefined && r.bracket.answeredMs < CUT && (r.bracket.cutMs ?? 0) >= CUT, `bracket ${r.bracket.answeredMs}..${r.bracket.cutMs ?? '?'}`)
  t.ok(r.probes.every((p) => p.end === 'answered' || p.elapsedMs <= p.delayMs + 400), 'no probe waits past its delay + grace')
})
