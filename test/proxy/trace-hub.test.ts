import t from 'tap'
import { encodeWbxml, wbxmlElement } from '../../lib/eas/index.js'
import { TRACE_BACKLOG_BYTES, TRACE_BODY_CAP, TraceHub, type TraceSide } from '../../lib/proxy/trace-hub.js'

const side = (over: Partial<TraceSide> = {}): TraceSide => ({
  reqId: 'r1', user: 'alice', deviceId: 'D1', fields: { method: 'POST', command: 'Sync' }, headers: { authorization: 'Basic x', 'x-a': '1' }, body: undefined, contentType: undefined, ...over
})

t.test('a reader over the backlog loses events, counted, and is told once it catches up', async (t) => {
  const hub = new TraceHub()
  const lines: string[] = []
  let backlog = 0
  hub.subscribe({ deviceId: 'D1', showContent: false }, { write: (l) => { lines.push(l) }, get backlog () { return backlog } })
  hub.emit('request', side())
  backlog = TRACE_BACKLOG_BYTES + 1
  hub.emit('response', side())
  hub.emit('request', side())
  t.equal(lines.length, 1, 'nothing written while the reader is behind')
  backlog = 0
  hub.emit('response', side())
  t.equal(lines.length, 3)
  t.match(JSON.parse(lines[1] ?? ''), { type: 'dropped', events: 2 })
  t.match(JSON.parse(lines[2] ?? ''), { type: 'response' })
})

t.test('only the followed device; unsubscribing makes the hub inactive', async (t) => {
  const hub = new TraceHub()
  t.equal(hub.active, false)
  const stop = hub.subscribe({ user: 'alice', showContent: false }, { write: () => {}, backlog: 0 })
  t.equal(hub.active, true)
  t.equal(hub.wants('ALICE', 'any'), true, 'user: any case')
  t.equal(hub.wants('bob', 'D1'), false)
  stop()
  t.equal(hub.active, false)
})

t.test('a body is kept up to the cap; a WBXML body cut there says it is not decodable', async (t) => {
  const hub = new TraceHub()
  const lines: string[] = []
  hub.subscribe({ deviceId: 'D1', showContent: false }, { write: (l) => { lines.push(l) }, backlog: 0 })
  const big = Buffer.from(encodeWbxml(wbxmlElement('AirSync', 'Sync', [wbxmlElement('AirSync', 'SyncKey', 'x'.repeat(TRACE_BODY_CAP + 10))])))
  hub.emit('request', side({ body: [big.subarray(0, 1000), big.subarray(1000)] }))
  const ev = JSON.parse(lines[0] ?? '') as Record<string, unknown>
  t.match(ev, { bodyBytes: TRACE_BODY_CAP, bodyCapped: true, wbxmlError: String })
  t.equal((ev.headers as Record<string, string>).authorization, '[redacted]')
  t.equal(big.length > TRACE_BODY_CAP, true, 'the body itself was larger')
})
