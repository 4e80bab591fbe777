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
