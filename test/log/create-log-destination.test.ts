import t from 'tap'
import { createLogDestination, createLogger, type LogClock, type LogWrite } from '../../lib/log/index.js'

/** A clock whose time moves only when the test says so. */
function fakeClock (): LogClock & { advance (ms: number): void, pending (): number } {
  let now = 0
  let seq = 0
  const timers = new Map<number, { at: number, fn: () => void }>()
  return {
    now: () => now,
    setTimeout (fn, ms) { timers.set(++seq, { at: now + ms, fn }); return seq },
    clearTimeout (h) { timers.delete(h as number) },
    advance (ms) {
      const end = now + ms
      for (;;) {
        const due = [...timers].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
        if (due === undefined) break
        timers.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      now = end
    },
    pending: () => timers.size
  }
}

type Done = Parameters<LogWrite>[1]

/** A writer that records each call and lets the test answer it (or answers at once with `auto`). */
function fakeWriter (auto?: (data: Buffer) => [NodeJS.ErrnoException | null, number?]) {
  const calls: { data: string, done: Done }[] = []
  const write: LogWrite = (data, done) => {
    calls.push({ data: data.toString(), done })
    if (auto !== undefined) { const [err, n] = auto(data); done(err, n) }
  }
  return { write, calls, written: () => calls.map((c) => c.data).join('') }
}

const fail = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code })
const line = (i: number, size = 100): string => JSON.stringify({ i, pad: 'x'.repeat(Math.max(0, size - 20)) }).slice(0, size - 1).padEnd(size - 1, 'x') + '\n'

t.test('batches: one write per minLength bytes (64 KiB by default), or after 250 ms for a quiet log', async (t) => {
  const clock = fakeClock()
  const ok = fakeWriter((d) => [null, d.length])
  const d = createLogDestination({ write: ok.write, clock })
  for (let i = 0; i < 655; i++) d.write(line(i))
  t.equal(ok.calls.length, 0, '65500 bytes: still batched')
  d.write(line(655))
  t.equal(ok.calls.length, 1, 'past 65536 bytes: written at once, in one write')
  t.equal(ok.calls[0]?.data.length, 65_600, 'every line of the batch')
  d.close()
})

t.test('batches: one write per ~4 KiB with minLength 4096, or after 250 ms for a quiet log; flush() writes at once', async (t) => {
  const clock = fakeClock()
  const out = fakeWriter(() => [null, undefined])
  const ok = fakeWriter((d) => [null, d.length])
  const d = createLogDestination({ write: ok.write, clock, minLength: 4096 })
  for (let i = 0; i < 40; i++) d.write(line(i))
  t.equal(ok.calls.length, 0, '4000 bytes: still batched')
  d.write(line(40))
  t.equal(ok.calls.length, 1, 'past 4096 bytes: written at once, in one write')
  t.equal(ok.calls[0]?.data.split('\n').length, 42, '41 lines in that write')
  d.write(line(41))
  clock.advance(249)
  t.equal(ok.calls.length, 1, 'a quiet line waits for the flush interval')
  clock.advance(1)
  t.equal(ok.calls.length, 2, 'and is written after 250 ms')
  d.write(line(42))
  let flushed = false
  d.flush(() => { flushed = true })
  t.equal(ok.calls.length, 3, 'flush() writes at once (the "listening" line)')
  t.ok(flushed, 'flush callback once written')
  t.equal(d.dropped, 0)
  t.equal(out.calls.length, 0)
})

for (const code of ['ENOSPC', 'EIO', 'EPIPE', 'EBADF']) {
  t.test(`${code}: the batch's lines are dropped and counted, never retried; later batches are tried`, async (t) => {
    const clock = fakeClock()
    let failing = true
    const out = fakeWriter((data) => failing ? [fail(code)] : [null, data.length])
    const err = fakeWriter((data) => [null, data.length])
    const d = createLogDestination({ write: out.write, report: err.write, clock })
    for (let i = 0; i < 3; i++) d.write(line(i))
    clock.advance(250)
    t.equal(out.calls.length, 1, 'tried once')
    t.equal(d.dropped, 3, 'three lines dropped')
    clock.advance(10_000)
    t.equal(out.calls.length, 1, 'not retried')
    t.equal(err.written(), `eas-gateway: 3 log lines dropped: ${code}\n`, 'reported on stderr with the code')
    failing = false
    d.write(line(3))
    clock.advance(250)
    t.equal(out.calls.length, 2, 'the next batch is tried')
    t.equal(out.calls[1]?.data, line(3), 'and written when the destination works again')
    t.equal(d.dropped, 3)
  })
}

