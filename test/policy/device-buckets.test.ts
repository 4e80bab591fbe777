import t from 'tap'
import { createDeviceBuckets } from '../../lib/policy/index.js'

t.test('each device has its own bucket', async (t) => {
  const d = createDeviceBuckets({ rate: 1, burst: 2, maxTracked: 10 })
  t.equal(d.take('a', 0), 0)
  t.equal(d.take('a', 0), 0)
  t.equal(d.take('a', 0), 1000, 'a is over its limit')
  t.equal(d.take('b', 0), 0, 'b is not affected')
  t.equal(d.size, 2)
})

t.test('LRU: at most maxTracked devices, least recently used dropped first', async (t) => {
  const d = createDeviceBuckets({ rate: 1, burst: 1, maxTracked: 3 })
  for (const k of ['a', 'b', 'c']) d.take(k, 0)
  d.take('a', 1) // a is now the most recent; b the least
  d.take('d', 2)
  t.equal(d.size, 3)
  t.ok(d.take('a', 3) > 0, 'a kept its (empty) bucket')
  t.equal(d.take('b', 3), 0, 'b was evicted, so it starts full again (never stricter)')
})

t.test('TTL: a bucket untouched for its refill time is dropped (it would be full anyway)', async (t) => {
  const d = createDeviceBuckets({ rate: 10, burst: 20, maxTracked: 1000 })
  for (let i = 0; i < 100; i++) d.take(`dev${i}`, 0)
  t.equal(d.size, 100)
  d.take('late', 1999)
  t.equal(d.size, 101, 'not yet expired at 1999 ms (refill time 2000 ms)')
  d.take('later', 2000)
  t.equal(d.size, 2, 'the 100 idle buckets are swept; late and later remain')
})

t.test('bounded under a flood of distinct devices', async (t) => {
  const d = createDeviceBuckets({ rate: 1, burst: 5, maxTracked: 500 })
  for (let i = 0; i < 20_000; i++) d.take(`flood-${i}`, i % 1000)
  t.equal(d.size, 500)
})

t.test('use order: a middle bucket and the newest one touched again keep the LRU exact', async (t) => {
  const d = createDeviceBuckets({ rate: 1, burst: 1, maxTracked: 3 })
  for (const k of ['a', 'b', 'c']) d.take(k, 0)
  d.take('b', 1) // from the middle to the end: a, c, b
  d.take('b', 1) // already the newest
  d.take('d', 2) // a, the least recent, goes
  t.equal(d.size, 3)
  t.equal(d.take('a', 3), 0, 'a was evicted: a full bucket again')
  // now c, b, d, a: over maxTracked, c went
  t.ok(d.take('b', 3) > 0, 'b kept its empty bucket')
  t.equal(d.take('c', 3), 0, 'c was the least recent and was evicted')
  t.equal(d.size, 3)
})
