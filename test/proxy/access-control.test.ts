import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createAccessController, createBearerVerifier, type AccessController } from '../../lib/access/index.js'
import { childElements, decodeWbxml, textContent } from '../../lib/eas/index.js'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection, type DeviceRequest } from '../helpers/device-connection.js'
import { startUpstream, type LoopbackUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { adminGet, decodePingResponse, pingBody, pingConfigTree, pingRequest, type PingIdentity } from '../helpers/ping-device.js'
import { startGateway, type TestGateway } from '../helpers/start-gateway.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

/** The Status of a blocked-response body, with its root element. */
function blockedStatus (body: Uint8Array): { root: string, status: number } {
  const root = decodeWbxml(body)
  const s = childElements(root, 'Status')[0]
  return { root: root.tag, status: Number(s === undefined ? NaN : textContent(s)) }
}

interface Env { gw: TestGateway, up: LoopbackUpstream, controller: AccessController, write: (policy: string) => Promise<void> }

/** A gateway with a policy file in a temporary folder, in front of a loopback upstream (Pings held, the rest echoed). */
async function setup (t: Tap, policy: string, bearer?: Parameters<typeof createBearerVerifier>[0]): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'eas-acl-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'devices.yaml')
  const write = async (s: string): Promise<void> => { await writeFile(file, s) }
  await write(policy)
  const controller = createAccessController({ policyFile: file, readFile: async (p) => await readFile(p, 'utf8'), timers: fakeClock(), now: Date.now })
  const r = await controller.reload()
  if (!r.ok) throw new Error(JSON.stringify(r.findings))
  t.teardown(() => { controller.close() })
  const up = await startUpstream((req) => /Cmd=Ping/.test(req.url ?? '') ? { kind: 'silence' } : { kind: 'echo' })
  t.teardown(up.close)
  const verifier = bearer !== undefined ? createBearerVerifier(bearer) : undefined
  const gw = await startGateway(t, up.url, pingConfigTree(), {}, { access: { controller, ...(verifier !== undefined ? { verifier } : {}) } })
  return { gw, up, controller, write }
}
type Tap = { teardown: (fn: () => unknown) => void }

async function send (t: Tap, gw: TestGateway, req: DeviceRequest): Promise<Awaited<ReturnType<DeviceConnection['request']>>> {
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  return await dev.request(req)
}

const cmd = (c: string, id: PingIdentity = {}, method = 'POST'): DeviceRequest => ({ ...pingRequest(id, { cmd: c, body: Buffer.from([0x03, 0x01, 0x6a, 0x00]) }), method })

t.test('a blocked device at 14.1: FolderSync, Sync and Ping get HTTP 200 + Status 129, the mail server sees nothing', async (t) => {
  const { gw, up } = await setup(t, 'rules:\n  - { name: no-iphones, match: { deviceType: iPhone }, action: block }\n')
  for (const [c, root] of [['FolderSync', 'FolderSync'], ['Sync', 'Sync']] as const) {
    const r = await send(t, gw, cmd(c))
    t.equal(r.status, 200, `${c}: HTTP 200`)
    t.equal(r.headers['content-type'], 'application/vnd.ms-sync.wbxml')
    t.same(blockedStatus(r.body), { root, status: 129 }, `${c}: <${root}><Status>129</Status>`)
  }
  const ping = await send(t, gw, pingRequest({}, { body: pingBody(5) }))
  t.equal(ping.status, 200)
  t.equal(decodePingResponse(ping.body).status, 129, 'Ping Status 129')
  t.equal(up.requests.length, 0, 'nothing forwarded')
  const lines = await gw.sink.waitForAccessLines(3)
  t.match(lines, [{ 'eas.access.decision': 'block', 'eas.access.rule': 'no-iphones', 'eas.reason': 'access_block', 'eas.outcome': 'refused_policy', 'error.code': 'GW_ERR_POLICY_DEVICE_REFUSED' }, { 'eas.access.decision': 'block' }, { 'eas.access.decision': 'block' }])
  t.equal(await metricValue(gw.registry, metricNames.accessDecisions, { decision: 'block', rule: 'no-iphones' }), 3)
  t.equal(gw.gateway.devices.heldCount, 0, 'a refused Ping is never held')
})

