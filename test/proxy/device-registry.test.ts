import t from 'tap'
import { DeviceRegistry, type DeviceEntry, type HeldPing } from '../../lib/proxy/device-registry.js'

/** A registry on a clock the test moves by hand. */
function registry (opts: { maxDevices?: number, ttl?: number, onlineWindow?: number } = {}) {
  const clock = { now: 1_000_000 }
  const reg = new DeviceRegistry({ maxDevices: opts.maxDevices ?? 100, ttl: opts.ttl ?? 10_000, onlineWindow: opts.onlineWindow ?? 5000, now: () => clock.now })
  const touch = (deviceId: string, extra: { user?: string, command?: string, deviceType?: string, userAgent?: string, protocolVersion?: string } = {}): DeviceEntry =>
    reg.touch({ user: extra.user ?? 'bob', deviceId, command: extra.command ?? 'Sync', ...extra })
  const ids = (): string[] => (reg.snapshot() as { deviceId: string }[]).map((d) => d.deviceId)
  return { clock, reg, touch, ids }
}

/** A held Ping that records how often it was superseded. */
function heldPing (since: number, heartbeat?: number, auth = 'alice-digest'): HeldPing & { superseded: number } {
  const p = { since, heartbeat, auth, superseded: 0, supersede: () => { p.superseded++ } }
  return p
}

t.test('touch records a device and keeps what later requests leave out', async (t) => {
  const { reg, touch, clock } = registry()
  const e = touch('D1', { deviceType: 'iPhone', userAgent: 'Apple-iPhone/1', protocolVersion: '14.1', command: 'FolderSync' })
  clock.now += 1500
  const again = touch('D1', { command: 'Ping' })
  t.equal(again, e, 'the same entry')
  t.match(e, { deviceId: 'D1', user: 'bob', deviceType: 'iPhone', userAgent: 'Apple-iPhone/1', protocolVersion: '14.1', lastCommand: 'Ping', lastSeen: clock.now, superseded: 0, held: undefined })
  touch('D1', { user: 'BOB', command: 'Sync', protocolVersion: '16.1' })
  t.equal(reg.size, 1, 'the user is case-insensitive')
  t.equal(e.protocolVersion, '16.1', 'a newer protocol version replaces the old')
  t.equal(e.user, 'bob', 'the name as first seen')
  touch('d1')
  touch('D1', { user: 'carol' })
  reg.touch({ user: undefined, deviceId: 'D1', command: 'Options' })
  t.equal(reg.size, 4, 'DeviceId is case-sensitive; another user, or none, is another device')
  t.equal(DeviceRegistry.keyOf('Bob', 'X'), DeviceRegistry.keyOf('bob', 'X'))
  t.not(DeviceRegistry.keyOf('bob', 'X'), DeviceRegistry.keyOf('bob', 'x'))
})

t.test('LRU: at max devices the least recently seen is dropped', async (t) => {
  const { reg, touch, clock, ids } = registry({ maxDevices: 3 })
  for (const d of ['A', 'B', 'C']) { touch(d); clock.now += 10 }
  t.same(ids(), ['C', 'B', 'A'], 'most recently seen first')
  touch('D')
  t.same(ids(), ['D', 'C', 'B'], 'A (oldest) evicted')
  clock.now += 10
  touch('B')
  touch('E')
  t.same(ids(), ['E', 'B', 'D'], 'B was refreshed, so C went')
  t.equal(reg.size, 3)
})

t.test('TTL: a device not seen for ttl is forgotten', async (t) => {
  const { reg, touch, clock, ids } = registry({ ttl: 1000 })
  touch('A')
  clock.now += 500
  touch('B')
  clock.now += 501
  touch('C')
  t.same(ids(), ['C', 'B'], 'A expired on the next touch')
  clock.now += 500
  t.same(ids(), ['C'], 'B expired at snapshot time, without any new request')
  t.equal(reg.size, 1)
  clock.now += 500
  t.same(ids(), ['C'], 'exactly ttl old is kept')
  clock.now += 1
  t.same(ids(), [], 'everything expires')
  t.equal(reg.size, 0)
})

t.test('a device with a held Ping is not evicted while held, by LRU or TTL', async (t) => {
  const { reg, touch, clock, ids } = registry({ maxDevices: 2, ttl: 1000 })
  const a = touch('A', { command: 'Ping' })
  const p = heldPing(clock.now, 5)
  reg.hold(a, p)
  for (const d of ['B', 'C', 'D']) { clock.now += 10; touch(d) }
  t.ok(ids().includes('A'), 'A kept past max while held')
  clock.now += 5000
  t.ok(ids().includes('A'), 'A kept past ttl while held')
  reg.release(a, p)
  clock.now += 1
  touch('E')
  t.notOk(ids().includes('A'), 'once released and expired, A goes')
})

