/**
 * upstreams[].http2 against real peers (issue #14): gateway → nginx speaking h2c (prior knowledge,
 * `listen … http2`, nginx 1.22) → the fixture nginx → SOGo 5.8. A FolderSync and a Sync work over
 * HTTP/2; held Pings are answered by SOGo; several held Pings share one connection from the
 * gateway to nginx (counted in /proc/net/tcp against the gateway's own descriptors); a device that
 * gives up cancels its stream (nginx logs 499) and the connection stays up for the others.
 *
 * Pings here watch bob's Sent folder (the other tests own alice's INBOX, Drafts and Junk, bob's
 * INBOX and Drafts), so no delivery elsewhere wakes them.
 */
import { readFile, readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import {
  folderSync,
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
const HOLD_HB = Math.min(fx.maxPing, 15)

/** Established TCP connections of process `pid` to 127.0.0.1:`port` (its socket inodes in /proc/net/tcp). */
async function connectionsTo (pid: number, port: number): Promise<number> {
  const inodes = new Set<string>()
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const m = /^socket:\[(\d+)\]$/.exec(link)
    if (m?.[1] !== undefined) inodes.add(m[1])
  }
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
  let n = 0
  for (const line of (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    // f[2]: remote address, f[3]: state (01 established), f[9]: inode
    if (f[2] === want && f[3] === '01' && inodes.has(f[9] ?? '')) n++
  }
  return n
}

if (await requirePeer(t, ['sogo', 'libwbxml', 'gateway', 'nginx'])) {
  const sogo = new URL(fx.easUrl).origin
  const nginx = await startNginx(t, {
    config: (ctx) => nginxConfig(ctx, { upstream: sogo }).replace(`listen 127.0.0.1:${ctx.port};`, `listen 127.0.0.1:${ctx.port} http2;`)
  })
  const gw = await startGateway(t, {
    upstreams: [{ name: 'nginx-h2', url: `${nginx.url}/`, http2: true }],
    server: { minHeartbeat: `${MIN_HB}s`, maxHeartbeat: `${fx.maxPing}s` },
    limits: { perDevice: { requestsPerSecond: 0 } }
  })
  const admin = gw.adminUrl!
  const base = `${gw.url}/Microsoft-Server-ActiveSync`
  const session = (id: string): EasSession => ({ baseUrl: base, user: USER.user, password: USER.password, deviceId: id, protocolVersion: '14.1' })
  const pid = gw.process.pid as number

  // One device syncs the Sent folder first: SOGo watches a folder in a Ping only after a Sync.
  const first = session(newDeviceId('ith2'))
  const fs = await folderSync(first)
  const sent = fs.folders.find((f) => f.type === 5) ?? fs.folders.find((f) => f.type === 4)

  t.test('FolderSync and Sync over HTTP/2', async (t) => {
    t.equal(fs.status, '1', 'FolderSync Status 1 from SOGo')
    t.ok(sent, 'the hierarchy has a Sent (or Deleted) folder')
    if (sent === undefined) return
    const all = await syncUntilEmpty(first, sent.serverId, { windowSize: 100 })
    t.ok(all.rounds.length >= 1, 'Sync until empty')
    const line = await gw.logs.waitFor((e) => e.msg === 'request' && e['eas.command'] === 'Sync' && e['eas.device.id'] === first.deviceId)
    t.equal(line['http.response.status_code'], 200)
    t.equal(line['eas.upstream.name'], 'nginx-h2')
    const log = await readFile(join(nginx.dir, 'access.log'), 'utf8')
    t.ok(log.split('\n').some((l) => l.includes(first.deviceId) && l.includes('"POST') && l.includes('HTTP/2.0"')), 'nginx saw the requests as HTTP/2.0')
  })

  t.test('a held Ping over HTTP/2 is answered by SOGo', async (t) => {
    if (sent === undefined) { t.fail('no folder to watch'); return }
    const p = await ping(first, { heartbeat: MIN_HB, folders: [{ id: sent.serverId, class: 'Email' }] })
    t.equal(p.response.status, 200)
    t.equal(p.status, '1', 'Status 1: SOGo held it for the heartbeat, nothing changed')
    t.ok(p.response.elapsedMs >= (MIN_HB - 1) * 1000, `held ${p.response.elapsedMs} ms by SOGo`)
  })

  t.test('three held Pings share one connection to nginx; a device that gives up cancels its stream only', { timeout: 120_000 }, async (t) => {
    if (sent === undefined) { t.fail('no folder to watch'); return }
    const devices = [0, 1, 2].map(() => session(newDeviceId('ith2h')))
    const gone = new AbortController()
    const pings = devices.map(async (s, i) => await ping(s, { heartbeat: HOLD_HB, folders: [{ id: sent.serverId, class: 'Email' }], ...(i === 0 ? { signal: gone.signal } : {}) }).catch((err: unknown) => err as Error))
    for (const s of devices) await waitUntilHeld(admin, s.deviceId, { timeoutMs: 15_000 })
    t.equal(await connectionsTo(pid, nginx.port), 1, 'three held Pings, one TCP connection from the gateway to nginx')

    gone.abort()
    const accessLog = join(nginx.dir, 'access.log')
    const deadline = Date.now() + 10_000
    let cancelled = false
    while (!cancelled && Date.now() < deadline) {
      cancelled = (await readFile(accessLog, 'utf8')).split('\n').some((l) => l.includes(devices[0]?.deviceId ?? '?') && / 499 /.test(l))
      if (!cancelled) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    t.ok(cancelled, 'nginx logged the abandoned Ping as 499: the gateway cancelled its stream')
    t.equal(await connectionsTo(pid, nginx.port), 1, 'the connection stays up for the other two')
    const [, a, b] = await Promise.all(pings)
    for (const r of [a, b]) t.match(r, { status: '1' }, 'the other Pings are answered by SOGo at their heartbeat')
  })
}
