/**
 * Device access control through the gateway to the real SOGo of the integration tier (issue #10):
 * an allowed device syncs; a blocked one gets FolderSync/Sync/Ping Status 129 at 14.1 and HTTP 403
 * at 12.1 (decoded and asserted, SOGo never asked); a quarantined one runs only OPTIONS,
 * Provision, FolderSync and Settings; a policy file change that blocks a device ends its held
 * Ping with Status 129 at once.
 *
 * Pings here watch bob's Drafts (alice's INBOX belongs to gateway-sogo.test.ts, alice's Drafts
 * and Junk to the hop tests, bob's INBOX to the smoke test), so no delivery elsewhere wakes them.
 */
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import {
  childText,
  easRequest,
  easXml,
  folderSync,
  makeTempDir,
  newDeviceId,
  ping,
  readDevice,
  requirePeer,
  sogoFixture,
  startGateway,
  syncUntilEmpty,
  waitUntilHeld,
  type EasSession,
} from './helpers/index.js'

const fx = sogoFixture()
const USER = fx.bob
const MIN_HB = Math.max(5, fx.internalSync)
const MAX_HB = fx.maxPing

const policy = (extra = ''): string => `default: allow
rules:
  - { name: lost-phones, match: { deviceId: "itblk*" }, action: block }
  - { name: lab-quarantine, match: { deviceId: "itqua*" }, action: quarantine }
${extra}`

