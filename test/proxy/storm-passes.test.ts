import t from 'tap'
import type { PassContext } from '../../lib/proxy/passes/index.js'
import type { PassLimits } from '../../lib/proxy/passes/limit-context.js'
import { limitDeviceRate } from '../../lib/proxy/passes/limit-device-rate.js'
import { limitGlobalRate } from '../../lib/proxy/passes/limit-global-rate.js'
import { limitHeldPings } from '../../lib/proxy/passes/limit-held-pings.js'
import type { LimitDecision, RequestLimiter } from '../../lib/policy/index.js'

// The limit passes on stub contexts (http-proxy's pass tests): no sockets, a scripted limiter.
const OK: LimitDecision = { ok: true }
const NO = (limit: 'global_rate' | 'device_rate' | 'held_pings' | 'connections'): LimitDecision => ({ ok: false, limit, retryAfterMs: 2500 })

interface Stub { ctx: PassContext, calls: string[], refused: string[] }

function stub (req: { user?: string, deviceId?: string, ping?: boolean, holding?: boolean, credential?: string }, answers: Partial<Record<'device' | 'request' | 'ping', LimitDecision>> = {}, held = 0): Stub {
  const calls: string[] = []
  const refused: string[] = []
  const limiter: RequestLimiter = {
    admitDevice (key) { calls.push(`device ${JSON.stringify(key)}`); return answers.device ?? OK },
    admitRequest () { calls.push('request'); return answers.request ?? OK },
    admitPing (n) { calls.push(`ping ${n}`); return answers.ping ?? OK },
    admitConnection () { return OK },
    trackedDevices: 0
  }
  const limits: PassLimits = { limiter, heldPings: () => held, onRefuse (l) { refused.push(l) } }
  const request = {
    ctx: { user: req.user, deviceId: req.deviceId, command: req.ping === true ? 'Ping' : 'Sync' },
    credential: req.credential ?? 'C',
    identity: req.credential ?? 'C',
    ping: req.ping === true ? { heartbeat: 300, empty: false, folders: 1 } : undefined,
    device: req.holding === true ? { pings: [{ auth: 'C' }] } : undefined
  }
  // The registry's answer to "does this device hold a Ping with these credentials?"
  const devices = { holdsFor: (d: { pings: { auth: string }[] }, auth: string) => d.pings.some((p) => p.auth === auth) }
  return { ctx: { request, limits, devices } as unknown as PassContext, calls, refused }
}

t.test('without limits wired (stub contexts elsewhere), every limit pass lets the request through', async (t) => {
  const ctx = { request: { ctx: { user: 'a', deviceId: 'b' }, ping: {}, credential: '' } } as unknown as PassContext
  for (const pass of [limitDeviceRate, limitHeldPings, limitGlobalRate]) t.equal(pass(ctx), undefined)
})

t.test('a refusal: 503, whole-second Retry-After, the limit in the reason, counted once', async (t) => {
  const s = stub({ user: 'u', deviceId: 'D' }, { request: NO('global_rate') })
  t.same(limitGlobalRate(s.ctx), { status: 503, reason: 'limit_global_rate', outcome: 'refused_limit', headers: { 'retry-after': '3' } })
  t.same(s.refused, ['global_rate'])
  t.equal(limitGlobalRate(stub({}).ctx), undefined)
})

t.test('device rate: keyed by user (any case) + DeviceId + credentials, by the user alone, or not at all', async (t) => {
  const both = stub({ user: 'Alice', deviceId: 'D1' })
  limitDeviceRate(both.ctx)
  t.same(both.calls, ['device "alice\\u0000D1\\u0000C"'])
  const userOnly = stub({ user: 'bob' })
  limitDeviceRate(userOnly.ctx)
  t.same(userOnly.calls, ['device "bob\\u0000\\u0000C"'])
  const deviceOnly = stub({ deviceId: 'D2' })
  limitDeviceRate(deviceOnly.ctx)
  t.same(deviceOnly.calls, ['device "\\u0000D2\\u0000C"'])
  // regression: #9 — a stranger with the victim's User and DeviceId but other credentials spends another bucket
  const stranger = stub({ user: 'Alice', deviceId: 'D1', credential: 'X' })
  limitDeviceRate(stranger.ctx)
  t.not(stranger.calls[0], both.calls[0])
  const anonymous = stub({ user: '', deviceId: '' })
  t.equal(limitDeviceRate(anonymous.ctx), undefined)
  t.same(anonymous.calls, [], 'no key: left to the global limit (never the IP)')
  t.match(limitDeviceRate(stub({ user: 'x', deviceId: 'y' }, { device: NO('device_rate') }).ctx), { status: 503, reason: 'limit_device_rate' })
})

t.test('held Pings: only a new Ping is capped; a superseding Ping and other commands pass untouched', async (t) => {
  const sync = stub({ user: 'u', deviceId: 'D' }, { ping: NO('held_pings') })
  t.equal(limitHeldPings(sync.ctx), undefined)
  t.same(sync.calls, [])
  const superseding = stub({ user: 'u', deviceId: 'D', ping: true, holding: true }, { ping: NO('held_pings') })
  t.equal(limitHeldPings(superseding.ctx), undefined)
  t.same(superseding.calls, [], 'replaces its own held Ping: adds nothing')
  // regression: #10 — a Ping with other credentials is held beside the device's one: it counts
  const other = stub({ user: 'u', deviceId: 'D', ping: true, holding: true, credential: 'rotated' }, { ping: NO('held_pings') }, 7)
  t.match(limitHeldPings(other.ctx), { status: 503, reason: 'limit_held_pings' }, 'other credentials add a held Ping')
  const fresh = stub({ user: 'u', deviceId: 'D', ping: true }, { ping: NO('held_pings') }, 7)
  t.match(limitHeldPings(fresh.ctx), { status: 503, reason: 'limit_held_pings', headers: { 'retry-after': '3' } })
  t.same(fresh.calls, ['ping 7'], 'asked with the current held count')
})
