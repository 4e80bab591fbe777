import t from 'tap'
import { RecencyMap } from '../../lib/collections/recency-map.js'

const order = (m: RecencyMap<string, number>): number[] => [...m.oldestFirst()]

t.test('set, touch and delete keep the use order, least recently used first', async (t) => {
  const m = new RecencyMap<string, number>()
  for (const [k, v] of [['a', 1], ['b', 2], ['c', 3], ['d', 4]] as const) m.set(k, v)
  t.same(order(m), [1, 2, 3, 4])
  t.equal(m.touch('b'), 2, 'touch returns the value')
  t.same(order(m), [1, 3, 4, 2], 'a touched middle entry moves to the end')
  t.equal(m.touch('a'), 1)
  t.same(order(m), [3, 4, 2, 1], 'the head touched')
  t.equal(m.touch('a'), 1)
  t.same(order(m), [3, 4, 2, 1], 'the newest touched again stays')
  t.equal(m.get('c'), 3)
  t.same(order(m), [3, 4, 2, 1], 'get does not change the order')
  m.set('c', 30)
  t.same(order(m), [4, 2, 1, 30], 'set of a present key replaces its value and makes it newest')
  t.equal(m.touch('zz'), undefined, 'absent key: undefined')
  t.equal(m.size, 4, 'and nothing added')
  t.equal(m.delete('2' as string), false)
  t.equal(m.delete('b'), true)
  t.same(order(m), [4, 1, 30])
  t.same([...m.newestFirst()], [30, 1, 4])
  t.equal(m.oldestKey(), 'd')
  t.equal(m.oldest(), 4)
  t.ok(m.has('a'))
  t.notOk(m.has('b'))
  m.delete('d'); m.delete('c'); m.delete('a')
  t.equal(m.size, 0)
  t.equal(m.oldestKey(), undefined)
  t.same(order(m), [])
  m.set('x', 9)
  t.same(order(m), [9], 'usable again once emptied')
})

t.test('deleting or touching the current entry while iterating', async (t) => {
  const m = new RecencyMap<string, number>()
  for (let i = 0; i < 5; i++) m.set(`k${i}`, i)
  const seen: number[] = []
  for (const v of m.oldestFirst()) {
    seen.push(v)
    if (v % 2 === 0) m.delete(`k${v}`)
    else if (v === 1) m.touch('k1')
    if (seen.length > 10) break
  }
  t.same(seen, [0, 1, 2, 3, 4, 1], 'every entry once; the touched one comes again at the end')
  t.same(order(m), [3, 1], 'deleted ones gone, the touched one newest')
  for (const v of m.newestFirst()) m.delete(`k${v}`)
  t.equal(m.size, 0, 'deleting each while walking newest first empties it')
})

t.test('one key touched 20,000 times among 8,000 keeps the order', async (t) => {
  const m = new RecencyMap<string, number>()
  for (let i = 0; i < 8000; i++) m.set(`d${i}`, i)
  for (let i = 0; i < 20_000; i++) m.touch('d4000')
  t.equal(m.size, 8000)
  t.equal(m.oldestKey(), 'd0')
  t.equal([...m.newestFirst()][0], 4000)
  t.equal([...m.oldestFirst()].length, 8000)
})
