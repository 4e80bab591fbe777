import t from 'tap'
import { backoffDelay } from '../../lib/upstream/index.js'

const B = { initial: 30_000, max: 120_000 }

t.test('the ceiling doubles from initial up to max; the delay lies between half and all of it', async (t) => {
  const ceilings = [0, 1, 2, 3, 4, 10, 100].map((n) => backoffDelay(n, B, () => 1))
  t.same(ceilings, [30_000, 60_000, 120_000, 120_000, 120_000, 120_000, 120_000])
  const floors = [0, 1, 2, 3].map((n) => backoffDelay(n, B, () => 0))
  t.same(floors, [15_000, 30_000, 60_000, 60_000])
  t.equal(backoffDelay(0, B, () => 0.5), 22_500)
})

t.test('never above max, whatever the attempt or random', async (t) => {
  let worst = 0
  for (let n = -3; n < 2000; n++) worst = Math.max(worst, backoffDelay(n, B, Math.random))
  t.ok(worst <= B.max)
  t.equal(backoffDelay(-1, B, () => 1), 30_000, 'a negative attempt counts as the first')
})
