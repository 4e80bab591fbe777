import t from 'tap'
import { DeviceRegistry, type HeldPing } from '../../lib/proxy/device-registry.js'

function heldPing (since: number, auth = 'alice-digest'): HeldPing & { superseded: number } {
  const p = { since, heartbeat: 60, auth, superseded: 0, supersede: () => { p.superseded++ } }
  return p
}

// regression: #10 — a Ping with other credentials is held and counted too (it ends none of the others)
t.test('onHold reports each Ping that becomes held, one with other credentials included', async (t) => {
  const held: string[] = []
  const reg = new DeviceRegistry({ maxDevices: 10, ttl: 10_000, onlineWindow: 5000, onHold: (e, p) => { held.push(`${e.deviceId}@${p.since}`) } })
  const e = reg.touch({ user: 'bob', deviceId: 'D1', command: 'Ping' })
  reg.hold(e, heldPing(1))
  reg.hold(e, heldPing(2))
  t.equal(reg.hold(e, heldPing(3, 'other')), undefined, 'held beside, superseding nothing')
  t.same(held, ['D1@1', 'D1@2', 'D1@3'])
  t.equal(reg.heldCount, 2, 'the same-credential Ping was replaced, the other one added')
})

t.test('supersedeRemote ends an older held Ping with the same credentials only', async (t) => {
  const reg = new DeviceRegistry({ maxDevices: 10, ttl: 10_000, onlineWindow: 5000 })
  const e = reg.touch({ user: 'bob', deviceId: 'D1', command: 'Ping' })
  const p = heldPing(1000)
  reg.hold(e, p)
  const same = (auth: string): boolean => auth === 'alice-digest'
  t.equal(reg.supersedeRemote(DeviceRegistry.keyOf('bob', 'D2'), same, 2000), undefined, 'another device: nothing')
  t.equal(reg.supersedeRemote(e.key, () => false, 2000), undefined, 'other credentials: nothing')
  t.equal(reg.supersedeRemote(e.key, same, 999), undefined, 'the held Ping is newer than the other gateway\'s: it stays')
  t.equal(p.superseded, 0)
  t.equal(reg.heldCount, 1)
  const ended = reg.supersedeRemote(DeviceRegistry.keyOf('BOB', 'D1'), same, 1000)
  t.equal(ended?.ping, p, 'ended (user case-insensitive, same instant counts as older)')
  t.equal(ended?.entry, e)
  t.equal(p.superseded, 1, 'answered Status 1 through its supersede hook')
  t.equal(reg.heldCount, 0)
  t.equal(e.superseded, 1, '/devices counts it')
  t.equal(reg.supersedeRemote(e.key, same, 5000), undefined, 'nothing held any more')
  reg.release(e, p)
  t.equal(reg.heldCount, 0, 'its release after the end changes nothing')
})