t.test('a blocked device at 12.1 gets HTTP 403 without a body; OPTIONS too', async (t) => {
  const { gw, up } = await setup(t, 'default: block\n')
  for (const req of [cmd('FolderSync', { protocolVersion: '12.1' }), cmd('Sync', { protocolVersion: '12.1' }), { ...pingRequest({ protocolVersion: '12.1' }, { body: pingBody(5) }) }, { ...cmd('', {}, 'OPTIONS'), body: undefined, path: '/Microsoft-Server-ActiveSync' }]) {
    const r = await send(t, gw, req)
    t.equal(r.status, 403, `${req.method} ${req.path.slice(0, 50)}`)
    t.equal(r.body.length, 0, 'no body')
  }
  t.equal(up.requests.length, 0)
})

t.test('a quarantined device runs OPTIONS, Provision, FolderSync and Settings, and nothing else', async (t) => {
  const { gw, up } = await setup(t, 'rules:\n  - { name: lab, match: { userAgent: "/^TestClient/" }, action: quarantine }\n')
  const id = { userAgent: 'TestClient/1.0' }
  for (const c of ['Provision', 'FolderSync', 'Settings']) t.equal((await send(t, gw, cmd(c, id))).status, 200, `${c} forwarded`)
  const options = await send(t, gw, { ...cmd('', id, 'OPTIONS'), body: undefined })
  t.equal(options.status, 200, 'OPTIONS forwarded')
  t.equal(up.requests.length, 4, 'the four reached the mail server')
  for (const c of ['Sync', 'SendMail', 'ItemOperations']) {
    const r = await send(t, gw, cmd(c, id))
    t.match(blockedStatus(r.body), { status: 129 }, `${c}: Status 129`)
  }
  t.equal(decodePingResponse((await send(t, gw, pingRequest(id, { body: pingBody(5) }))).body).status, 129, 'Ping: Status 129')
  t.equal(up.requests.length, 4, 'nothing else reached it')
  const view = JSON.parse((await adminGet(gw.adminPort, '/devices?deviceId=PINGDEV1')).body) as { devices: unknown[], access: unknown }
  t.match(view, { devices: [{ deviceId: 'PINGDEV1', decision: 'quarantine', rule: 'lab', lastSeen: String }], access: { rules: 1 } })
  t.same(JSON.parse((await adminGet(gw.adminPort, '/devices?user=nobody')).body).devices, [])
  t.equal(JSON.parse((await adminGet(gw.adminPort, '/devices?user=BOB')).body).devices.length, 1)
})

t.test('a reload that blocks a device ends its held Ping with Status 129 at once', async (t) => {
  const { gw, up, controller, write } = await setup(t, 'default: allow\n')
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  dev.write(DeviceConnection.format(pingRequest({ deviceId: 'HELD1' }, { body: pingBody(8) }), gw.port))
  const seen = await up.waitForRequest(1)
  t.equal(gw.gateway.devices.heldCount, 1, 'held')
  const other = await DeviceConnection.open(gw.port)
  t.teardown(() => { other.destroy() })
  other.write(DeviceConnection.format(pingRequest({ deviceId: 'OTHER1', deviceType: 'Android' }, { body: pingBody(8) }), gw.port))
  await up.waitForRequest(2)
  await write('rules:\n  - { name: lost-phone, match: { deviceId: HELD1 }, action: block }\n')
  t.match(await controller.reload(), { ok: true })
  const r = await dev.readResponse(3000)
  t.equal(r.status, 200)
  t.equal(decodePingResponse(r.body).status, 129, 'Ping Status 129')
  await seen.closed
  t.ok(seen.aborted, 'its upstream request was cancelled')
  t.equal(gw.gateway.devices.heldCount, 1, 'the other device keeps its Ping')
  await write('rules:\n  - { name: broken, match: { deviceId: "/(/" }, action: block }\n')
  t.match(await controller.reload(), { ok: false })
  t.equal(gw.gateway.devices.heldCount, 1, 'a refused reload drops nothing')
  const line = (await gw.sink.waitForAccessLines(1)).find((l) => l['eas.device.id'] === 'HELD1')
  t.match(line, { 'eas.reason': 'access_block', 'eas.access.decision': 'block', 'eas.access.rule': 'lost-phone', 'http.response.status_code': 200, 'eas.outcome': 'refused_policy', 'eas.ping.status': 129 })
  t.equal(await metricValue(gw.registry, metricNames.pingAnswers, { status: '129' }), 1, 'the gateway\'s Status 129 counted as a Ping answer')
})

