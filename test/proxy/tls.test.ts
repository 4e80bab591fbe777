import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest, expectOutcome } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'
import { createTlsMaterial } from '../helpers/tls-material.js'

const tls = createTlsMaterial()
if (typeof tls === 'string') {
  t.comment(`skipping the TLS tests: ${tls}`)
  t.pass('TLS tests skipped', { skip: tls })
} else {
  t.test('HTTPS listener with cert/key: the device speaks TLS, the upstream gets X-Forwarded-Proto: https', async (t) => {
    const up = await startUpstream()
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, {}, { tls: { key: tls.key, cert: tls.cert } })
    const dev = await DeviceConnection.open(gw.port, { tls: { ca: tls.caCert, servername: tls.servername } })
    t.teardown(() => { dev.destroy() })
    const res = await dev.request(easRequest('Sync', { body: 'over tls' }))
    t.equal(res.status, 200)
    t.equal(res.body.toString(), 'over tls')
    t.equal((await up.waitForRequest(1)).headers['x-forwarded-proto'], 'https')
    await expectOutcome(t, gw, { command: 'Sync', outcome: 'completed', status: 200, upstreamAnswered: true })
  })

  t.test('HTTPS upstream', async (t) => {
    const up = await startUpstream({ kind: 'echo' }, { tls: { key: tls.key, cert: tls.cert } })
    t.teardown(up.close)
    const byName = up.url.replace('127.0.0.1', 'localhost')

    t.test('verified against the configured CA and servername', async (t) => {
      const gw = await startGateway(t, byName, { upstreams: [{ name: 'up1', url: byName, servername: tls.servername }] }, { upstreamCa: tls.caCert })
      const dev = await DeviceConnection.open(gw.port)
      t.teardown(() => { dev.destroy() })
      const res = await dev.request(easRequest('Sync', { body: 'to https' }))
      t.equal(res.status, 200)
      t.equal(res.body.toString(), 'to https')
      await expectOutcome(t, gw, { command: 'Sync', outcome: 'completed', status: 200, upstreamAnswered: true })
    })

    t.test('verification is on by default: an unknown CA is upstream_unreachable, reason tls', async (t) => {
      const before = up.requests.length
      const gw = await startGateway(t, up.url)
      const dev = await DeviceConnection.open(gw.port)
      t.teardown(() => { dev.destroy() })
      const res = await dev.request(easRequest('Sync'))
      t.equal(res.status, 503)
      const line = await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_unreachable', status: 503, reason: 'tls', upstreamAnswered: false })
      t.match(line['error.type'], /CERT|VERIFY|SIGNED/, `a certificate error (${String(line['error.type'])})`)
      t.equal(up.requests.length, before, 'no request reached the upstream')
      t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'tls' }), 1)
    })

    t.test('a servername the certificate does not name is refused', async (t) => {
      const gw = await startGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, servername: 'other.test' }] }, { upstreamCa: tls.caCert })
      const dev = await DeviceConnection.open(gw.port)
      t.teardown(() => { dev.destroy() })
      t.equal((await dev.request(easRequest('Sync'))).status, 503)
      const line = await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_unreachable', status: 503, reason: 'tls', upstreamAnswered: false })
      t.equal(line['error.type'], 'ERR_TLS_CERT_ALTNAME_INVALID')
    })

    t.test('verifyCertificate: false (a lab switch) connects without the CA', async (t) => {
      const gw = await startGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, verifyCertificate: false }] })
      const dev = await DeviceConnection.open(gw.port)
      t.teardown(() => { dev.destroy() })
      t.equal((await dev.request(easRequest('Sync'))).status, 200)
      await gw.sink.waitForAccessLines(1)
    })
  })
}