t.test('a held device at the LRU head does not stop eviction of the others', async (t) => {
  // regression: #4 — eviction stopped at the first entry it kept, so one long-held Ping at the
  // head of the LRU let the table grow past max (and past ttl) for as long as it was held.
  const { reg, touch, clock, ids } = registry({ maxDevices: 3, ttl: 1000 })
  const a = touch('A', { command: 'Ping' })
  reg.hold(a, heldPing(clock.now))
  for (let i = 0; i < 50; i++) { clock.now += 1; touch(`D${i}`) }
  t.equal(reg.size, 3, 'bounded at max while A is held')
  t.same(ids().sort(), ['A', 'D48', 'D49'], 'the newest devices and the held one')
  clock.now += 1001
  touch('Z')
  t.same(ids().sort(), ['A', 'Z'], 'expired devices behind the held one are forgotten too')
  t.equal(reg.size, 2)
  t.equal(reg.heldCount, 1)
})

t.test('more held devices than max: all kept, and the device just seen is never the one dropped', async (t) => {
  const { reg, touch, clock, ids } = registry({ maxDevices: 2 })
  for (const d of ['A', 'B', 'C']) { reg.hold(touch(d, { command: 'Ping' }), heldPing(clock.now)); clock.now += 1 }
  const e = touch('E', { command: 'Ping' })
  t.equal(reg.size, 4, 'held devices stay; the newcomer too')
  const p = heldPing(clock.now)
  reg.hold(e, p)
  t.same(ids().sort(), ['A', 'B', 'C', 'E'])
  t.equal(touch('E', { command: 'Ping' }).held, p, 'its held Ping is found again (supersede still works)')
  t.equal(reg.heldCount, 4)
})

t.test('hold supersedes the held Ping; counts stay consistent through supersede and release', async (t) => {
  const { reg, touch, clock } = registry()
  const e = touch('A', { command: 'Ping' })
  const p1 = heldPing(clock.now, 5)
  t.equal(reg.hold(e, p1), undefined, 'nothing to supersede')
  t.equal(reg.heldCount, 1)
  clock.now += 2000
  const p2 = heldPing(clock.now, 6)
  t.equal(reg.hold(e, p2), p1, 'the old Ping is returned')
  t.equal(p1.superseded, 1, 'and ended once')
  t.equal(p2.superseded, 0)
  t.equal(e.held, p2)
  t.equal(e.superseded, 1)
  t.equal(reg.heldCount, 1, 'still one held')
  reg.release(e, p1)
  t.equal(reg.heldCount, 1, 'releasing the superseded Ping changes nothing')
  t.equal(e.held, p2)
  reg.release(e, p2)
  t.equal(reg.heldCount, 0)
  t.equal(e.held, undefined)
  reg.release(e, p2)
  t.equal(reg.heldCount, 0, 'a second release never goes negative')
  // A supersede callback that releases (as the real one does, via the request's onDone).
  const p3 = heldPing(clock.now)
  reg.hold(e, p3)
  const p4 = { since: clock.now, heartbeat: undefined, auth: 'alice-digest', supersede: () => { reg.release(e, p3) } }
  reg.hold(e, p4)
  t.equal(reg.heldCount, 1, 'release from inside supersede is harmless')
  t.equal(e.held, p4)
  t.equal(e.superseded, 2)
  // Two devices: the count is per registry.
  const other = touch('B', { command: 'Ping' })
  const p5 = heldPing(clock.now)
  reg.hold(other, p5)
  t.equal(reg.heldCount, 2)
  reg.release(other, p5)
  reg.release(e, p4)
  t.equal(reg.heldCount, 0)
})

t.test('online: seen within the window, or holding a Ping', async (t) => {
  const { reg, touch, clock } = registry({ onlineWindow: 5000, ttl: 60_000 })
  const a = touch('A', { command: 'Ping' })
  touch('B')
  t.equal(reg.onlineCount(), 2)
  reg.hold(a, heldPing(clock.now))
  clock.now += 5000
  t.equal(reg.onlineCount(), 2, 'exactly at the window edge still online')
  clock.now += 1
  t.equal(reg.onlineCount(), 1, 'B offline; A holds a Ping')
  t.equal(reg.size, 2, 'B still tracked (ttl not reached)')
})

