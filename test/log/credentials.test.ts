import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { AUTH_TOKEN, AUTHORIZATION, easRequest, PASSWORD } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { startGateway } from '../helpers/start-gateway.js'

const COOKIE_SECRET = 'cookie-s3cret-value'

t.test('neither the password, nor the Authorization token, nor cookies appear in any log line', async (t) => {
  const up = await startUpstream((req) => {
    const cmd = /Cmd=(\w+)/.exec(req.url ?? '')?.[1]
    if (cmd === 'Provision') return { kind: 'unauthorized', contentLength: true }
    if (cmd === 'Search') return { kind: 'reset-before-headers' }
    if (cmd === 'Sync') return { kind: 'hold', ms: 10_000 }
    return { kind: 'echo', extraHeaders: { 'set-cookie': `sid=${COOKIE_SECRET}` } }
  })
  t.teardown(up.close)
  // trace: every line the gateway can write, debug ones included.
  const gw = await startGateway(t, up.url, { log: { level: 'trace' } })
  const send = async (cmd: string, extra: { path?: string } = {}): Promise<number> => {
    const dev = await DeviceConnection.open(gw.port)
    try {
      return (await dev.request(easRequest(cmd, { ...extra, headers: [['Cookie', `sid=${COOKIE_SECRET}`], ['Proxy-Authorization', AUTHORIZATION]] }))).status
    } finally { dev.destroy() }
  }
  t.equal(await send('FolderSync'), 200, 'completed')
  t.equal(await send('Provision'), 401, '401')
  t.equal(await send('Search'), 502, 'upstream reset')
  t.equal(await send('Sync', { path: '/Microsoft-Server-ActiveSync?User=alice&DeviceId=DEV0001' }), 400, 'bad query')

  // A device that gives up on a held request.
  const gone = await DeviceConnection.open(gw.port)
  gone.write(DeviceConnection.format(easRequest('Sync', { headers: [['Cookie', `sid=${COOKIE_SECRET}`]] }), gw.port))
  await up.waitForRequest(4)
  gone.destroy()

  // A request the HTTP parser refuses, with the credentials in it (a 'client error' debug line).
  const bad = await DeviceConnection.open(gw.port)
  bad.write(`POST /Microsoft-Server-ActiveSync?Cmd=Sync HTTP/1.1\r\nAuthorization: ${AUTHORIZATION}\r\nContent-Length: x${PASSWORD}\r\n\r\n`)
  await bad.waitServerClose()
  bad.destroy()

  await gw.sink.waitForAccessLines(5)
  await gw.sink.waitFor((l) => l.msg === 'client error', 2000, 'the client error line')
  await gw.stop()

  const raw = gw.sink.raw
  t.ok(raw.length >= 8, `${raw.length} log lines checked`)
  const decodedUser = Buffer.from(AUTH_TOKEN, 'base64').toString()
  for (const secret of [PASSWORD, AUTH_TOKEN, decodedUser, COOKIE_SECRET]) {
    const hits = raw.filter((l) => l.includes(secret))
    t.same(hits, [], `"${secret.slice(0, 6)}…" appears in no log line`)
  }
  t.ok(gw.sink.accessLines().every((l) => l['user.name'] === 'alice' || l['user.name'] === undefined), 'the user name is logged, never more')
})