t.test('a short write, then ENOSPC: the rest is dropped, the cut line counted', async (t) => {
  const clock = fakeClock()
  const answers: [NodeJS.ErrnoException | null, number?][] = [[null, 150], [fail('ENOSPC')]]
  const out = fakeWriter(() => answers.shift() ?? [null, 0])
  const d = createLogDestination({ write: out.write, report: fakeWriter(() => [null, 0]).write, clock })
  for (let i = 0; i < 3; i++) d.write(line(i))
  d.flush()
  t.equal(out.calls.length, 2, 'the remainder was tried once')
  t.equal(out.calls[1]?.data, (line(0) + line(1) + line(2)).slice(150), 'from where the short write stopped')
  t.equal(d.dropped, 2, 'line 1 (cut) and line 2 dropped; line 0 went out')
})

t.test('EAGAIN: the batch is kept and retried after the flush interval, nothing dropped', async (t) => {
  const clock = fakeClock()
  const answers: [NodeJS.ErrnoException | null, number?][] = [[fail('EAGAIN')], [fail('EAGAIN')]]
  const out = fakeWriter((data) => answers.shift() ?? [null, data.length])
  const d = createLogDestination({ write: out.write, clock })
  d.write(line(0))
  d.flush()
  t.equal(out.calls.length, 1)
  d.write(line(1))
  d.flush()
  t.equal(out.calls.length, 1, 'no busy retry: neither a new line nor flush() writes before the retry time')
  clock.advance(250)
  t.equal(out.calls.length, 2, 'retried after 250 ms (EAGAIN again)')
  clock.advance(250)
  t.equal(out.calls.length, 4, 'then written, and the flushed line that came meanwhile right after it')
  t.equal(out.calls[2]?.data, line(0))
  t.equal(out.calls[3]?.data, line(1))
  t.equal(d.dropped, 0)
})

t.test('a write that never returns: one write in flight, memory capped, lines beyond it dropped', async (t) => {
  const clock = fakeClock()
  const out = fakeWriter() // never calls back
  const err = fakeWriter((data) => [null, data.length])
  const d = createLogDestination({ write: out.write, report: err.write, clock, maxBuffered: 10_000, minLength: 4096 })
  for (let i = 0; i < 200; i++) d.write(line(i)) // 20 000 bytes
  clock.advance(5000)
  t.equal(out.calls.length, 1, 'only the first batch went to the stuck write')
  const inFlight = out.calls[0]?.data.length ?? 0
  t.ok(inFlight >= 4096, 'the first batch')
  t.equal(d.dropped, 200 - 10_000 / 100, `${10_000} bytes held (in flight included), the other lines dropped`)
  t.match(err.written(), /^eas-gateway: 100 log lines dropped: buffer_full\n$/)
  let called: Error | undefined | null = null
  d.flush((e) => { called = e })
  t.equal(called, null, 'flush waits for the stuck write ...')
  clock.advance(2000)
  t.match(called, { code: 'ETIMEDOUT' }, '... for flushTimeout at most, then calls back with an error')
  out.calls[0]?.done(null, inFlight)
  t.equal(out.calls.length, 2, 'when the write returns, the held lines follow')
})

t.test('reports at most once per interval, with the count since the last report', async (t) => {
  const clock = fakeClock()
  const out = fakeWriter(() => [fail('ENOSPC')])
  const err = fakeWriter((data) => [null, data.length])
  const d = createLogDestination({ write: out.write, report: err.write, clock, reportInterval: 60_000 })
  d.write(line(0)); d.flush()
  clock.advance(0)
  t.equal(err.calls.length, 1, 'the first drop is reported at once')
  for (let i = 0; i < 5; i++) { d.write(line(i)); d.flush(); clock.advance(1000) }
  clock.advance(54_999)
  t.equal(err.calls.length, 1, 'nothing more within the interval')
  clock.advance(1)
  t.equal(err.calls.length, 2, 'the next report one interval after the first')
  t.equal(err.calls[1]?.data, 'eas-gateway: 5 log lines dropped: ENOSPC\n')
  t.equal(d.dropped, 6, 'the metric counts every line')
  clock.advance(600_000)
  t.equal(err.calls.length, 2, 'no report without new drops')
  d.write(line(9)); d.flush()
  d.close()
  t.equal(err.calls.length, 3, 'close() reports what was not reported yet')
  t.equal(clock.pending(), 0, 'and leaves no timer behind')
})

