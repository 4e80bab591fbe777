import { connect, type Socket } from 'node:net'
import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { parseProxyHeader } from '../../lib/proxy/proxy-protocol.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'
import { createTlsMaterial } from '../helpers/tls-material.js'

const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex')

/** A v2 header as HAProxy's send-proxy-v2 sends it: PROXY command, TCP over IPv4 or IPv6, optional TLVs. */
function v2 (opts: { src?: string, family?: 4 | 6, command?: number, version?: number, tlv?: Buffer, truncate?: number } = {}): Buffer {
  const family = opts.family ?? 4
  let addr: Buffer
  if (family === 4) {
    addr = Buffer.alloc(12)
    Buffer.from((opts.src ?? '203.0.113.7').split('.').map(Number)).copy(addr, 0)
    Buffer.from([127, 0, 0, 1]).copy(addr, 4)
    addr.writeUInt16BE(51234, 8)
    addr.writeUInt16BE(8443, 10)
  } else {
    addr = Buffer.alloc(36)
    addr.writeUInt16BE(0x2001, 0); addr.writeUInt16BE(0x0db8, 2); addr.writeUInt16BE(1, 14)
    addr.writeUInt16BE(1, 30)
    addr.writeUInt16BE(40000, 32)
    addr.writeUInt16BE(8443, 34)
  }
  const body = Buffer.concat([addr, opts.tlv ?? Buffer.alloc(0)])
  const head = Buffer.from([((opts.version ?? 2) << 4) | (opts.command ?? 1), family === 4 ? 0x11 : 0x21, 0, 0])
  head.writeUInt16BE(body.length - (opts.truncate ?? 0), 2)
  return Buffer.concat([SIG, head, body])
}

t.test('unit: v1 lines as HAProxy send-proxy writes them', async (t) => {
  t.match(parseProxyHeader(Buffer.from('PROXY TCP4 203.0.113.7 127.0.0.1 51234 8443\r\nPOST /'), 'v1'), { kind: 'ok', length: 45, source: { address: '203.0.113.7', port: 51234 } })
  t.match(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 ::1 40000 8443\r\n'), 'v1'), { kind: 'ok', source: { address: '2001:db8::1', port: 40000 } })
  t.same(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ::1 1 2\r\n'), 'v1'), { kind: 'ok', length: 31 }, 'UNKNOWN: the peer stays itself')
  t.same(parseProxyHeader(Buffer.from('PROXY TCP4 203.0.1'), 'v1'), { kind: 'incomplete' })
  t.same(parseProxyHeader(Buffer.from('PRO'), 'v1'), { kind: 'incomplete' })
  for (const bad of ['PROXY TCP4 203.0.113.7 127.0.0.1 51234\r\n', 'PROXY TCP4 2001:db8::1 127.0.0.1 1 2\r\n', 'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n',
    'PROXY TCP4 1.2.3.4 5.6.7.8 70000 2\r\n', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n', `PROXY TCP4 ${'1'.repeat(120)}`]) {
    t.same(parseProxyHeader(Buffer.from(bad), 'v1'), { kind: 'invalid', reason: 'malformed' }, JSON.stringify(bad.slice(0, 40)))
  }
  t.same(parseProxyHeader(Buffer.from('POST /Microsoft-Server-ActiveSync HTTP/1.1\r\n'), 'v1'), { kind: 'invalid', reason: 'missing' })
  t.same(parseProxyHeader(v2(), 'v1'), { kind: 'invalid', reason: 'missing' }, 'a v2 header where v1 is expected')
})

t.test('unit: v2 headers as HAProxy send-proxy-v2 writes them', async (t) => {
  t.match(parseProxyHeader(v2(), 'v2'), { kind: 'ok', length: 28, source: { address: '203.0.113.7', port: 51234 } })
  t.match(parseProxyHeader(v2({ family: 6 }), 'v2'), { kind: 'ok', length: 52, source: { address: '2001:db8:0:0:0:0:0:1', port: 40000 } })
  t.match(parseProxyHeader(v2({ tlv: Buffer.from([0x04, 0x00, 0x02, 0xab, 0xcd]) }), 'v2'), { kind: 'ok', length: 33 }, 'TLVs skipped')
  t.same(parseProxyHeader(v2({ command: 0 }), 'v2'), { kind: 'ok', length: 28 }, 'LOCAL (a health check): the peer stays itself')
  t.same(parseProxyHeader(v2().subarray(0, 20), 'v2'), { kind: 'incomplete' })
  t.same(parseProxyHeader(v2({ version: 1 }), 'v2'), { kind: 'invalid', reason: 'malformed' }, 'wrong version nibble')
  t.same(parseProxyHeader(v2({ command: 2 }), 'v2'), { kind: 'invalid', reason: 'malformed' }, 'unassigned command')
  t.same(parseProxyHeader(v2({ truncate: 4 }), 'v2'), { kind: 'invalid', reason: 'malformed' }, 'an address block too short for its family')
  t.same(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n'), 'v2'), { kind: 'invalid', reason: 'missing' }, 'a v1 line where v2 is expected')
})

/** Sends raw bytes on a fresh connection; resolves with what came back once the gateway closed it. */
async function rawExchange (port: number, bytes: Buffer): Promise<{ reply: string, socket: Socket }> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { socket.write(bytes) })
    let reply = ''
    socket.on('data', (c: Buffer) => { reply += c.toString('latin1') })
    socket.on('error', () => { /* a reset: close follows */ })
    socket.on('close', () => { resolve({ reply, socket }) })
    socket.setTimeout(5000, () => { socket.destroy(); reject(new Error('the gateway did not close the connection')) })
  })
}

