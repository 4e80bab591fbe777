/**
 * Durations as users write them: `250ms`, `90s`, `61m`, `1h`, or compounds such as `1h30m`.
 * A bare number is refused on purpose: `60` could mean seconds or milliseconds, and a wrong guess
 * here is exactly the kind of mistake that kills Pings.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y
const MAX_MS = 7 * 24 * 3_600_000

/** Parses a duration; returns milliseconds, or an error message naming what is wrong. */
export function parseDuration (input: unknown): { ms: number } | { error: string } {
  if (typeof input === 'number') {
    return { error: `duration ${input} has no unit: write e.g. ${input}s, ${input}m or ${input}ms` }
  }
  if (typeof input !== 'string' || input.trim() === '') {
    return { error: 'expected a duration such as 250ms, 90s, 61m or 1h' }
  }
  const text = input.trim()
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex
    const m = PART.exec(text)
    if (m === null) {
      return { error: `invalid duration "${text}" at "${text.slice(at)}": use ms, s, m or h (e.g. 90s, 61m, 1h30m)` }
    }
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
  }
  if (!Number.isFinite(total) || total > MAX_MS) return { error: `duration "${text}" is longer than 7 days` }
  return { ms: Math.round(total) }
}

/** Formats milliseconds the way a user would write them (`3540s`, `61m`, `250ms`). */
export function formatDuration (ms: number): string {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