t.test('stderr failing, throwing or hanging never throws and never stacks reports', async (t) => {
  const clock = fakeClock()
  const out = fakeWriter(() => [fail('EIO')])
  let reports = 0
  const throwing = createLogDestination({ write: out.write, report: () => { reports++; throw fail('EBADF') }, clock, reportInterval: 1000 })
  throwing.write(line(0)); throwing.flush()
  t.doesNotThrow(() => { clock.advance(0) }, 'a throwing stderr is ignored')
  const failing = createLogDestination({ write: out.write, report: (_d, done) => { reports++; done(fail('ENOSPC')) }, clock, reportInterval: 1000 })
  failing.write(line(0)); failing.flush()
  t.doesNotThrow(() => { clock.advance(0) })
  t.equal(reports, 2)
  const hung = fakeWriter()
  const hanging = createLogDestination({ write: out.write, report: hung.write, clock, reportInterval: 1000 })
  for (let i = 0; i < 5; i++) { hanging.write(line(i)); hanging.flush(); clock.advance(1000) }
  t.equal(hung.calls.length, 1, 'a report hanging on stderr: no second one in flight')
  hung.calls[0]?.done(null, 1)
  hanging.write(line(9)); hanging.flush(); clock.advance(1000)
  t.equal(hung.calls.length, 2, 'once it returned, reports resume')
  t.match(hung.calls[1]?.data, /: [56] log lines dropped: EIO\n$/, 'with the drops counted meanwhile')
})

t.test('pino: logger.flush() reaches the destination; a writer that throws costs lines, not the caller', async (t) => {
  const clock = fakeClock()
  const throwing = createLogDestination({ write: () => { throw fail('EBADF') }, report: () => {}, clock })
  const log = createLogger({ destination: throwing })
  t.doesNotThrow(() => { log.info('a'); log.flush() })
  t.equal(throwing.dropped, 1)
  const ok = fakeWriter((data) => [null, data.length])
  const log2 = createLogger({ destination: createLogDestination({ write: ok.write, clock }) })
  log2.info('listening')
  t.equal(ok.calls.length, 0, 'batched')
  log2.flush()
  t.match(ok.written(), /"msg":"listening"/, 'written by logger.flush()')
})

t.test('a drain-sized burst within one tick fits the default cap: nothing dropped on a working destination', async (t) => {
  // regression: #9 (with a 1 MiB cap, draining 7000 held Pings dropped 3882 access lines on a healthy file)
  let bytes = 0
  const d = createLogDestination({ write: (data, done) => { setImmediate(() => { bytes += data.length; done(null, data.length) }) } })
  for (let i = 0; i < 10_000; i++) d.write(line(i, 300)) // maxHeldPings' default: one access line each
  await new Promise<void>((resolve) => { d.flush(() => { resolve() }) })
  t.equal(d.dropped, 0)
  t.equal(bytes, 10_000 * 300, 'every line written')
  d.close()
})

t.test('lines are encoded into chunks as they come: any UTF-8, a line longer than a chunk, the order kept', async (t) => {
  const clock = fakeClock()
  const ok = fakeWriter((d) => [null, d.length])
  // minLength 4096: chunks of 32 KiB, so 3,000 lines cross many chunk boundaries while a write is in flight.
  const d = createLogDestination({ write: ok.write, clock, minLength: 4096 })
  const lines: string[] = []
  for (let i = 0; i < 3000; i++) {
    const s = i % 1000 === 500
      ? `{"i":${i},"big":"${'é€😀x'.repeat(12_000)}"}\n` // 108,000 UTF-16 units, 132 KB of UTF-8: its own chunk
      : `{"i":${i},"s":"${i % 3 === 0 ? 'ascii' : i % 3 === 1 ? 'Zürich €' : '😀 emoji'}"}\n`
    lines.push(s)
    d.write(s)
  }
  d.flush()
  t.equal(ok.written(), lines.join(''), 'the same text, byte for byte, in order')
  t.equal(d.dropped, 0)
  t.ok(ok.calls.length > 10, `written in batches (${ok.calls.length} writes)`)
  d.close()
})

t.test('a line dropped at the memory cap leaves no bytes behind: the next line takes its place', async (t) => {
  const clock = fakeClock()
  const out = fakeWriter() // answered by hand
  const d = createLogDestination({ write: out.write, report: fakeWriter((data) => [null, data.length]).write, clock, maxBuffered: 10_000, minLength: 4096 })
  for (let i = 0; i < 41; i++) d.write(line(i)) // 4,100 bytes: the first write, in flight
  t.equal(out.calls.length, 1)
  for (let i = 41; i < 100; i++) d.write(line(i)) // 5,900 more: 10,000 held
  d.write(line(100, 200)) // over the cap: dropped
  t.equal(d.dropped, 1)
  out.calls[0]?.done(null, 4100)
  t.equal(out.calls[1]?.data, Array.from({ length: 59 }, (_, k) => line(41 + k)).join(''), 'the held lines 41-99 follow in one write, nothing of line 100')
  const short = line(101, 50)
  d.write(short)
  out.calls[1]?.done(null, out.calls[1].data.length)
  d.flush()
  t.equal(out.calls[2]?.data, short, 'the next line starts clean where line 100 was encoded and not kept')
  d.close()
})
