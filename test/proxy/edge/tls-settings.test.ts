import { connect as connectTls, type TLSSocket } from 'node:tls'
import t from 'tap'
import { INTERMEDIATE_CIPHERS, loadGatewayConfig } from '../../../lib/config/index.js'
import { metricNames } from '../../../lib/metrics/index.js'
import { startUpstream } from '../../helpers/loopback-upstream.js'
import { metricValue } from '../../helpers/metric-values.js'
import { startGateway } from '../../helpers/start-gateway.js'
import { createTlsMaterial } from '../../helpers/tls-material.js'

// Edge item 11 (issue #9): a minimum TLS version and Mozilla's intermediate cipher list by
// default; handshake failures counted by reason.

const tls = createTlsMaterial()

t.test('defaults: TLS 1.2 at least, the intermediate cipher list (no static RSA, no CBC-SHA1)', async (t) => {
  const l = loadGatewayConfig('listen: { tls: { cert: c.pem, key: k.pem } }\nupstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\n', 'gw.yaml')
  t.equal(l.config?.listen.tls?.minVersion, 'TLSv1.2')
  t.equal(l.config?.listen.tls?.ciphers, INTERMEDIATE_CIPHERS)
  for (const c of INTERMEDIATE_CIPHERS.split(':')) {
    t.match(c, /^(ECDHE|DHE)-/, `${c}: forward secret`)
    t.match(c, /(GCM|CHACHA20)/, `${c}: AEAD`)
  }
})

if (typeof tls === 'string') {
  t.pass('TLS tests skipped', { skip: tls })
} else {
  const attempt = async (port: number, opts: { minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', ciphers?: string }): Promise<{ ok: boolean, protocol?: string | null, error?: string }> => {
    return await new Promise((resolve) => {
      const s: TLSSocket = connectTls({ port, host: '127.0.0.1', ca: tls.caCert, servername: tls.servername, ...opts })
      s.once('secureConnect', () => { resolve({ ok: true, protocol: s.getProtocol() }); s.destroy() })
      s.once('error', (e: NodeJS.ErrnoException) => { resolve({ ok: false, error: e.code ?? e.message }) })
    })
  }

  t.test('a TLS 1.1 client and a client offering only static-RSA CBC-SHA1 suites are refused, and counted by reason', async (t) => {
    const up = await startUpstream()
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, {}, { tls: { key: tls.key, cert: tls.cert } })
    t.match(await attempt(gw.port, {}), { ok: true, protocol: /^TLSv1\.[23]$/ }, 'a current client connects')
    t.match(await attempt(gw.port, { maxVersion: 'TLSv1.2' }), { ok: true, protocol: 'TLSv1.2' }, 'TLS 1.2 is allowed')
    t.match(await attempt(gw.port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), { ok: false }, 'TLS 1.1 refused')
    t.match(await attempt(gw.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA' }), { ok: false }, 'static RSA + CBC-SHA1 refused')
    const until = Date.now() + 3000
    while (await metricValue(gw.registry, metricNames.tlsHandshakeFailures) < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
    t.equal(await metricValue(gw.registry, metricNames.tlsHandshakeFailures, { reason: 'protocol_version' }), 1)
    t.equal(await metricValue(gw.registry, metricNames.tlsHandshakeFailures, { reason: 'no_shared_cipher' }), 1)
  })

  t.test('minVersion TLSv1.3 refuses TLS 1.2', async (t) => {
    const up = await startUpstream()
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, { listen: { tls: { cert: 'x', key: 'y', minVersion: 'TLSv1.3' } } }, { tls: { key: tls.key, cert: tls.cert } })
    t.match(await attempt(gw.port, { maxVersion: 'TLSv1.2' }), { ok: false })
    t.match(await attempt(gw.port, {}), { ok: true, protocol: 'TLSv1.3' })
  })
}
