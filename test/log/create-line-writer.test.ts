import { tracingChannel } from 'node:diagnostics_channel'
import t from 'tap'
import { pino, type Logger } from 'pino'
import { createLineWriter, createLogger, type LineField } from '../../lib/log/index.js'
import { createLogSink } from '../helpers/log-sink.js'

interface Src { readonly [k: string]: unknown }
const KEYS = ['http.request.id', 'trace.id', 'http.response.status_code', 'event.duration', 'user_agent.original', 'user.name', 'eas.outcome', 'eas.ping.status']
const FIELDS: LineField<Src>[] = KEYS.map((k) => [k, (s) => s[k]])

const SAMPLES: Src[] = [
  { 'http.request.id': 'r-1', 'http.response.status_code': 200, 'event.duration': 24652931, 'user_agent.original': 'Apple-iPhone/1705.20', 'user.name': 'bench', 'eas.outcome': 'completed' },
  { 'http.request.id': 'r-2', 'user_agent.original': 'Outlook "quoted" \\ back\\slash', 'user.name': 'DOMAIN\\jürgen', 'eas.outcome': 'upstream_reset' },
  { 'http.request.id': 'r-3', 'user_agent.original': 'ctl\u0001\ttab\nnewline\u001f\u007f', 'user.name': 'ü€漢字' },
  { 'http.request.id': 'r-4', 'user_agent.original': 'emoji 😀 pair', 'user.name': 'lone \ud800 high', 'eas.outcome': 'x\udc00' },
  { 'http.request.id': 'r-5', 'user_agent.original': 'A'.repeat(150), 'user.name': `${'B'.repeat(120)}"`, 'trace.id': `${'C'.repeat(120)}\u0002` },
  { 'http.request.id': 'r-6', 'http.response.status_code': 0, 'event.duration': -0, 'eas.ping.status': 1.5 },
  { 'http.request.id': 'r-7', 'http.response.status_code': Number.NaN, 'event.duration': Infinity, 'eas.ping.status': 1e21 },
  { 'http.request.id': 'r-8', 'eas.ping.status': true, 'user.name': '' },
  { 'http.request.id': 'r-9', 'eas.ping.status': { nested: 'object' } },
  {}
]

/** A logger whose serialisations through pino's generic path are counted. */
function counted (logger: Logger): { logger: Logger, calls: () => number } {
  const sym = pino.symbols.asJsonSym
  const l = logger as unknown as Record<symbol, (...a: unknown[]) => string>
  const orig = l[sym] as (...a: unknown[]) => string
  let n = 0
  l[sym] = function (this: unknown, ...a: unknown[]) { n++; return orig.apply(this, a) }
  return { logger, calls: () => n }
}

const noTime = (line: string): string => line.replace(/"time":("[^"]*"|\d+)/, '"time":"T"')

/** Lines from pino's own `logger[level](object, msg)` and from the writer, for every sample at both levels. */
function both (make: (stream: { write (s: string): void }) => Logger): { ref: string[], out: string[], generic: number } {
  const ref = createLogSink()
  const refLog = make(ref.stream)
  const sink = createLogSink()
  const { logger, calls } = counted(make(sink.stream))
  const write = createLineWriter(logger, FIELDS, 'request')
  for (const level of ['info', 'warn'] as const) {
    for (const s of SAMPLES) {
      const o: Record<string, unknown> = {}
      for (const k of KEYS) o[k] = s[k]
      refLog[level](o, 'request')
      write(level, s)
    }
  }
  return { ref: ref.raw.map(noTime), out: sink.raw.map(noTime), generic: calls() }
}

t.test('the writer\'s lines are pino\'s, byte for byte: quotes, control characters, unicode, surrogates, long strings, odd numbers, absent fields', async (t) => {
  const { ref, out, generic } = both((stream) => createLogger({ destination: stream }))
  t.equal(ref.length, SAMPLES.length * 2)
  t.same(out, ref)
  t.match(out[0], /^\{"level":"info","time":"T","name":"eas-gateway","http\.request\.id":"r-1","http\.response\.status_code":200,/)
  t.match(out[SAMPLES.length], /^\{"level":"warn",/)
  // Plain strings and numbers: written without pino's generic path; the rest went through it.
  const handedOver = SAMPLES.filter((s) => Object.values(s).some((v) => (typeof v === 'string' && /[\u0000-\u001f"\\\ud800-\udfff]/.test(v)) || (typeof v !== 'string' && typeof v !== 'number'))).length // eslint-disable-line no-control-regex
  t.equal(handedOver, 6)
  t.equal(generic, handedOver * 2, 'only the samples with a value needing escapes (or not a string or number) went through pino\'s serialiser')
})

t.test('a child logger\'s bindings (a worker\'s id and pid) come first, as pino writes them', async (t) => {
  const { ref, out } = both((stream) => createLogger({ destination: stream }).child({ worker: 2, pid: 4242 }))
  t.same(out, ref)
  t.match(out[0], /"name":"eas-gateway","worker":2,"pid":4242,"http\.request\.id":"r-1"/)
})

t.test('loggers the writer cannot mirror (mixin, hooks, formatters.log, message prefix, nested key, a serializer on a key) get pino\'s own lines', async (t) => {
  const opts: Record<string, pino.LoggerOptions> = {
    mixin: { mixin: () => ({ extra: 1 }) },
    logMethod: { hooks: { logMethod (args, method) { method.apply(this, args) } } },
    streamWrite: { hooks: { streamWrite: (s) => s.replace('request', 'REQUEST') } },
    formatters: { formatters: { log: (o) => ({ ...o, formatted: true }) } },
    msgPrefix: { msgPrefix: '[p] ' },
    nestedKey: { nestedKey: 'payload' },
    serializer: { serializers: { 'user.name': () => 'someone' } },
    redactWildcard: { redact: ['*'] }
  }
  for (const [name, o] of Object.entries(opts)) {
    const { ref, out, generic } = both((stream) => pino(o, stream))
    t.same(out, ref, name)
    t.equal(generic, SAMPLES.length * 2, `${name}: every line through pino`)
  }
})

t.test('levels: a logger at warn writes no info lines; a level changed later is honoured', async (t) => {
  const sink = createLogSink()
  const logger = createLogger({ level: 'warn', destination: sink.stream })
  const write = createLineWriter(logger, FIELDS, 'request')
  write('info', SAMPLES[0] as Src)
  t.equal(sink.raw.length, 0, 'info at warn: nothing')
  write('warn', SAMPLES[0] as Src)
  t.equal(sink.raw.length, 1)
  logger.level = 'error'
  write('warn', SAMPLES[0] as Src)
  t.equal(sink.raw.length, 1, 'warn at error: nothing')
  logger.level = 'debug'
  write('info', SAMPLES[0] as Src)
  t.equal(sink.lines()[1]?.level, 'info')
})

t.test('a subscriber to pino\'s asJson tracing channel sees every line (the writer hands them to pino)', async (t) => {
  const chan = tracingChannel('pino_asJson')
  let seen = 0
  const handlers = { start () { seen++ }, end () {}, asyncStart () {}, asyncEnd () {}, error () {} }
  chan.subscribe(handlers)
  t.teardown(() => { chan.unsubscribe(handlers) })
  const sink = createLogSink()
  const write = createLineWriter(createLogger({ destination: sink.stream }), FIELDS, 'request')
  write('info', SAMPLES[0] as Src)
  t.equal(seen, 1)
  t.equal(sink.raw.length, 1)
})
