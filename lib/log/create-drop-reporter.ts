import type { LogClock, LogWrite } from './create-log-destination.js'

/** Counts dropped log lines and reports them on stderr, at most once per interval. */
export interface DropReporter {
  /** Counts `lines` dropped for `code` (ENOSPC, EPIPE, buffer_full, ...) and schedules a report. */
  drop (lines: number, code: string): void
  /** Lines dropped so far. */
  readonly dropped: number
  /** Stops the timer and reports what is not reported yet. */
  close (): void
}

/**
 * The first drop is reported at once, later ones at most once per `interval`, as
 * `eas-gateway: N log lines dropped: ENOSPC` (or `ENOSPC 10, buffer_full 2` for several codes).
 * A report that throws or fails is ignored; one still hanging keeps its counts for the next, so
 * reports never pile up on a stuck stderr.
 */
export function createDropReporter (opts: { readonly report: LogWrite, readonly interval: number, readonly clock: LogClock }): DropReporter {
  const { report, interval, clock } = opts
  let dropped = 0
  const unreported = new Map<string, number>()
  let lastReportAt = -Infinity
  let timer: unknown
  let reporting = false

  const send = (): void => {
    timer = undefined
    if (unreported.size === 0 || reporting) return
    const total = [...unreported.values()].reduce((a, b) => a + b, 0)
    const codes = unreported.size === 1 ? [...unreported.keys()].join('') : [...unreported].map(([c, n]) => `${c} ${n}`).join(', ')
    unreported.clear()
    lastReportAt = clock.now()
    reporting = true
    try {
      report(Buffer.from(`eas-gateway: ${total} log lines dropped: ${codes}\n`), () => { reporting = false })
    } catch { reporting = false }
  }

  return {
    drop (lines, code) {
      dropped += lines
      unreported.set(code, (unreported.get(code) ?? 0) + lines)
      timer ??= clock.setTimeout(send, Math.max(0, lastReportAt + interval - clock.now()))
    },
    get dropped () { return dropped },
    close () {
      if (timer !== undefined) clock.clearTimeout(timer)
      send()
    }
  }
}
