import t from 'tap'
import { createClusterHub, createClusterState, credentialTag, type ClusterMessage, type HubWorker, type SharedState } from '../../lib/state/index.js'

/** Longest wait for the primary's answer in the wired groups below (ms). */
const ANSWER_MS = 5000

/** Workers and a hub wired as node:cluster would (messages delivered asynchronously, in order). */
function group (n: number, opts: { now?: () => number } = {}): { states: SharedState[], hub: ReturnType<typeof createClusterHub>, sent: ClusterMessage[] } {
  const sent: ClusterMessage[] = []
  const toWorker: ((m: ClusterMessage) => void)[] = []
  const workers: HubWorker[] = []
  // The waits for an answer are not what these tests prove ('a primary that does not answer' does): long
  // enough that a loaded machine's stall between two setImmediate turns never ends one early.
  const hub = createClusterHub({ workers: () => workers, timeout: ANSWER_MS, ...(opts.now !== undefined ? { now: opts.now } : {}) })
  const states = Array.from({ length: n }, (_, i) => {
    const id = `w${i + 1}`
    const self: HubWorker = { id, send: (m) => { setImmediate(() => { toWorker[i]?.(m) }) } }
    workers.push(self)
    return createClusterState({
      id,
      timeout: ANSWER_MS,
      channel: {
        send: (m) => { sent.push(m); setImmediate(() => { hub.handle(self, m) }) },
        onMessage: (fn) => { toWorker[i] = fn }
      }
    })
  })
  return { states, hub, sent }
}

t.test('a held Ping announced by one worker reaches the others, never itself, with no credentials', async (t) => {
  const { states: [a, b, c], sent } = group(3)
  if (a === undefined || b === undefined || c === undefined) throw new Error('three workers')
  const heard: string[] = []
  const got = new Promise<void>((resolve) => {
    for (const s of [a, b, c]) s.pings.onPing((p) => { heard.push(`${s.gateway}<-${p.gateway}`); if (heard.length === 2) resolve() })
  })
  a.pings.announce('bob\u0000DEV1', 'Basic c2VjcmV0', 1000)
  await got
  t.same(heard.sort(), ['w2<-w1', 'w3<-w1'])
  t.notMatch(JSON.stringify(sent), /c2VjcmV0/, 'the credential never crosses IPC, only its tag')
  t.match(JSON.stringify(sent), credentialTag('bob\u0000DEV1', 'Basic c2VjcmV0'))
})

t.test('per-device rate: one bucket for the group, in debt down to -burst, as the Redis bucket', async (t) => {
  let now = 0
  const { states: [a, b] } = group(2, { now: () => now })
  if (a === undefined || b === undefined) throw new Error('two workers')
  // rate 1/s, burst 2: two tokens across both workers, then the wait until one is back.
  t.equal(await a.rate.take('k', 1, 2), 0, 'first token (worker 1)')
  t.equal(await b.rate.take('k', 1, 2), 0, 'second token (worker 2)')
  t.equal(await a.rate.take('k', 1, 2), 2000, 'empty: 2 s until a token is back (one owed)')
  t.equal(await b.rate.take('other', 1, 2), 0, 'another device has its own bucket')
  now += 4000
  t.equal(await b.rate.take('k', 1, 2), 0, 'refilled after 4 s')
})

t.test('devices: a worker reads the other workers\' tables through the primary', async (t) => {
  const { states: [a, b, c] } = group(3)
  if (a === undefined || b === undefined || c === undefined) throw new Error('three workers')
  a.startDevicesWriter(() => [{ deviceId: 'A' }])
  b.startDevicesWriter(() => [{ deviceId: 'B' }])
  c.startDevicesWriter(() => [{ deviceId: 'C' }])
  const seen = await a.devices.read()
  t.same(seen?.map((g) => [g.gateway, g.devices]).sort(), [['w2', [{ deviceId: 'B' }]], ['w3', [{ deviceId: 'C' }]]])
})

