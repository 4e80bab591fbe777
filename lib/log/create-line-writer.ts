import { tracingChannel } from 'node:diagnostics_channel'
import { pino, type Logger } from 'pino'

/** One field of a line: its key and how its value is read from the line's source (undefined: left out, as pino leaves it out). */
export type LineField<T> = readonly [key: string, value: (src: T) => unknown]

/** Writes one kind of log line, its fields read from `src`. */
export type LineWriter<T> = (level: 'info' | 'warn', src: T) => void

/** pino's state on a logger, read through `pino.symbols` (its documented door for integrations). */
const SYM = pino.symbols as unknown as Readonly<Record<
  'serializersSym' | 'stringifiersSym' | 'hooksSym' | 'formattersSym' | 'messageKeySym' | 'streamSym' | 'mixinSym' | 'nestedKeySym' |
  'msgPrefixSym' | 'needsMetadataGsym' | 'wildcardFirstSym' | 'errorKeySym' | 'lsCacheSym' | 'timeSym' | 'chindingsSym' | 'endSym', symbol>>

/** pino's tracing channel around each line's serialisation: with a subscriber, pino writes the line. */
const asJsonChannel = tracingChannel('pino_asJson')

/**
 * A string pino's serialiser would not write as `"` + s + `"`: a control character, a quote or
 * backslash (escaped), or a surrogate (a lone one is written differently across Node versions).
 */
// eslint-disable-next-line no-control-regex
const NOT_PLAIN = /[\u0000-\u001f"\\\ud800-\udfff]/

/**
 * The same bytes as `logger[level](object, msg)` with `object` built from `fields` in that order,
 * without the object: pino's generic serialiser makes 4-6 strings per field (the
 * access line: ~4.7 KB of garbage per request, issue #14). The line is written here, by one
 * concatenation with the keys' JSON text made once, to the logger's own stream, with its level,
 * time and bindings. It hands the line to pino (the object, as before) whenever the result could
 * differ: a level off, a value that is not a number or a plain string (see NOT_PLAIN), a logger
 * with a mixin, a log formatter, hooks, serializers or redaction on these keys, a nested key, a
 * message prefix, a stream that wants metadata, or a subscriber to pino's asJson channel.
 */
export function createLineWriter<T> (logger: Logger, fields: readonly LineField<T>[], msg: string): LineWriter<T> {
  const keys = fields.map(([k]) => k)
  const read = fields.map(([, r]) => r)
  const l = logger as unknown as Record<symbol, unknown>
  const serializers = l[SYM.serializersSym] as Record<string, unknown>
  const stringifiers = l[SYM.stringifiersSym] as Record<string | symbol, unknown>
  const hooks = l[SYM.hooksSym] as Record<string, unknown>
  const formatters = l[SYM.formattersSym] as Record<string, unknown>
  const messageKey = l[SYM.messageKeySym] as string
  const stream = l[SYM.streamSym] as { write (s: string): void, [k: symbol]: unknown }
  const touched = [...keys, messageKey]
  // pino's own tests of these are truthiness tests (`if (mixin)`, `if (formatters.log)`, ...).
  const fast = !truthy(l[SYM.mixinSym]) && !truthy(formatters.log) && !truthy(hooks.logMethod) && !truthy(hooks.streamWrite) &&
    !truthy(l[SYM.nestedKeySym]) && typeof l[SYM.msgPrefixSym] !== 'string' && stream[SYM.needsMetadataGsym] !== true &&
    !truthy(stringifiers[SYM.wildcardFirstSym]) && !NOT_PLAIN.test(msg) && !NOT_PLAIN.test(messageKey) &&
    !touched.some((k) => truthy(serializers[k]) || truthy(stringifiers[k]) || k === l[SYM.errorKeySym] || NOT_PLAIN.test(k))
  const key = keys.map((k) => `,"${k}":`)
  const keyQuote = keys.map((k) => `,"${k}":"`)
  const msgText = `,"${messageKey}":"${msg}"`

  const slow = (level: 'info' | 'warn', src: T): void => {
    const o: Record<string, unknown> = {}
    for (const [k, r] of fields) o[k] = r(src)
    logger[level](o, msg)
  }

  return (level, src) => {
    if (!fast || asJsonChannel.hasSubscribers) { slow(level, src); return }
    if (!logger.isLevelEnabled(level)) return
    let s = ''
    for (let i = 0; i < keys.length; i++) {
      const v = (read[i] as (src: T) => unknown)(src)
      if (v === undefined) continue
      if (typeof v === 'string') {
        if (NOT_PLAIN.test(v)) { slow(level, src); return }
        s += keyQuote[i] as string + v + '"'
      } else if (typeof v === 'number') {
        s += key[i] as string + (Number.isFinite(v) ? String(v) : 'null')
      } else {
        slow(level, src)
        return
      }
    }
    const num = logger.levels.values[level] as number
    const head = (l[SYM.lsCacheSym] as Record<number, string>)[num] as string + (l[SYM.timeSym] as () => string).call(logger) + (l[SYM.chindingsSym] as string)
    stream.write(head + s + msgText + (l[SYM.endSym] as string))
  }
}

function truthy (v: unknown): boolean { return Boolean(v) }
