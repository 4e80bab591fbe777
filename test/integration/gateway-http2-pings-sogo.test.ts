/**
 * upstreams[].http2For: pings against real peers (issue #14): gateway → nginx 1.22 over TLS
 * (`listen … ssl http2`: h2 and HTTP/1.1 on one port, chosen by ALPN, as IIS does) → the fixture
 * nginx → SOGo 5.8. Held Pings travel as HTTP/2 streams on one connection; FolderSync, Sync and
 * the health checks stay on HTTP/1.1. nginx's access log says which protocol and which
 * connection (`$connection`) each request used.
 *
 * Pings here watch bob's Sent folder, as in gateway-http2-sogo (no other test writes there).
 */
import { writeFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { createTlsMaterial } from '../helpers/tls-material.js'
import {
  folderSync,
  makeTempDir,
  newDeviceId,
  nginxConfig,
  ping,
  requirePeer,
  sogoFixture,
  startGateway,
  startNginx,
  syncUntilEmpty,
  waitUntilHeld,
  type EasSession,
} from './helpers/index.js'

const fx = sogoFixture()
const USER = fx.bob
const MIN_HB = Math.max(5, fx.internalSync)

/** nginx access lines: connection serial, protocol, request line, status. */
interface NginxLine { readonly connection: string; readonly protocol: string; readonly request: string; readonly status: string }

async function nginxLines (file: string): Promise<NginxLine[]> {
  const out: NginxLine[] = []
  for (const l of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^(\d+) (\S+) "([^"]*)" (\d+)$/.exec(l)
    if (m) out.push({ connection: m[1]!, protocol: m[2]!, request: m[3]!, status: m[4]! })
  }
  return out
}

if (await requirePeer(t, ['sogo', 'libwbxml', 'gateway', 'nginx'])) {
  const tls = createTlsMaterial()
  if (typeof tls === 'string') throw new Error(tls)
  const certs = await makeTempDir(t, 'eas-it-h2tls-')
  await writeFile(join(certs, 'server.crt'), tls.cert)
  await writeFile(join(certs, 'server.key'), tls.key)
  await writeFile(join(certs, 'ca.crt'), tls.caCert)
  const sogo = new URL(fx.easUrl).origin
  const nginx = await startNginx(t, {
    config: (ctx) => nginxConfig(ctx, { upstream: sogo })
      .replace(`listen 127.0.0.1:${ctx.port};`, `listen 127.0.0.1:${ctx.port} ssl http2; ssl_certificate ${join(certs, 'server.crt')}; ssl_certificate_key ${join(certs, 'server.key')};`)
      .replace(`access_log ${join(ctx.dir, 'access.log')};`, `log_format conn '$connection $server_protocol "$request" $status'; access_log ${join(ctx.dir, 'access.log')} conn;`)
  })
  const accessLog = join(nginx.dir, 'access.log')
  const url = `https://127.0.0.1:${nginx.port}/`
  const gw = await startGateway(t, {
    upstreams: [{ name: 'nginx-tls', url, ca: join(certs, 'ca.crt'), http2: true, http2For: 'pings' }],
    server: { minHeartbeat: `${MIN_HB}s`, maxHeartbeat: `${fx.maxPing}s` },
    limits: { perDevice: { requestsPerSecond: 0 } },
    pool: { healthCheck: { interval: '1s' } }
  })
  const admin = gw.adminUrl!
  const base = `${gw.url}/Microsoft-Server-ActiveSync`
  const session = (id: string): EasSession => ({ baseUrl: base, user: USER.user, password: USER.password, deviceId: id, protocolVersion: '14.1' })

  const first = session(newDeviceId('ith2p'))
  const fs = await folderSync(first)
  const sent = fs.folders.find((f) => f.type === 5) ?? fs.folders.find((f) => f.type === 4)

  t.test('FolderSync and Sync over HTTP/1.1 (TLS) through the same URL', async (t) => {
    t.equal(fs.status, '1', 'FolderSync Status 1 from SOGo')
    if (sent === undefined) { t.fail('no Sent (or Deleted) folder'); return }
    await syncUntilEmpty(first, sent.serverId, { windowSize: 100 })
    const mine = (await nginxLines(accessLog)).filter((l) => l.request.includes(first.deviceId))
    t.ok(mine.some((l) => l.request.includes('Cmd=FolderSync')) && mine.some((l) => l.request.includes('Cmd=Sync')), 'nginx saw the FolderSync and the Sync')
    t.same([...new Set(mine.map((l) => l.protocol))], ['HTTP/1.1'], 'all of them over HTTP/1.1')
  })

  t.test('three held Pings: HTTP/2 streams on one connection, answered by SOGo', { timeout: 120_000 }, async (t) => {
    if (sent === undefined) { t.fail('no folder to watch'); return }
    const devices = [0, 1, 2].map(() => session(newDeviceId('ith2q')))
    const pings = devices.map(async (s) => await ping(s, { heartbeat: MIN_HB, folders: [{ id: sent.serverId, class: 'Email' }] }))
    for (const s of devices) await waitUntilHeld(admin, s.deviceId, { timeoutMs: 15_000 })
    for (const p of await Promise.all(pings)) {
      t.equal(p.response.status, 200)
      t.equal(p.status, '1', 'Status 1: SOGo held it for the heartbeat')
    }
    const lines = (await nginxLines(accessLog)).filter((l) => devices.some((d) => l.request.includes(d.deviceId)) && l.request.includes('Cmd=Ping'))
    t.equal(lines.length, 3, 'nginx logged the three Pings')
    t.same([...new Set(lines.map((l) => l.protocol))], ['HTTP/2.0'], 'over HTTP/2')
    t.equal(new Set(lines.map((l) => l.connection)).size, 1, 'on one connection')
    const probes = (await nginxLines(accessLog)).filter((l) => l.request.startsWith('OPTIONS'))
    t.ok(probes.length >= 1, `health checks reached nginx (${probes.length}, one a second)`)
    t.same([...new Set(probes.map((l) => l.protocol))], ['HTTP/1.1'], 'health checks over HTTP/1.1')
  })
}
