import { X509Certificate } from 'node:crypto'
import { connect } from 'node:tls'
import t from 'tap'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { startGateway } from '../helpers/start-gateway.js'
import { createTlsMaterial } from '../helpers/tls-material.js'

/** Handshakes with the gateway (at most `maxVersion`); the certificate's fingerprint, or the error code. */
async function handshake (port: number, ca: string, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
  return await new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', ca, servername: 'mail.test', minVersion: 'TLSv1.2', maxVersion }, () => {
      resolve(s.getPeerCertificate().fingerprint256)
      s.destroy()
    })
    s.on('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? err.message) })
  })
}

const a = createTlsMaterial()
const b = createTlsMaterial()
if (typeof a === 'string' || typeof b === 'string') {
  t.pass('skipped: no openssl', { skip: String(a) })
} else {
  t.test('gateway.reload({ tls }): new handshakes get the new certificate, with the configured TLS floor kept', async (t) => {
    // regression: #9 (setSecureContext alone resets minVersion and ciphers to Node's defaults)
    const up = await startUpstream()
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, { listen: { tls: { cert: 'a.crt', key: 'a.key', minVersion: 'TLSv1.3' } } }, { tls: { key: a.key, cert: a.cert } })
    const ca = a.caCert + b.caCert
    t.equal(await handshake(gw.port, ca, 'TLSv1.3'), new X509Certificate(a.cert).fingerprint256, 'certificate A')
    t.not(await handshake(gw.port, ca, 'TLSv1.2'), new X509Certificate(a.cert).fingerprint256, 'TLS 1.2 refused before the reload')
    gw.gateway.reload({ tls: { key: b.key, cert: b.cert } })
    t.equal(await handshake(gw.port, ca, 'TLSv1.3'), new X509Certificate(b.cert).fingerprint256, 'certificate B after the reload')
    t.match(await handshake(gw.port, ca, 'TLSv1.2'), /^ERR_SSL_/, 'TLS 1.2 still refused after it')
    gw.gateway.reload({})
    t.equal(await handshake(gw.port, ca, 'TLSv1.3'), new X509Certificate(b.cert).fingerprint256, 'reload without tls changes nothing')
  })
}
