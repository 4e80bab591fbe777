import { EventEmitter } from 'node:events'

/** One parsed pino line. */
export type LogLine = Record<string, unknown> & { readonly msg?: string, readonly level?: string }

/**
 * An in-memory pino destination (pino `test/helper.js` sink): keeps every raw line, parses them as
 * JSON, and lets a test wait for a line by predicate (an event, never a sleep).
 */
export interface LogSink {
  /** The stream handed to createLogger({ destination }). */
  readonly stream: { write (msg: string): void }
  /** Every raw line written so far, unparsed (for "this string never appears" checks). */
  readonly raw: readonly string[]
  /** Every line, parsed. */
  lines (): LogLine[]
  /** The access-log lines (`"msg":"request"`). */
  accessLines (): LogLine[]
  /** Resolves with the first line (already written or future) matching `pred`; rejects after timeoutMs. */
  waitFor (pred: (l: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>
  /** Resolves once `n` access lines have been written; rejects after timeoutMs. */
  waitForAccessLines (n: number, timeoutMs?: number): Promise<LogLine[]>
}

/** Creates a {@link LogSink}. */
export function createLogSink (): LogSink {
  const raw: string[] = []
  const parsed: LogLine[] = []
  const events = new EventEmitter()
  const stream = {
    write (msg: string): void {
      for (const text of msg.split('\n')) {
        if (text === '') continue
        raw.push(text)
        const line = JSON.parse(text) as LogLine
        parsed.push(line)
        events.emit('line', line)
      }
    }
  }
  const waitFor = async (pred: (l: LogLine) => boolean, timeoutMs = 5000, what = 'a matching log line'): Promise<LogLine> => {
    const hit = parsed.find(pred)
    if (hit !== undefined) return hit
    return await new Promise<LogLine>((resolve, reject) => {
      const onLine = (l: LogLine): void => {
        if (!pred(l)) return
        clearTimeout(timer)
        events.off('line', onLine)
        resolve(l)
      }
      const timer = setTimeout(() => {
        events.off('line', onLine)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; lines so far:\n${raw.join('\n')}`))
      }, timeoutMs)
      events.on('line', onLine)
    })
  }
  const accessLines = (): LogLine[] => parsed.filter((l) => l.msg === 'request')
  return {
    stream,
    raw,
    lines: () => [...parsed],
    accessLines,
    waitFor,
    async waitForAccessLines (n, timeoutMs = 5000) {
      let seen = 0
      await waitFor((l) => l.msg === 'request' && ++seen >= n, timeoutMs, `${n} access line(s)`)
      return accessLines()
    }
  }
}
