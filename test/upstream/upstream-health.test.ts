import t from 'tap'
import { createHealthState, recordFailure, recordSuccess, type HealthSettings } from '../../lib/upstream/upstream-health.js'

const S: HealthSettings = { consecutiveFailures: 3, initial: 30_000, max: 120_000, errorExpiry: 3_600_000 }
const half = (): number => 0.5
const fail = (now: number, source: 'request' | 'probe' = 'request', reason: 'refused' | 'dns' = 'refused') => ({ now, reason, source })

t.test('N consecutive failures eject; a success in between starts the count again', async (t) => {
  const s = createHealthState()
  t.equal(recordFailure(s, fail(0), S, half), undefined)
  t.equal(recordFailure(s, fail(1), S, half), undefined)
  t.equal(recordSuccess(s, 'request'), undefined)
  t.equal(recordFailure(s, fail(2), S, half), undefined)
  t.equal(recordFailure(s, fail(3), S, half), undefined)
  t.equal(recordFailure(s, fail(4, 'probe', 'dns'), S, half), 'ejected', 'active and passive failures count alike')
  t.equal(s.alive, false)
  t.equal(s.reason, 'dns')
  t.equal(s.retryAt, 4 + 22_500, 'first re-probe: initial 30 s with equal jitter (random 0.5)')
})

t.test('failed re-probes back off exponentially up to max; late request failures change nothing', async (t) => {
  const s = createHealthState()
  for (let i = 0; i < 3; i++) recordFailure(s, fail(0), S, () => 1)
  t.equal(s.retryAt, 30_000)
  t.equal(recordFailure(s, fail(30_000, 'request'), S, () => 1), undefined)
  t.equal(s.retryAt, 30_000, 'a request sent before the ejection failing now does not push the re-probe out')
  const delays: number[] = []
  for (let now = 30_000, i = 0; i < 5; i++) {
    recordFailure(s, fail(now, 'probe'), S, () => 1)
    delays.push(s.retryAt - now)
    now = s.retryAt
  }
  t.same(delays, [60_000, 120_000, 120_000, 120_000, 120_000])
})

t.test('only a probe restores; the backoff level survives a flap within the error expiry', async (t) => {
  const s = createHealthState()
  for (let i = 0; i < 3; i++) recordFailure(s, fail(0), S, () => 1)
  recordFailure(s, fail(30_000, 'probe'), S, () => 1)
  t.equal(recordSuccess(s, 'request'), undefined, 'an answer to an old request does not restore')
  t.equal(s.alive, false)
  t.equal(recordSuccess(s, 'probe'), 'restored')
  t.equal(s.alive, true)
  for (let i = 0; i < 3; i++) recordFailure(s, fail(100_000), S, () => 1)
  t.equal(s.retryAt - 100_000, 120_000, 'ejected again soon after: re-probed more slowly (level kept)')
})

t.test('error expiry: failures farther apart than errorExpiry never add up, and the backoff starts over', async (t) => {
  const s = createHealthState()
  const hour = S.errorExpiry
  for (let i = 0; i < 10; i++) t.equal(recordFailure(s, fail(i * hour), S, half), undefined)
  t.equal(s.alive, true)
  t.equal(s.failures, 1)
  // Eject and flap, then stay quiet past the expiry: the next ejection starts at the initial delay.
  for (let i = 0; i < 3; i++) recordFailure(s, fail(20 * hour), S, () => 1)
  recordFailure(s, fail(20 * hour + 30_000, 'probe'), S, () => 1)
  recordSuccess(s, 'probe')
  for (let i = 0; i < 3; i++) recordFailure(s, fail(22 * hour), S, () => 1)
  t.equal(s.retryAt - 22 * hour, 30_000, 'level reset after the expiry')
})
