/**
 * `listen.proxyProtocol` against a real HAProxy: `send-proxy` (v1) and `send-proxy-v2` (v2) in
 * front of an in-process gateway. The device connects from 127.0.0.2, so the PROXY header's source
 * (127.0.0.2) and the socket peer (HAProxy, 127.0.0.1) differ: the access line's `client.ip` must be
 * the device's, and the upstream's X-Forwarded-For too.
 */
import { connect } from 'node:net'
import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'
import { requirePeer, startHaproxy } from './helpers/index.js'

/** Sends one request from 127.0.0.2 and resolves with the status line once the answer is complete. */
async function requestFrom127002 (port: number, body: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' }, () => { s.write(DeviceConnection.format(easRequest('Sync', { body }), port)) })
    let got = ''
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1')
      if (got.includes('\r\n\r\n') && got.endsWith(body)) { s.destroy(); resolve(got.split('\r\n')[0] ?? '') }
    })
    s.on('error', reject)
    s.setTimeout(10_000, () => { s.destroy(); reject(new Error(`no complete answer: ${JSON.stringify(got)}`)) })
  })
}

for (const [version, option] of [['v1', 'send-proxy'], ['v2', 'send-proxy-v2']] as const) {
  t.test(`HAProxy ${option} -> listen.proxyProtocol ${version}: client.ip is the device's address`, async (t) => {
    if (!await requirePeer(t, 'haproxy')) return
    const up = await startUpstream({ kind: 'echo' })
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, { listen: { proxyProtocol: version } })
    const haproxy = await startHaproxy(t, {
      config: (ctx) => `global
    nbthread 1
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${ctx.port}
    default_backend be
backend be
    server g1 127.0.0.1:${gw.port} ${option}
`
    })
    t.equal(await requestFrom127002(haproxy.port, 'hello'), 'HTTP/1.1 200 OK')
    const [line] = await gw.sink.waitForAccessLines(1)
    t.match(line, { 'client.ip': '127.0.0.2', 'eas.outcome': 'completed' }, 'the header\'s source, not HAProxy\'s address')
    t.equal((await up.waitForRequest(1)).headers['x-forwarded-for'], '127.0.0.2', 'the upstream sees the device')
    // A device straight to the gateway, without the header: refused, counted.
    const direct = await DeviceConnection.open(gw.port)
    t.teardown(() => { direct.destroy() })
    direct.write(DeviceConnection.format(easRequest('Sync', { body: 'x' }), gw.port))
    await direct.closed
    t.equal(await metricValue(gw.registry, metricNames.proxyProtocolRejections, { reason: 'missing' }), 1, 'a connection without the header is refused')
  })
}
