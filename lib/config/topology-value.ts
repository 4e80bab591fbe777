import { parseDuration, type DurationUnit } from './duration.js'

/** A timer value in milliseconds, or `none` (no timer at all) or `unknown` (no reliable value). */
export type TimerValue = number | 'none' | 'unknown'

/** How a vendor reads a bare number in its own configuration. */
export type TimerUnit = Exclude<DurationUnit, 'd'>

const CLOCK = /^(\d+):(\d{1,2}):(\d{1,2})$/

/** What a setting accepts besides durations with a unit. */
export interface ValueRules {
  /** Unit of a bare number (`proxy_read_timeout 60` is seconds, `timeout server 60` is milliseconds). */
  readonly unit?: TimerUnit
  /** Literal values that switch the timer off (`indefinite`, `0`). */
  readonly off?: readonly string[]
  /** Named values (`Default`, `Long`), compared case-insensitively. */
  readonly choices?: Readonly<Record<string, number>>
}

/**
 * Parses a timeout the way its vendor writes it: a duration with a unit (`90s`, `61m`), a bare
 * number in the vendor's unit, an `h:mm:ss` clock (Cisco ASA, IIS), an off word, or a named
 * choice. Returns milliseconds, `none`, or an error naming what would have been accepted.
 */
export function parseTimerValue (input: unknown, rules: ValueRules = {}): { value: number | 'none' } | { error: string } {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : undefined
  if (text === undefined || text === '') return { error: 'expected a timeout such as 90s, 61m or 1h' }
  if (rules.off?.some((o) => o.toLowerCase() === text.toLowerCase()) === true) return { value: 'none' }
  if (rules.choices !== undefined) {
    const hit = Object.entries(rules.choices).find(([k]) => k.toLowerCase() === text.toLowerCase())
    if (hit !== undefined) return { value: hit[1] }
    return { error: `"${text}" is not one of ${Object.keys(rules.choices).join(', ')}` }
  }
  const clock = CLOCK.exec(text)
  if (clock !== null) {
    return { value: ((Number(clock[1]) * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1000 }
  }
  // Without config's 7-day cap: vendor ranges go far beyond (Cisco ASA 1193 h, conntrack 5 days, GCP 2^31 s).
  const d = parseDuration(text, { noun: 'timeout', max: Number.MAX_SAFE_INTEGER, ...(rules.unit !== undefined ? { unit: rules.unit } : {}) })
  return 'error' in d ? d : { value: d.ms }
}

/** Parses a catalog bound: a duration with a unit, `none` or `unknown`. */
export function parseCatalogValue (input: unknown): { value: TimerValue } | { error: string } {
  if (input === 'none' || input === 'unknown') return { value: input }
  const r = parseTimerValue(input)
  return 'error' in r ? { error: `${r.error}, or none / unknown` } : r
}
