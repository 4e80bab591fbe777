import { request } from 'node:http'
import t from 'tap'
import { cli, type CliIo } from '../../lib/cli/index.js'
import { encodeWbxml, wbxmlElement } from '../../lib/eas/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { AUTH_TOKEN, easPath, easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { startGateway } from '../helpers/start-gateway.js'

const TOKEN = 'trace-test-token'
// A Sync carrying message content: the echo upstream sends it back as the answer.
const SYNC = Buffer.from(encodeWbxml(wbxmlElement('AirSync', 'Sync', [wbxmlElement('AirSync', 'Collections', [wbxmlElement('AirSync', 'Collection', [
  wbxmlElement('AirSync', 'SyncKey', '7'),
  wbxmlElement('AirSync', 'ApplicationData', [wbxmlElement('Email', 'Subject', 'Quarterly numbers'), wbxmlElement('AirSyncBase', 'Body', [wbxmlElement('AirSyncBase', 'Data', 'secret body text')])])
])])])))

type Line = Record<string, unknown> & { type: string }

/** Opens /trace and collects its NDJSON lines; `next(n)` waits for the n-th. */
async function openTrace (port: number, query: string, token = TOKEN): Promise<{ status: number, lines: Line[], next: (n: number) => Promise<Line>, close: () => void }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/trace?${query}`, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const lines: Line[] = []
      const waiters: (() => void)[] = []
      let rest = ''
      res.setEncoding('utf8')
      res.on('error', () => {}) // close() cuts the stream on purpose
      res.on('data', (c: string) => {
        if (res.statusCode !== 200) return
        rest += c
        let nl
        while ((nl = rest.indexOf('\n')) >= 0) { lines.push(JSON.parse(rest.slice(0, nl)) as Line); rest = rest.slice(nl + 1) }
        for (const w of waiters.splice(0)) w()
      })
      const next = async (n: number): Promise<Line> => {
        while (lines.length < n) await new Promise<void>((resolve) => waiters.push(resolve))
        return lines[n - 1] as Line
      }
      resolve({ status: res.statusCode ?? 0, lines, next, close: () => { req.destroy() } })
    })
    req.on('error', (err) => { if (!req.destroyed) reject(err) })
    req.end()
  })
}

t.test('trace: nothing is captured while nobody traces', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {}, {}, { admin: { token: TOKEN } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  for (let i = 0; i < 5; i++) t.equal((await dev.request(easRequest('Sync', { body: SYNC }))).status, 200)
  t.equal(gw.gateway.trace.active, false)
  t.equal(gw.gateway.trace.captured, 0, 'no event captured without a subscriber')
})

t.test('trace: one device\'s request and answer, headers redacted, WBXML as XML, content hidden', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {}, {}, { admin: { token: TOKEN } })
  t.equal((await openTrace(gw.adminPort, 'deviceId=DEV0001', 'wrong')).status, 401, 'a wrong token: 401')
  const tr = await openTrace(gw.adminPort, 'deviceId=DEV0001')
  t.teardown(tr.close)
  t.equal(tr.status, 200)
  t.match(await tr.next(1), { type: 'subscribed', deviceId: 'DEV0001' })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  // Another device first: not in this trace.
  t.equal((await dev.request(easRequest('Sync', { path: easPath('Sync').replace('DEV0001', 'OTHER9'), body: SYNC }))).status, 200)
  const res = await dev.request(easRequest('Sync', { body: SYNC, headers: [['Cookie', 'session=abc123']] }))
  t.equal(res.status, 200)
  t.same(res.body, SYNC, 'the device got the whole answer')
  const req = await tr.next(2)
  t.match(req, { type: 'request', method: 'POST', command: 'Sync', deviceId: 'DEV0001', user: 'alice', query: /Cmd=Sync/, bodyBytes: SYNC.length })
  const headers = req.headers as Record<string, string>
  t.equal(headers.authorization, '[redacted]')
  t.equal(headers.cookie, '[redacted]')
  t.match(req.xml, /<Sync xmlns="AirSync">[\s\S]*<SyncKey>7<\/SyncKey>[\s\S]*<Subject xmlns="Email">\[17 bytes\]<\/Subject>/)
  t.match(req.xml, /<Body xmlns="AirSyncBase">\[16 bytes\]<\/Body>/)
  const answer = await tr.next(3)
  t.match(answer, { type: 'response', status: 200, outcome: 'completed', command: 'Sync', upstream: 'up1', bodyBytes: SYNC.length })
  t.type(answer.durationMs, 'number')
  const text = JSON.stringify(tr.lines)
  t.notMatch(text, /Quarterly|secret body|abc123|OTHER9/, 'no content, no cookie, no other device')
  t.notMatch(text, new RegExp(AUTH_TOKEN), 'no credentials')
  t.equal(gw.gateway.trace.captured, 2, 'two events: the request and its answer')
  tr.close()
})

t.test('trace: a body over 64 KiB is forwarded whole, kept up to the cap; a streamed request body is not captured', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {}, {}, { admin: { token: TOKEN } })
  const tr = await openTrace(gw.adminPort, 'deviceId=DEV0001')
  t.teardown(tr.close)
  await tr.next(1)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const big = Buffer.alloc(100 * 1024, 0x61)
  const res = await dev.request(easRequest('SendMail', { body: big, headers: [['Content-Type', 'message/rfc822']] }))
  t.equal(res.status, 200)
  t.equal(res.body.length, big.length, 'the device got all 100 KiB back')
  t.match(await tr.next(2), { type: 'request', command: 'SendMail', bodyStreamed: true })
  const answer = await tr.next(3)
  t.match(answer, { type: 'response', bodyBytes: 64 * 1024, bodyCapped: true })
  t.notOk('text' in answer, 'content hidden')
})

t.test('trace: ?content=1 shows the content; a held Ping shows on arrival, its answer when sent', async (t) => {
  const up = await startUpstream({ kind: 'hold', ms: 400, body: '' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {}, {}, { admin: { token: TOKEN } })
  const tr = await openTrace(gw.adminPort, 'user=ALICE&content=1')
  t.teardown(tr.close)
  await tr.next(1)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const ping = Buffer.from(encodeWbxml(wbxmlElement('Ping', 'Ping', [wbxmlElement('Ping', 'HeartbeatInterval', '1')])))
  const pending = dev.request(easRequest('Ping', { body: ping }))
  const arrived = await tr.next(2)
  t.match(arrived, { type: 'request', command: 'Ping', xml: /<HeartbeatInterval>1<\/HeartbeatInterval>/ })
  t.equal(tr.lines.length, 2, 'the answer is not there while the Ping is held')
  t.equal((await pending).status, 200)
  t.match(await tr.next(3), { type: 'response', command: 'Ping', status: 200 })
  const sync = await dev.request(easRequest('Sync', { body: SYNC }))
  t.equal(sync.status, 200)
  t.match(await tr.next(4), { type: 'request', xml: /Quarterly numbers[\s\S]*secret body text/ })
})

function memoryIo (): CliIo & { out: () => string, err: () => string, stop: () => void } {
  let out = ''
  let err = ''
  let handler: (() => void) | undefined
  return {
    stdout: (s) => { out += s },
    stderr: (s) => { err += s },
    readFile: async () => `${TOKEN}\n`,
    cwd: '/',
    env: {},
    onShutdown: (h) => { handler = h },
    out: () => out,
    err: () => err,
    stop: () => { handler?.() }
  }
}

t.test('gateway trace: prints the exchange, exits 0 at --for; 1 when refused or unreachable', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {}, {}, { admin: { token: TOKEN } })
  const admin = `http://127.0.0.1:${gw.adminPort}`
  const io = memoryIo()
  const run = cli(['trace', '--device', 'DEV0001', '--admin', admin, '--token-file', 'tok', '--for', '1500ms'], io)
  // Wait for the subscription itself (the gateway's own flag), then send one request.
  while (!gw.gateway.trace.active) await new Promise((resolve) => setImmediate(resolve))
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  t.equal((await dev.request(easRequest('Sync', { body: SYNC }))).status, 200)
  t.equal(await run, 0, 'exit 0 at the time limit')
  t.match(io.out(), /-> POST Sync alice\/DEV0001/)
  t.match(io.out(), /<- 200 completed \d+ ms Sync/)
  t.match(io.out(), /authorization: \[redacted\]/)
  t.match(io.out(), /time limit reached/)

  const ctrlC = memoryIo()
  const running = cli(['trace', '--user', 'alice', '--admin', admin, '--token-file', 'tok'], ctrlC)
  while (!gw.gateway.trace.active) await new Promise((resolve) => setImmediate(resolve))
  ctrlC.stop()
  t.equal(await running, 0, 'Ctrl-C: exit 0')

  const refused = memoryIo()
  t.equal(await cli(['trace', '--device', 'DEV0001', '--admin', admin], refused), 1, 'no token: exit 1')
  t.match(refused.err(), /answered 401: the admin listener needs a credential, give --token-file FILE/)
  const down = memoryIo()
  t.equal(await cli(['trace', '--device', 'DEV0001', '--admin', 'http://127.0.0.1:9'], down), 1, 'unreachable: exit 1')
  t.match(down.err(), /cannot reach http:\/\/127\.0\.0\.1:9\/trace: .*ECONNREFUSED/)
  const usage = memoryIo()
  t.equal(await cli(['trace', '--device', 'x', '--for', '2h'], usage), 2, '--for above 1h: usage')
  t.equal(await cli(['trace'], usage), 2, 'neither --device nor --user: usage')
})