t.test('a primary that does not answer: the caller goes on with local state after the timeout', async (t) => {
  const state = createClusterState({ id: 'w1', timeout: 50, channel: { send: () => {}, onMessage: () => {} } })
  const t0 = performance.now()
  t.equal(await state.rate.take('k', 1, 2), undefined, 'rate: undefined')
  t.equal(await state.devices.read(), undefined, 'devices: undefined')
  t.ok(performance.now() - t0 < 5000, 'bounded')
  await state.close()
  t.equal(state.up, false, 'closed')
})

t.test('the primary keeps at most maxBuckets device buckets, the least recently used dropped first', async (t) => {
  const sent: ClusterMessage[] = []
  const hub = createClusterHub({ workers: () => [], timeout: 100, maxBuckets: 2, now: () => 0 })
  const w: HubWorker = { id: 'w1', send: (m) => { sent.push(m) } }
  const take = (k: string): unknown => { hub.handle(w, { t: 'gw:rates', id: sent.length, q: [[k, 1, 1]] }); return (sent.at(-1)?.w as unknown[] | undefined)?.[0] }
  t.equal(take('a'), 0, 'a: its one token')
  t.not(take('a'), 0, 'a: empty now')
  take('b')
  take('c') // a is the least recently used: dropped
  t.equal(take('a'), 0, 'a forgotten: a full bucket again (bounded memory over exactness)')
  t.equal(hub.handle(w, { t: 'other' }), false, 'not a shared-state message')
})

t.test('global rate: one bucket for the group, apart from every device\'s; slots and lists stay per worker', async (t) => {
  const { states: [a, b] } = group(2, { now: () => 0 })
  if (a === undefined || b === undefined) throw new Error('two workers')
  t.equal(await a.rate.takeGlobal(1, 2), 0, 'first token (worker 1)')
  t.equal(await b.rate.takeGlobal(1, 2), 0, 'second token (worker 2)')
  t.equal(await a.rate.takeGlobal(1, 2), 2000, 'the group\'s bucket is empty (and now in debt): a token is back in 2 s')
  t.equal(await b.rate.take('k', 1, 2), 0, 'a device\'s bucket is another one')
  t.equal(await a.slots.touch('u', 'D', 0, { ttl: 1000, maxPerUser: 2 }), undefined, 'no shared slots without Redis: the controller stays local')
  t.equal(await a.lists.meta('x'), undefined, 'no shared list copy without Redis: each worker fetches')
})

t.test('the charges of one event-loop turn cross IPC as one message, each answered in order', async (t) => {
  // The primary's clock is injected: it reads it once per charge, and a wall clock that moves a
  // millisecond between dev1's two charges refills it a little (2000 ms answered as 1998).
  let now = 0
  const { states: [a], sent } = group(1, { now: () => now })
  if (a === undefined) throw new Error('one worker')
  // Three requests in one turn: each charges its device and the global bucket (burst 1 for dev1).
  const answers = await Promise.all([a.rate.take('dev1', 1, 1), a.rate.takeGlobal(100, 10), a.rate.take('dev1', 1, 1), a.rate.take('dev2', 1, 1)])
  t.same(answers, [0, 0, 2000, 0], 'dev1\'s second charge is in debt: 2 s until a token is back; the others pass')
  const rates = sent.filter((m) => m.t === 'gw:rates')
  t.equal(rates.length, 1, 'one message for the turn')
  t.equal((rates[0]?.q as unknown[] | undefined)?.length, 4, 'carrying the four charges')
  now += 500
  const later = await a.rate.take('dev2', 1, 1)
  t.equal(later, 1500, 'a later turn sends its own message, answered: dev2 refilled half a token in 500 ms, now in debt by half, 1.5 s until a token is back')
  t.equal(sent.filter((m) => m.t === 'gw:rates').length, 2)
})
