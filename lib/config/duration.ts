/**
 * The one duration parser: `250ms`, `90s`, `61m`, `1h`, `2d`, or compounds such as `1h30m`. Config
 * files and topology files both read durations through it; they differ only in their bounds.
 * A bare number is refused unless the caller names its unit: `60` could mean seconds or
 * milliseconds, and a wrong guess here is exactly the kind of mistake that kills Pings.
 */

/** A unit a duration may be written in. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd'

/** Milliseconds per unit. */
export const UNIT_MS: Readonly<Record<DurationUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y
const BARE = /^\d+(\.\d+)?$/

/** Longest duration a gateway config accepts. Default of `DurationOptions.max`. */
export const MAX_CONFIG_DURATION_MS = 7 * 86_400_000

/** How one kind of file reads durations. */
export interface DurationOptions {
  /** Unit of a bare number; absent: a bare number is an error. */
  readonly unit?: DurationUnit
  /** Largest accepted value (ms). Default: 7 days */
  readonly max?: number
  /** What the value is called in messages. Default: `duration` */
  readonly noun?: string
}

/** Parses a duration; returns milliseconds, or an error message naming what would be accepted. */
export function parseDuration (input: unknown, options: DurationOptions = {}): { ms: number } | { error: string } {
  const noun = options.noun ?? 'duration'
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : ''
  if (text === '') return { error: `expected a ${noun} such as 250ms, 90s, 61m or 1h` }
  let total = 0
  if (BARE.test(text)) {
    if (options.unit === undefined) return { error: `${text} has no unit: write e.g. ${text}s, ${text}m or ${text}ms` }
    total = Number(text) * UNIT_MS[options.unit]
  } else {
    PART.lastIndex = 0
    while (PART.lastIndex < text.length) {
      const at = PART.lastIndex
      const m = PART.exec(text)
      if (m === null) return { error: `invalid ${noun} "${text}" at "${text.slice(at)}": use ms, s, m, h or d (e.g. 90s, 61m, 1h30m)` }
      total += Number(m[1]) * unitMs(m[2])
    }
  }
  const max = options.max ?? MAX_CONFIG_DURATION_MS
  if (!Number.isSafeInteger(Math.round(total)) || total > max) {
    return { error: max === MAX_CONFIG_DURATION_MS ? `${noun} "${text}" is longer than 7 days` : `${noun} "${text}" is too large` }
  }
  return { ms: Math.round(total) }
}

function unitMs (unit: string | undefined): number {
  switch (unit) {
    case 'ms': return 1
    case 's': return UNIT_MS.s
    case 'm': return UNIT_MS.m
    case 'h': return UNIT_MS.h
    default: return UNIT_MS.d
  }
}

/** Formats milliseconds the way a user would write them (`3540s`, `61m`, `250ms`). */
export function formatDuration (ms: number): string {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