if (await requirePeer(t, ['sogo', 'libwbxml', 'gateway'])) {
  const dir = await makeTempDir(t, 'eas-it-access-')
  const policyFile = join(dir, 'devices.yaml')
  await writeFile(policyFile, policy())
  const gw = await startGateway(t, {
    upstreams: [{ name: 'sogo', url: `${new URL(fx.easUrl).origin}/` }],
    server: { minHeartbeat: `${MIN_HB}s`, maxHeartbeat: `${MAX_HB}s` },
    access: { policy: policyFile },
  })
  const admin = gw.adminUrl!
  const base = `${gw.url}/Microsoft-Server-ActiveSync`
  const session = (id: string, protocolVersion = '14.1'): EasSession => ({ baseUrl: base, user: USER.user, password: USER.password, deviceId: id, protocolVersion })
  /** Requests the gateway forwarded for this DeviceId (its access lines with an upstream). */
  const forwarded = (id: string): number => gw.logs.entries.filter((e) => e.msg === 'request' && e['eas.device.id'] === id && e['eas.upstream.name'] !== undefined).length

  t.test('an allowed device syncs through the policy', async (t) => {
    const s = session(newDeviceId('itok'))
    const fs = await folderSync(s)
    t.equal(fs.status, '1', 'FolderSync Status 1 from SOGo')
    const drafts = fs.folders.find((f) => f.type === 3)
    t.ok(drafts, 'the hierarchy has Drafts')
    if (!drafts) return
    const all = await syncUntilEmpty(s, drafts.serverId, { windowSize: 100 })
    t.ok(all.rounds.length >= 1, 'Sync until empty')
    const d = await readDevice(admin, s.deviceId)
    t.match(d, { decision: 'allow', rule: 'default' }, '/devices: allowed by the default')
  })

  t.test('a blocked device at 14.1: FolderSync, Sync and Ping get Status 129; SOGo is never asked', async (t) => {
    const s = session(newDeviceId('itblk'))
    for (const [cmd, xml] of [
      ['FolderSync', '<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>'],
      ['Sync', '<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>1</CollectionId></Collection></Collections></Sync>'],
    ] as const) {
      const r = await easXml(s, cmd, xml)
      t.equal(r.status, 200, `${cmd}: HTTP 200`)
      t.equal(r.doc?.name, cmd, `${cmd}: the command's own root`)
      t.equal(r.doc ? childText(r.doc, 'Status') : undefined, '129', `${cmd}: Status 129`)
    }
    const p = await ping(s, { heartbeat: MIN_HB, folders: [{ id: '1', class: 'Email' }] })
    t.equal(p.response.status, 200)
    t.equal(p.status, '129', 'Ping Status 129, at once')
    t.ok(p.response.elapsedMs < MIN_HB * 1000, `answered in ${p.response.elapsedMs} ms, not held`)
    t.equal(forwarded(s.deviceId), 0, 'nothing reached SOGo')
    t.match(await readDevice(admin, s.deviceId), { decision: 'block', rule: 'lost-phones' })
  })

  t.test('a blocked device at 12.1: HTTP 403 without a body', async (t) => {
    const s = session(newDeviceId('itblk'), '12.1')
    for (const cmd of ['FolderSync', 'Sync', 'Ping']) {
      const r = await easXml(s, cmd, cmd === 'FolderSync' ? '<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>' : undefined)
      t.equal(r.status, 403, `${cmd}: 403`)
      t.equal(r.body.length, 0, `${cmd}: no body`)
    }
    t.equal(forwarded(s.deviceId), 0)
  })

  t.test('a quarantined device gets only OPTIONS, Provision, FolderSync and Settings', async (t) => {
    const id = newDeviceId('itqua')
    const s = session(id)
    const opts = await easRequest({ baseUrl: base, user: USER.user, password: USER.password, deviceId: id, method: 'OPTIONS' })
    t.equal(opts.status, 200, 'OPTIONS answered by SOGo')
    t.ok(opts.headers['ms-asprotocolversions'], 'with SOGo\'s MS-ASProtocolVersions')
    const fs = await folderSync(s)
    t.equal(fs.status, '1', 'FolderSync: SOGo\'s hierarchy')
    const prov = await easXml(s, 'Provision', '<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType></Policy></Policies></Provision>')
    t.equal(prov.status, 200, 'Provision forwarded')
    t.equal(prov.doc?.name, 'Provision')
    t.not(prov.doc ? childText(prov.doc, 'Status') : undefined, '129', 'Provision: SOGo\'s answer')
    const settings = await easXml(s, 'Settings', '<Settings xmlns="Settings:"><UserInformation><Get/></UserInformation></Settings>')
    t.equal(settings.status, 200, 'Settings forwarded')
    t.not(settings.doc ? childText(settings.doc, 'Status') : undefined, '129', 'Settings: SOGo\'s answer, not the gateway\'s')
    const before = forwarded(id)
    const sync = await easXml(s, 'Sync', '<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>0</SyncKey><CollectionId>1</CollectionId></Collection></Collections></Sync>')
    t.equal(sync.doc ? childText(sync.doc, 'Status') : undefined, '129', 'Sync: Status 129')
    const p = await ping(s, { heartbeat: MIN_HB, folders: [{ id: '1', class: 'Email' }] })
    t.equal(p.status, '129', 'Ping: Status 129')
    t.equal(forwarded(id), before, 'Sync and Ping never reached SOGo')
    t.match(await readDevice(admin, id), { decision: 'quarantine', rule: 'lab-quarantine' })
  })

  t.test('a compliance list (MDM) decides, and its disk cache carries a restart while the MDM is down', { timeout: 120_000 }, async (t) => {
    const onList = newDeviceId('itmdm')
    const offList = newDeviceId('itmdm')
    let up = true
    let fetches = 0
    const mdm = createServer((_req, res) => {
      fetches++
      if (!up) { res.statusCode = 503; res.end(); return }
      res.setHeader('content-type', 'text/csv')
      res.end(`Name,DeviceId\nbob's phone,${onList}\n`)
    })
    await new Promise<void>((resolve) => mdm.listen(0, '127.0.0.1', resolve))
    t.teardown(() => { mdm.close() })
    const mdmUrl = `http://127.0.0.1:${(mdm.address() as AddressInfo).port}/export.csv`
    const mdmPolicy = join(dir, 'mdm.yaml')
    await writeFile(mdmPolicy, `default: block\nlists: { mdm: { url: "${mdmUrl}", format: csv, field: DeviceId, interval: 1m } }\nrules:\n  - { name: mdm-compliant, match: { list: mdm }, action: allow }\n`)
    const cacheDir = join(dir, 'cache')
    const start = async () => await startGateway(t, {
      upstreams: [{ name: 'sogo', url: `${new URL(fx.easUrl).origin}/` }],
      server: { minHeartbeat: `${MIN_HB}s`, maxHeartbeat: `${MAX_HB}s` },
      access: { policy: mdmPolicy, cacheDir },
    })
    const g1 = await start()
    const at = (g: typeof g1, id: string): EasSession => ({ baseUrl: `${g.url}/Microsoft-Server-ActiveSync`, user: USER.user, password: USER.password, deviceId: id })
    t.equal((await folderSync(at(g1, onList))).status, '1', 'on the list: SOGo\'s FolderSync')
    t.equal((await folderSync(at(g1, offList))).status, '129', 'off the list: Status 129')
    await g1.stop()
    up = false
    const seen = fetches
    const g2 = await start()
    t.ok(fetches > seen, 'the restarted gateway asked the MDM, which is down')
    t.equal((await folderSync(at(g2, onList))).status, '1', 'after a restart with the MDM down: the cached list still allows it')
    t.equal((await folderSync(at(g2, offList))).status, '129', 'and still refuses the other')
    await g2.stop()
  })

  t.test('a policy change that blocks a device ends its held Ping with Status 129', { timeout: 120_000 }, async (t) => {
    const id = newDeviceId('ithold')
    const s = session(id)
    const fs = await folderSync(s)
    const drafts = fs.folders.find((f) => f.type === 3)
    if (!drafts) { t.fail('no Drafts'); return }
    await syncUntilEmpty(s, drafts.serverId, { windowSize: 100 })
    const heartbeat = Math.min(120, MAX_HB)
    const pending = ping(s, { heartbeat, folders: [{ id: drafts.serverId, class: 'Email' }], closeWatchMs: 0 })
    pending.catch(() => {})
    await waitUntilHeld(admin, id)
    const started = Date.now()
    // The file watcher reloads (500 ms debounce); SIGHUP does the same.
    await writeFile(policyFile, policy().replace('rules:\n', `rules:\n  - { name: revoked, match: { deviceId: "${id}" }, action: block }\n`))
    const r = await pending
    t.equal(r.response.status, 200, 'HTTP 200')
    t.equal(r.status, '129', 'the held Ping is answered Status 129')
    t.ok(Date.now() - started < heartbeat * 1000 / 2, `at once (${Date.now() - started} ms), not at the end of its ${heartbeat} s heartbeat`)
    t.match(await readDevice(admin, id), { decision: 'block', rule: 'revoked', heldPing: null })
  })
}