for (const version of ['v1', 'v2'] as const) {
  t.test(`listen.proxyProtocol ${version}: the header's source is the client; missing or malformed headers are refused and counted`, async (t) => {
    const up = await startUpstream({ kind: 'echo' })
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, { listen: { proxyProtocol: version }, timeouts: { deviceHeaders: '1s' } })
    const header = version === 'v1' ? Buffer.from('PROXY TCP4 203.0.113.7 127.0.0.1 51234 8443\r\n') : v2()
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    dev.socket.write(header)
    // Two requests on the connection: the header comes once, at its start.
    for (const body of ['one', 'two']) t.equal((await dev.request(easRequest('Sync', { body }))).status, 200, `request ${body} answered`)
    const lines = await gw.sink.waitForAccessLines(2)
    for (const l of lines) t.match(l, { 'client.ip': '203.0.113.7', 'source.ip': '203.0.113.7', 'eas.outcome': 'completed' })
    t.equal((await up.waitForRequest(1)).headers['x-forwarded-for'], '203.0.113.7', 'the upstream sees the real client')

    const missing = await rawExchange(gw.port, Buffer.from('POST /Microsoft-Server-ActiveSync?Cmd=Sync HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'))
    t.equal(missing.reply, '', 'no header: closed without an answer')
    const malformed = await rawExchange(gw.port, version === 'v1' ? Buffer.from('PROXY TCP4 nonsense\r\n') : v2({ command: 7 }))
    t.equal(malformed.reply, '', 'a malformed header: closed without an answer')
    // A TCP health check: connects and hangs up without a byte. Its window ends before the silent
    // one's, and it is not counted (the timeout count below stays 1).
    const hangUp = connect(gw.port, '127.0.0.1', () => { hangUp.end() })
    await new Promise<void>((resolve) => hangUp.once('close', () => { resolve() }))
    const silent = await rawExchange(gw.port, Buffer.alloc(0))
    t.equal(silent.reply, '', 'nothing within timeouts.deviceHeaders: closed')
    t.equal(await metricValue(gw.registry, metricNames.proxyProtocolRejections, { reason: 'missing' }), 1)
    t.equal(await metricValue(gw.registry, metricNames.proxyProtocolRejections, { reason: 'malformed' }), 1)
    t.equal(await metricValue(gw.registry, metricNames.proxyProtocolRejections, { reason: 'timeout' }), 1)
    t.equal(up.requests.length, 2, 'nothing of the refused connections reached the upstream')
    t.equal(gw.sink.accessLines().length, 2, 'and they have no access line (no request was read)')
  })
}

const pki = createTlsMaterial()

t.test('listen.proxyProtocol v2 before TLS: the header is read first, then the handshake; tls.version logged', { skip: typeof pki === 'string' ? pki : false }, async (t) => {
  if (typeof pki === 'string') return
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { listen: { proxyProtocol: 'v2' } }, { tls: { key: pki.key, cert: pki.cert } })
  const raw = connect(gw.port, '127.0.0.1')
  await new Promise<void>((resolve) => raw.once('connect', resolve))
  raw.write(v2({ src: '198.51.100.20' }))
  const dev = await DeviceConnection.open(gw.port, { tls: { ca: pki.caCert, servername: pki.servername, socket: raw } })
  t.teardown(() => { dev.destroy() })
  t.equal((await dev.request(easRequest('Sync', { body: 'x' }))).status, 200)
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { 'client.ip': '198.51.100.20', 'tls.version': /^1\.[23]$/, 'tls.version_protocol': 'tls' })
})