t.test('snapshot: the /devices view', async (t) => {
  const { reg, touch, clock } = registry()
  const a = touch('A', { deviceType: 'iPhone', userAgent: 'Apple-iPhone/1', protocolVersion: '14.1', command: 'Ping' })
  a.heartbeat = 480
  reg.hold(a, heldPing(clock.now, 480))
  clock.now += 1000
  touch('B', { command: 'Sync' })
  clock.now += 2600
  const snap = reg.snapshot() as Record<string, unknown>[]
  t.strictSame(snap[1], {
    deviceId: 'A',
    user: 'bob',
    deviceType: 'iPhone',
    userAgent: 'Apple-iPhone/1',
    protocolVersion: '14.1',
    lastSeen: new Date(1_000_000).toISOString(),
    lastCommand: 'Ping',
    heartbeat: 480,
    heldPing: { heartbeat: 480, heldSeconds: 4 },
    heldPings: 1,
    superseded: 0,
    address: null,
    lastOutcome: null,
    lastStatus: null
  }, 'every field of a device holding a Ping (heldSeconds rounded)')
  t.match(snap[0], { deviceId: 'B', lastCommand: 'Sync', heldPing: null, heartbeat: null, deviceType: undefined })
  t.same(JSON.parse(JSON.stringify(snap[0])), { deviceId: 'B', user: 'bob', lastSeen: new Date(1_001_000).toISOString(), lastCommand: 'Sync', heartbeat: null, heldPing: null, heldPings: 0, superseded: 0, address: null, lastOutcome: null, lastStatus: null }, 'as JSON: unknown descriptive fields left out; heartbeat null until the server accepted one')
  for (let i = 0; i < 20; i++) touch(`X${i}`)
  t.equal(reg.snapshot(5).length, 5, 'limit')
  t.equal((reg.snapshot(5)[0] as { deviceId: string }).deviceId, 'X19', 'the most recent first')
})

// regression: #4 — the gateway cannot check a password, so other credentials never end a held Ping
// regression: #10 — and such a Ping is still tracked and counted (it used to be neither)
t.test('a Ping with other credentials does not supersede the held one, and is tracked and counted', async (t) => {
  const { reg, touch, clock } = registry()
  const e = touch('D1', { command: 'Ping' })
  const held = heldPing(clock.now, 900, 'right')
  t.equal(reg.hold(e, held), undefined)
  const other = heldPing(clock.now, 60, 'rotated-token')
  t.equal(reg.hold(e, other), undefined, 'nothing superseded')
  t.equal(held.superseded, 0, 'the held Ping was not ended')
  t.same(e.pings, [held, other], 'both held')
  t.equal(e.held, other, 'the newest is the one /devices shows')
  t.equal(e.superseded, 0)
  t.equal(reg.heldCount, 2, 'both counted')
  t.ok(reg.holdsFor(e, 'right'))
  t.notOk(reg.holdsFor(e, 'stranger'))
  const same = heldPing(clock.now, 900, 'right')
  t.equal(reg.hold(e, same), held, 'the same credentials supersede')
  t.equal(held.superseded, 1)
  t.equal(other.superseded, 0, 'the other identity\'s Ping is untouched')
  t.equal(reg.heldCount, 2)
  t.same([...reg.heldDevices()].map((d) => d.deviceId), ['D1'])
  reg.release(e, other)
  t.equal(e.held, same)
  reg.release(e, same)
  t.equal(reg.heldCount, 0)
  t.equal(e.held, undefined)
  t.same([...reg.heldDevices()], [])
})

t.test('snapshot lookups: ?deviceId= exact, ?user= case-insensitive; decision and rule shown', async (t) => {
  const { reg, touch } = registry()
  const a = touch('A')
  a.access = { decision: 'block', rule: 'no-ipads' }
  touch('B')
  t.same((reg.snapshot(1000, { deviceId: 'A' }) as { deviceId: string }[]).map((d) => d.deviceId), ['A'])
  t.match(reg.snapshot(1000, { deviceId: 'A' })[0], { decision: 'block', rule: 'no-ipads', heldPings: 0 })
  t.same(reg.snapshot(1000, { deviceId: 'a' }), [])
  t.equal(reg.snapshot(1000, { user: 'BOB' }).length, 2)
  t.same(reg.snapshot(1000, { user: 'nobody' }), [])
})

t.test('use order: touching a device from the middle, the end or the head moves it to the end', async (t) => {
  const { reg, touch, ids } = registry({ maxDevices: 3 })
  for (const d of ['A', 'B', 'C']) touch(d)
  touch('B')
  touch('B')
  t.same(ids(), ['B', 'C', 'A'], 'B from the middle to the newest; touching the newest changes nothing')
  touch('A')
  t.same(ids(), ['A', 'B', 'C'], 'A from the head to the newest')
  touch('D')
  t.same(ids(), ['D', 'A', 'B'], 'C, now the least recent, evicted')
  const b = reg.touch({ user: 'bob', deviceId: 'B', command: 'Ping' })
  reg.hold(b, heldPing(0))
  const d = reg.touch({ user: 'bob', deviceId: 'D', command: 'Ping' })
  reg.hold(d, heldPing(0))
  t.same([...reg.heldDevices()].map((e) => e.deviceId), ['B', 'D'], 'held devices, least recently seen first')
  touch('E')
  t.same(ids(), ['E', 'D', 'B'], 'A evicted; the held B and D stay')
})
