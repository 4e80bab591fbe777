import t from 'tap'
import { DeviceSlots } from '../../lib/policy/index.js'

t.test('slots keep first sight, refresh last sight, and compare users case-insensitively', async (t) => {
  const s = new DeviceSlots()
  s.touch('Alice', 'A', 10)
  s.touch('alice', 'B', 20)
  s.touch('ALICE', 'A', 30)
  t.same(s.of('alice', 40), [{ deviceId: 'A', firstSeen: 10 }, { deviceId: 'B', firstSeen: 20 }])
  s.release('alice', 'A')
  t.same(s.of('alice', 40), [{ deviceId: 'B', firstSeen: 20 }])
  t.same(s.of('nobody', 40), [])
})

t.test('bounded: TTL, devices per user, users (least recently seen first)', async (t) => {
  const s = new DeviceSlots({ ttl: 100, maxPerUser: 2, maxUsers: 2 })
  s.touch('u', 'A', 0)
  s.touch('u', 'B', 50)
  t.same(s.of('u', 120).map((d) => d.deviceId), ['B'], 'A expired')
  s.touch('u', 'C', 130)
  s.touch('u', 'D', 140)
  t.same(s.of('u', 140).map((d) => d.deviceId), ['C', 'D'], 'B, the least recently seen, gave way')
  s.touch('v', 'X', 150)
  s.touch('w', 'Y', 160)
  t.equal(s.size, 2)
  t.same(s.of('u', 160), [], 'u, the least recently seen user, was forgotten')
})

t.test('the fleet\'s slots replace a user\'s (bounded); a device is synced when new or after the interval', async (t) => {
  const s = new DeviceSlots({ maxUsers: 2, maxPerUser: 2, ttl: 1000 })
  t.ok(s.needsSync('u', 'A', 0, 100), 'unknown here: sync')
  s.touch('u', 'A', 0)
  t.ok(s.needsSync('u', 'A', 10, 100), 'known but never synced: sync')
  s.replace('U', [{ deviceId: 'A', firstSeen: 0, lastSeen: 10 }, { deviceId: 'B', firstSeen: 5, lastSeen: 8 }, { deviceId: 'C', firstSeen: 1, lastSeen: 2 }], 10)
  t.same(s.of('u', 20).map((x) => x.deviceId).sort(), ['A', 'B'], 'the fleet\'s slots, the most recently seen maxPerUser of them')
  t.notOk(s.needsSync('u', 'A', 50, 100), 'synced 40 ms ago: not yet')
  t.ok(s.needsSync('u', 'A', 110, 100), 'after the interval: again')
  s.replace('u', [{ deviceId: 'B', firstSeen: 5, lastSeen: 30 }], 40)
  t.same(s.of('u', 50), [{ deviceId: 'B', firstSeen: 5 }], 'a slot the fleet gave back is gone here too')
  s.replace('v', [], 40)
  s.replace('w', [], 40)
  t.equal(s.size, 2, 'users stay bounded')
})
