import t from 'tap'
import { createBucket, refillTime, takeToken } from '../../lib/policy/index.js'

t.test('a new bucket spends its burst, then refuses with the wait for the next token', async (t) => {
  const r = { rate: 10, burst: 3 }
  const b = createBucket(r, 0)
  t.equal(takeToken(b, r, 0), 0)
  t.equal(takeToken(b, r, 0), 0)
  t.equal(takeToken(b, r, 0), 0)
  t.equal(takeToken(b, r, 0), 100, '10/s: next token in 100 ms')
  t.equal(takeToken(b, r, 50), 50, 'half refilled')
  t.equal(takeToken(b, r, 100), 0, 'one token after 100 ms')
})

t.test('refill never exceeds the burst, and the clock never runs backwards', async (t) => {
  const r = { rate: 1, burst: 2 }
  const b = createBucket(r, 0)
  takeToken(b, r, 0)
  takeToken(b, r, 0)
  takeToken(b, r, 1_000_000)
  t.equal(b.tokens, 1, 'capped at burst (2) minus the one taken')
  t.equal(takeToken(b, r, 10), 0, 'an earlier timestamp does not refill or break it')
  t.equal(b.at, 1_000_000)
  t.ok(takeToken(b, r, 10) > 0)
})

t.test('refill time: how long an untouched bucket takes to be full again', async (t) => {
  t.equal(refillTime({ rate: 10, burst: 50 }), 5000)
  t.equal(refillTime({ rate: 0.5, burst: 1 }), 2000)
})

t.test('a sustained rate is admitted at exactly the rate', async (t) => {
  const r = { rate: 100, burst: 10 }
  const b = createBucket(r, 0)
  let admitted = 0
  for (let now = 0; now < 10_000; now++) if (takeToken(b, r, now) === 0) admitted++
  t.ok(admitted >= 1009 && admitted <= 1010, `burst + 100/s over 10 s, got ${admitted}`)
})
