import t from 'tap'
import { selectUpstream } from '../../lib/upstream/select-upstream.js'

const all = (): boolean => true
const up = (name: string, inFlight: number, weight = 1): { name: string, inFlight: number, weight: number } => ({ name, inFlight, weight })

t.test('least connections: the upstream with the fewest requests in flight', async (t) => {
  const c = [up('a', 5), up('b', 2), up('c', 9)]
  t.equal(selectUpstream(c, all, 0)?.name, 'b')
})

t.test('ties go to the first at or after start, so a rotating start alternates', async (t) => {
  const c = [up('a', 0), up('b', 0), up('c', 0)]
  t.same([0, 1, 2, 3].map((s) => selectUpstream(c, all, s)?.name), ['a', 'b', 'c', 'a'])
})

t.test('weight: in-flight per unit of weight, counting the request being placed', async (t) => {
  t.equal(selectUpstream([up('a', 0, 1), up('b', 0, 3)], all, 0)?.name, 'b', 'idle: the heavier first')
  t.equal(selectUpstream([up('a', 0, 1), up('b', 2, 3)], all, 0)?.name, 'a', '3/3 = 1/1: a tie, the first at start wins')
  t.equal(selectUpstream([up('a', 0, 1), up('b', 3, 3)], all, 0)?.name, 'a', '4/3 > 1/1')
  // Placing 400 requests one by one on weights 1 and 3 gives 100 / 300.
  const c = [up('a', 0, 1), up('b', 0, 3)]
  for (let i = 0; i < 400; i++) { const u = selectUpstream(c, all, i % 2); if (u !== undefined) u.inFlight++ }
  t.same(c.map((u) => u.inFlight), [100, 300])
})

t.test('only eligible upstreams; none eligible gives undefined', async (t) => {
  const c = [up('a', 0), up('b', 7)]
  t.equal(selectUpstream(c, (u) => u.name !== 'a', 0)?.name, 'b')
  t.equal(selectUpstream(c, () => false, 0), undefined)
  t.equal(selectUpstream([], all, 0), undefined)
})
