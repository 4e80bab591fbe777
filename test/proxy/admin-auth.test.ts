import { request as httpsRequest } from 'node:https'
import t from 'tap'
import { loadGatewayConfig } from '../../lib/config/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { startGateway } from '../helpers/start-gateway.js'
import { createClientCertMaterial } from '../helpers/tls-material.js'

const TOKEN = 's3cret-token-0123456789'

t.test('admin auth: /devices needs the bearer token, /metrics /healthz /readyz stay open', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {}, {}, { admin: { token: TOKEN } })
  const admin = await DeviceConnection.open(gw.adminPort)
  t.teardown(() => { admin.destroy() })
  const none = await admin.request({ method: 'GET', path: '/devices' })
  t.equal(none.status, 401, 'no token: 401')
  t.match(none.headers['www-authenticate'], /^Bearer realm=/, 'WWW-Authenticate: Bearer')
  t.notMatch(none.body.toString(), /tracked|devices":/, 'no device data in the refusal')
  const wrong = await admin.request({ method: 'GET', path: '/devices', headers: [['authorization', `Bearer ${TOKEN}x`]] })
  t.equal(wrong.status, 401, 'wrong token: 401')
  t.match(wrong.headers['www-authenticate'], /^Bearer/)
  t.equal((await admin.request({ method: 'GET', path: '/devices', headers: [['authorization', `Basic ${TOKEN}`]] })).status, 401, 'another scheme: 401')
  const ok = await admin.request({ method: 'GET', path: '/devices?user=alice', headers: [['authorization', `Bearer ${TOKEN}`]] })
  t.equal(ok.status, 200, 'the token: 200')
  t.match(JSON.parse(ok.body.toString()), { tracked: 0, devices: [] })
  t.equal((await admin.request({ method: 'GET', path: '/metrics' })).status, 200, '/metrics open')
  t.equal((await admin.request({ method: 'GET', path: '/healthz' })).status, 200, '/healthz open')
  t.equal((await admin.request({ method: 'GET', path: '/readyz' })).status, 200, '/readyz open')
})

t.test('admin auth: a client certificate signed by clientCa opens /devices over admin HTTPS', async (t) => {
  const m = createClientCertMaterial()
  if (typeof m === 'string') { t.comment(m); t.pass('skipped: no openssl'); return }
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {}, {}, { admin: { tls: { key: m.serverKey, cert: m.serverCert, ca: m.caCert } } })
  const get = async (path: string, client?: { key: string, cert: string }): Promise<number> => await new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: gw.adminPort, path, ca: m.caCert, servername: 'mail.test', ...(client ?? {}) }, (res) => { res.resume(); res.on('end', () => { resolve(res.statusCode ?? 0) }) })
    req.on('error', reject)
    req.end()
  })
  t.equal(await get('/devices'), 401, 'no client certificate: 401')
  t.equal(await get('/devices', { key: m.clientKey, cert: m.clientCert }), 200, 'a certificate clientCa signed: 200')
  t.equal(await get('/metrics'), 200, '/metrics open without a certificate')
  t.equal(await get('/healthz'), 200, '/healthz open')
})

t.test('config: admin beyond loopback needs admin.auth.tokenFile or admin.tls.clientCa', async (t) => {
  const base = 'upstreams: [{ name: a, url: "http://127.0.0.1:9/" }]\n'
  const refused = loadGatewayConfig(base + 'admin:\n  listen:\n    host: 0.0.0.0\n', 'gw.yaml')
  t.equal(refused.config, undefined, 'refused')
  t.match(refused.diagnostics, [{ code: 'GW0006', line: 4, col: 5, path: ['admin', 'listen', 'host'], message: /not loopback/ }], 'at the key admin.listen.host')
  t.ok(loadGatewayConfig(base + 'admin: { listen: { host: 0.0.0.0 }, auth: { tokenFile: t } }\n', 'gw.yaml').config, 'with a token file')
  t.ok(loadGatewayConfig(base + 'admin: { listen: { host: 0.0.0.0 }, tls: { cert: c, key: k, clientCa: ca } }\n', 'gw.yaml').config, 'with client certificates')
  t.equal(loadGatewayConfig(base + 'admin: { listen: { host: 0.0.0.0 }, tls: { cert: c, key: k } }\n', 'gw.yaml').config, undefined, 'TLS without clientCa is not a credential')
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) t.ok(loadGatewayConfig(base + `admin: { listen: { host: "${host}" } }\n`, 'gw.yaml').config, `${host} is loopback`)
})