t.test('Bearer at the gateway: refused tokens get 401 + WWW-Authenticate + Connection: close and never reach the server; rotation supersedes', async (t) => {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const now = Math.floor(Date.now() / 1000)
  const token = async (claims: object, exp = now + 3600): Promise<string> =>
    await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://idp.example').setAudience('eas').setIssuedAt(now - 10).setExpirationTime(exp).sign(privateKey)
  const { gw, up } = await setup(t, 'users: { blocked: [mallory@corp.example] }\nrules:\n  - { name: mallory, match: { users: blocked }, action: block }\n', {
    config: { issuer: 'https://idp.example', audience: ['eas'], jwksFile: 'x', clockTolerance: 0, userClaims: ['upn', 'preferred_username', 'oid'], jwksCacheMaxAge: 60_000 },
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] },
    now: Date.now
  })
  const withToken = (req: DeviceRequest, tok: string): DeviceRequest => ({ ...req, headers: (req.headers ?? []).map(([k, v]): [string, string] => [k, k === 'Authorization' ? `Bearer ${tok}` : v]) })
  for (const [name, tok] of [['expired', await token({ upn: 'alice@corp.example' }, now - 60)], ['forged', 'eyJhbGciOiJub25lIn0.eyJ1cG4iOiJjZW8ifQ.']] as const) {
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const r = await dev.request(withToken(cmd('FolderSync'), tok))
    t.equal(r.status, 401, `${name}: 401`)
    t.match(r.headers['www-authenticate'], /^Bearer/, `${name}: WWW-Authenticate: Bearer`)
    t.equal(r.headers.connection, 'close')
    await dev.waitServerClose()
  }
  t.equal(up.requests.length, 0, 'no refused token reached the mail server')
  t.match((await send(t, gw, withToken(cmd('FolderSync'), await token({ upn: 'mallory@corp.example' })))).status, 200, 'a verified blocked user gets the EAS answer')
  t.equal(up.requests.length, 0)
  const good = await token({ upn: 'alice@corp.example', oid: 'o-1' })
  t.equal((await send(t, gw, withToken(cmd('FolderSync'), good))).status, 200)
  t.equal(up.requests[0]?.headers.authorization, `Bearer ${good}`, 'the token is passed through unchanged')

  // Rotation: the next hour's token, same subject: the new Ping supersedes the held one.
  const a = await DeviceConnection.open(gw.port)
  t.teardown(() => { a.destroy() })
  a.write(DeviceConnection.format(withToken(pingRequest({ deviceId: 'OUTLOOK1' }, { body: pingBody(8) }), good), gw.port))
  await up.waitForRequest(2)
  const b = await DeviceConnection.open(gw.port)
  t.teardown(() => { b.destroy() })
  b.write(DeviceConnection.format(withToken(pingRequest({ deviceId: 'OUTLOOK1' }, { body: pingBody(8) }), await token({ upn: 'alice@corp.example', oid: 'o-1', jti: 'next' }, now + 7200)), gw.port))
  const first = await a.readResponse(3000)
  t.equal(decodePingResponse(first.body).status, 1, 'the old Ping: Status 1 (superseded)')
  t.equal(gw.gateway.devices.heldCount, 1, 'one held')
  t.equal(await metricValue(gw.registry, metricNames.pingSuperseded), 1)
  t.equal(await metricValue(gw.registry, metricNames.bearerRefusals, { reason: 'expired' }), 1)
  t.equal(await metricValue(gw.registry, metricNames.bearerRefusals, { reason: 'bad_algorithm' }) + await metricValue(gw.registry, metricNames.bearerRefusals, { reason: 'malformed' }), 1)
})

