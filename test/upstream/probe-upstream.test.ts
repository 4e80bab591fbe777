import t from 'tap'
import type { Dispatcher } from 'undici'
import { probeUpstream } from '../../lib/upstream/index.js'

type Script = (h: Dispatcher.DispatchHandler, c: Dispatcher.DispatchController) => void

/** A stub dispatcher that plays a script against the probe's handler (no sockets: a unit test). */
function stub (script: Script): Dispatcher & { seen: Dispatcher.DispatchOptions[], aborted: unknown[] } {
  const seen: Dispatcher.DispatchOptions[] = []
  const aborted: unknown[] = []
  const controller = { abort (err: unknown) { aborted.push(err) }, pause () {}, resume () {}, paused: false, aborted: false, reason: null } as unknown as Dispatcher.DispatchController
  return {
    seen,
    aborted,
    dispatch (opts: Dispatcher.DispatchOptions, h: Dispatcher.DispatchHandler) { seen.push(opts); script(h, controller); return true }
  } as unknown as Dispatcher & { seen: Dispatcher.DispatchOptions[], aborted: unknown[] }
}
const err = (code: string): Error => Object.assign(new Error(code), { code })
const connected = (then: Script): Script => (h, c) => { h.onRequestStart?.(c, {}); then(h, c) }
const respond = (status: number): Script => connected((h, c) => { h.onResponseStart?.(c, status, {}, ''); h.onResponseEnd?.(c, {}) })

t.test('OPTIONS on the given path, no credentials; 200 and 401 mean alive', async (t) => {
  const d = stub(respond(200))
  t.same(await probeUpstream(d, { path: '/SOGo/Microsoft-Server-ActiveSync', timeout: 1000 }), { ok: true, status: 200 })
  t.match(d.seen[0], { method: 'OPTIONS', path: '/SOGo/Microsoft-Server-ActiveSync', headers: { 'user-agent': 'eas-gateway-health-check' } })
  t.notOk('authorization' in (d.seen[0]?.headers as object))
  t.same(d.aborted, [], 'an answered probe leaves its connection alone')
  t.same(await probeUpstream(stub(respond(401)), { path: '/', timeout: 1000 }), { ok: true, status: 401 })
})

t.test('any other status is not alive', async (t) => {
  for (const status of [404, 500, 503]) {
    t.same(await probeUpstream(stub(respond(status)), { path: '/', timeout: 1000 }), { ok: false, reason: 'status', code: `HTTP_${status}`, status })
  }
  t.same(await probeUpstream(stub(connected((h, c) => { h.onResponseStart?.(c, 100, {}, ''); h.onResponseStart?.(c, 200, {}, '') })), { path: '/', timeout: 1000 }), { ok: true, status: 200 }, '1xx is skipped')
})

t.test('connect failures keep their reason; an error after the connect is a reset', async (t) => {
  const cases: [string, string][] = [['ENOTFOUND', 'dns'], ['ECONNREFUSED', 'refused'], ['UND_ERR_CONNECT_TIMEOUT', 'connect_timeout'], ['CERT_HAS_EXPIRED', 'tls'], ['EWHATEVER', 'other']]
  for (const [code, reason] of cases) {
    t.same(await probeUpstream(stub((h, c) => { h.onResponseError?.(c, err(code)) }), { path: '/', timeout: 1000 }), { ok: false, reason, code }, code)
  }
  t.same(await probeUpstream(stub(connected((h, c) => { h.onResponseError?.(c, err('ECONNRESET')) })), { path: '/', timeout: 1000 }), { ok: false, reason: 'reset', code: 'ECONNRESET' })
  t.same(await probeUpstream(stub(() => { throw err('UND_ERR_DESTROYED') }), { path: '/', timeout: 1000 }), { ok: false, reason: 'other', code: 'UND_ERR_DESTROYED' })
})

t.test('bounded in time: no connect in time is connect_timeout, no answer in time is timeout', async (t) => {
  let late: Dispatcher.DispatchHandler | undefined
  const silentConnect = stub((h) => { late = h })
  t.same(await probeUpstream(silentConnect, { path: '/', timeout: 20 }), { ok: false, reason: 'connect_timeout', code: 'PROBE_CONNECT_TIMEOUT' })
  late?.onRequestStart?.({ abort () { silentConnect.aborted.push('late') } } as unknown as Dispatcher.DispatchController, {})
  t.same(silentConnect.aborted, ['late'], 'a connect that completes after the timeout is cut at once')
  const silentServer = stub(connected(() => {}))
  t.same(await probeUpstream(silentServer, { path: '/', timeout: 20 }), { ok: false, reason: 'timeout', code: 'PROBE_TIMEOUT' })
  t.equal(silentServer.aborted.length, 1, 'the hanging request is cancelled')
})

t.test('an abort signal (pool stopping) settles the probe at once', async (t) => {
  const ac = new AbortController()
  const p = probeUpstream(stub(connected(() => {})), { path: '/', timeout: 60_000, signal: ac.signal })
  ac.abort()
  t.same(await p, { ok: false, reason: 'other', code: 'PROBE_ABORTED' })
  const pre = new AbortController()
  pre.abort()
  t.same(await probeUpstream(stub(respond(200)), { path: '/', timeout: 60_000, signal: pre.signal }), { ok: false, reason: 'other', code: 'PROBE_ABORTED' })
})
