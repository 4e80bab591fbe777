import t from 'tap'
import { pino } from 'pino'
import { createIsoTime, createLogger, REDACT_PATHS } from '../../lib/log/index.js'
import { createLogSink } from '../helpers/log-sink.js'

t.test('JSON lines with a string level, ISO time and the gateway name', async (t) => {
  const sink = createLogSink()
  const log = createLogger({ destination: sink.stream })
  log.info({ reqId: 'r1' }, 'hello')
  const [line] = sink.lines()
  t.match(line, { level: 'info', name: 'eas-gateway', reqId: 'r1', msg: 'hello', time: /^\d{4}-\d\d-\d\dT/ })
})

t.test('the time field is pino\'s isoTime to the byte, its text reused within one millisecond', async (t) => {
  let now = Date.UTC(2026, 11, 4, 16, 23, 37, 324)
  const realNow = Date.now
  const time = createIsoTime(() => now)
  t.equal(time(), ',"time":"2026-12-04T16:23:37.324Z"')
  t.equal(time(), ',"time":"2026-12-04T16:23:37.324Z"', 'same millisecond: same text')
  now += 1
  t.equal(time(), ',"time":"2026-12-04T16:23:37.325Z"', 'the next millisecond: new text')
  // pino's own isoTime reads Date.now(): both agree for the same instant.
  Date.now = () => now
  try { t.equal(createIsoTime(Date.now)(), pino.stdTimeFunctions.isoTime()) } finally { Date.now = realNow }
})

t.test('level: debug lines only when asked for', async (t) => {
  const quiet = createLogSink()
  createLogger({ destination: quiet.stream }).debug('hidden')
  t.equal(quiet.raw.length, 0)
  const loud = createLogSink()
  createLogger({ level: 'debug', destination: loud.stream }).debug('shown')
  t.equal(loud.raw.length, 1)
})

t.test('credentials are redacted at construction wherever a header object is logged', async (t) => {
  const sink = createLogSink()
  const log = createLogger({ destination: sink.stream })
  const secret = 'Basic YWxpY2U6UzNjcmV0LVBhc3N3MHJkIQ=='
  log.info({ req: { headers: { authorization: secret, 'proxy-authorization': secret, cookie: 'sid=s3cret' } } }, 'req')
  log.info({ res: { headers: { 'set-cookie': 'sid=s3cret' } } }, 'res')
  log.info({ headers: { authorization: secret, cookie: 'sid=s3cret' } }, 'headers')
  log.info({ authorization: secret, cookie: 'sid=s3cret' }, 'top level')
  t.equal(sink.raw.length, 4)
  for (const raw of sink.raw) {
    t.notMatch(raw, /YWxpY2U6|s3cret/, `no credential in: ${raw}`)
    t.match(raw, /\[redacted\]/)
  }
  t.ok(REDACT_PATHS.includes('req.headers.authorization'))
})