// regression: #10 — a device whose credentials changed (a rotated Bearer token without
// auth.bearer, a new password) left its old Ping held, untracked and uncounted: the upstream
// held more Pings than limits.maxHeldPings allowed.
t.test('the held-Ping cap counts every Ping, whatever its credentials', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, pingConfigTree({ limits: { maxHeldPings: 2 } }))
  const withAuth = (auth: string): DeviceRequest => {
    const r = pingRequest({ deviceId: 'ROTATE1' }, { body: pingBody(8) })
    return { ...r, headers: (r.headers ?? []).map(([k, v]): [string, string] => [k, k === 'Authorization' ? auth : v]) }
  }
  for (const [i, token] of ['Bearer hour-1.a.b', 'Bearer hour-2.a.b'].entries()) {
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    dev.write(DeviceConnection.format(withAuth(token), gw.port))
    await up.waitForRequest(i + 1)
  }
  t.equal(gw.gateway.devices.heldCount, 2, 'both held Pings are counted')
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 2)
  const third = await send(t, gw, withAuth('Bearer hour-3.a.b'))
  t.equal(third.status, 503, 'the third is refused by the cap')
  t.equal(up.requests.length, 2, 'the upstream never holds more than the cap')
  const view = JSON.parse((await adminGet(gw.adminPort, '/devices?deviceId=ROTATE1')).body) as { devices: { heldPings: number }[] }
  t.equal(view.devices[0]?.heldPings, 2, '/devices shows both')
})

// issue #14: without access.policy and auth.bearer (serve passes an empty access), the admission
// is decided synchronously in the gateway, not by admitRequest; it must record the same things.
t.test('no policy, no auth.bearer: decision allow/none on the access line, the metric and /devices; same credentials still supersede, others do not', async (t) => {
  const up = await startUpstream((req) => /Cmd=Ping/.test(req.url ?? '') ? { kind: 'silence' } : { kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, pingConfigTree(), {}, { access: {} })
  const sync = await send(t, gw, cmd('Sync'))
  t.equal(sync.status, 200, 'forwarded')
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { 'eas.command': 'Sync', 'eas.outcome': 'completed', 'eas.access.decision': 'allow', 'eas.access.rule': 'none' })
  t.equal(await metricValue(gw.registry, metricNames.accessDecisions, { decision: 'allow', rule: 'none' }), 1)
  const view = JSON.parse((await adminGet(gw.adminPort, '/devices')).body) as { devices: { decision?: string, rule?: string }[] }
  t.match(view.devices[0], { decision: 'allow', rule: 'none' }, '/devices shows the decision')

  const withAuth = (auth: string): DeviceRequest => {
    const r = pingRequest({ deviceId: 'NOPOL1' }, { body: pingBody(8) })
    return { ...r, headers: (r.headers ?? []).map(([k, v]): [string, string] => [k, k === 'Authorization' ? auth : v]) }
  }
  const devs: DeviceConnection[] = []
  for (const [i, auth] of ['Basic YTpi', 'Basic YTpj', 'Basic YTpi'].entries()) {
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    dev.write(DeviceConnection.format(withAuth(auth), gw.port))
    await up.waitForRequest(i + 2)
    devs.push(dev)
  }
  const first = await devs[0]!.readResponse(2000)
  t.equal(decodePingResponse(first.body).status, 1, 'the same credentials superseded the first Ping (Status 1)')
  t.equal(gw.gateway.devices.heldCount, 2, 'the Ping with other credentials is still held beside the new one')
})
