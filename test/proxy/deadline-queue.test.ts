import t from 'tap'
import { DeadlineQueue } from '../../lib/proxy/deadline-queue.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

// executionTimeout of every request on one timer, over the set of requests in progress: items
// fall due in the order they were added, each once, removed ones never; the timer follows the
// oldest item still in the set.

const LENGTH = 1000

interface Item { name: string, deadlineAt: number, onDeadline (): void }

const RULE = { dueAt: (i: Item) => i.deadlineAt, expire: (i: Item) => { i.onDeadline() } }

function rig () {
  const clock = fakeClock()
  const items = new Set<Item>()
  const q = new DeadlineQueue<Item>(clock, items, RULE)
  const fired: string[] = []
  const add = (name: string, also?: () => void): Item => {
    // As a request does: its deadline ends it, and an ended request leaves the set.
    const item: Item = { name, deadlineAt: clock.now() + LENGTH, onDeadline () { fired.push(`${name}@${clock.now()}`); items.delete(item); also?.() } }
    items.add(item)
    q.arm(item)
    return item
  }
  return { clock, items, fired, add }
}

t.test('each item fires once at its own deadline, in order, on one timer', async (t) => {
  const { clock, items, fired, add } = rig()
  add('a')
  await clock.advance(300)
  add('b')
  await clock.advance(200)
  add('c')
  t.same(clock.pending(), [1000], 'one timer, for the oldest')
  await clock.advance(499)
  t.same(fired, [], 'nothing before its deadline')
  await clock.advance(1)
  t.same(fired, ['a@1000'])
  t.same(clock.pending(), [1300], 're-armed for the next')
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@1300', 'c@1500'])
  t.same(clock.pending(), [], 'no timer once empty')
  t.equal(items.size, 0)
})

t.test('a removed item never fires; the timer set for it moves on to the next', async (t) => {
  const { clock, items, fired, add } = rig()
  const a = add('a')
  await clock.advance(100)
  add('b')
  items.delete(a)
  await clock.advance(2000)
  t.same(fired, ['b@1100'])
})

t.test('items due together all fire; an item added while firing gets its own deadline', async (t) => {
  const { clock, fired, add } = rig()
  add('a', () => { add('late') })
  add('b')
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@1000'])
  t.same(clock.pending(), [2000], 'one timer, for the item added while firing')
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@1000', 'late@2000'])
})

t.test('an item removed by another one firing before it does not fire', async (t) => {
  const { clock, items, fired, add } = rig()
  const later: { b?: Item } = {}
  add('a', () => { if (later.b !== undefined) items.delete(later.b) })
  later.b = add('b')
  await clock.advance(1000)
  t.same(fired, ['a@1000'])
  t.equal(items.size, 0)
})

t.test('the set empties and fills again: the timer is armed anew', async (t) => {
  const { clock, fired, add } = rig()
  add('a')
  await clock.advance(1000)
  await clock.advance(5000)
  add('b')
  t.same(clock.pending(), [7000])
  await clock.advance(1000)
  t.same(fired, ['a@1000', 'b@7000'])
})
