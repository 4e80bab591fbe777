import t from 'tap'
import { DeadlineQueue } from '../../lib/proxy/deadline-queue.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

// executionTimeout of every request on one timer: items fall due in the order they were added,
// each exactly once, removed ones never; the timer follows the oldest item still queued.

const LENGTH = 1000

function rig () {
  const clock = fakeClock()
  const q = new DeadlineQueue<{ name: string, deadlineAt: number, onDeadline (): void }>(clock)
  const fired: string[] = []
  const item = (name: string, onDeadline?: () => void) => ({ name, deadlineAt: clock.now() + LENGTH, onDeadline () { fired.push(`${name}@${clock.now()}`); onDeadline?.() } })
  return { clock, q, fired, item }
}

t.test('each item fires once at its own deadline, in order, on one timer', async (t) => {
  const { clock, q, fired, item } = rig()
  q.add(item('a'))
  await clock.advance(300)
  q.add(item('b'))
  await clock.advance(200)
  q.add(item('c'))
  t.same(clock.pending(), [1000], 'one timer, for the oldest')
  await clock.advance(499)
  t.same(fired, [], 'nothing before its deadline')
  await clock.advance(1)
  t.same(fired, ['a@1000'])
  t.same(clock.pending(), [1300], 're-armed for the next')
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@1300', 'c@1500'])
  t.same(clock.pending(), [], 'no timer once empty')
  t.equal(q.size, 0)
})

t.test('a removed item never fires; the timer set for it moves on to the next', async (t) => {
  const { clock, q, fired, item } = rig()
  const a = item('a')
  q.add(a)
  await clock.advance(100)
  q.add(item('b'))
  q.delete(a)
  await clock.advance(2000)
  t.same(fired, ['b@1100'])
})

t.test('items due together all fire; an item added while firing gets its own deadline', async (t) => {
  const { clock, q, fired, item } = rig()
  q.add(item('a', () => { q.add(item('late')) }))
  q.add(item('b'))
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@1000'])
  t.same(clock.pending(), [2000], 'one timer, for the item added while firing')
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@1000', 'late@2000'])
})

t.test('an item removed by another one firing before it does not fire', async (t) => {
  const { clock, q, fired, item } = rig()
  const b = item('b')
  q.add(item('a', () => { q.delete(b) }))
  q.add(b)
  await clock.advance(1000)
  t.same(fired, ['a@1000'])
  t.equal(q.size, 0)
})

t.test('the queue empties and fills again: the timer is armed anew', async (t) => {
  const { clock, q, fired, item } = rig()
  q.add(item('a'))
  await clock.advance(1000)
  await clock.advance(5000)
  q.add(item('b'))
  t.same(clock.pending(), [7000])
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@7000'])
})
