import t from 'tap'
import { createDropReporter } from '../../lib/log/create-drop-reporter.js'
import type { LogClock, LogWrite } from '../../lib/log/index.js'

function manualClock (): LogClock & { fire (): void, now0: (ms: number) => void } {
  let now = 0
  let pending: (() => void) | undefined
  return {
    now: () => now,
    setTimeout (fn) { pending = fn; return 1 },
    clearTimeout () { pending = undefined },
    fire () { const f = pending; pending = undefined; f?.() },
    now0 (ms) { now = ms }
  }
}

t.test('several codes in one report, each with its count; the metric total keeps growing', async (t) => {
  const clock = manualClock()
  const out: string[] = []
  const report: LogWrite = (data, done) => { out.push(data.toString()); done(null, data.length) }
  const r = createDropReporter({ report, interval: 60_000, clock })
  r.drop(2, 'ENOSPC')
  clock.fire()
  r.drop(3, 'ENOSPC')
  r.drop(1, 'buffer_full')
  clock.now0(60_000)
  clock.fire()
  t.same(out, ['eas-gateway: 2 log lines dropped: ENOSPC\n', 'eas-gateway: 4 log lines dropped: ENOSPC 3, buffer_full 1\n'])
  t.equal(r.dropped, 6)
  r.close()
  t.equal(out.length, 2, 'close() with nothing new reports nothing')
})
