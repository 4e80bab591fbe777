import type { MatchPattern, VersionBound, VersionRange } from './access-policy-types.js'

/** Longest pattern accepted (characters): real ones are short, and a regex's cost grows with it. */
export const MAX_PATTERN_LENGTH = 512

/**
 * Flags a policy regex may carry. `g` and `y` are refused: they make `RegExp.test` stateful
 * (lastIndex), so the same request would match one time and not the next.
 */
const REGEX_FLAGS = /^[imsu]*$/

/** Parses a pattern as written: `/regex/flags`, a glob (`*`, `?`), or an exact value. */
export function parsePattern (text: string): MatchPattern | { error: string } {
  if (text.length > MAX_PATTERN_LENGTH) return { error: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` }
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text)
  if (m !== null && text.length > 1) {
    const source = m[1] ?? ''
    const flags = m[2] ?? ''
    if (source === '') return { error: 'empty regular expression' }
    if (!REGEX_FLAGS.test(flags)) return { error: `regular expression flags "${flags}": only i, m, s and u are allowed (g and y make matching stateful)` }
    try {
      // Compiled here only to report a syntax error at the value; lib/policy compiles its own.
      // eslint-disable-next-line no-new
      new RegExp(source, flags)
    } catch (err) {
      return { error: `invalid regular expression: ${(err as Error).message}` }
    }
    return { kind: 'regex', text, source, flags }
  }
  return { kind: /[*?]/.test(text) ? 'glob' : 'exact', text }
}

const VERSION = /^(\d{1,2})\.(\d)$/

/** `14.1` as 1401; undefined when not an EAS version number. */
export function parseVersion (text: string): number | undefined {
  const m = VERSION.exec(text.trim())
  return m === null ? undefined : Number(m[1]) * 100 + Number(m[2])
}

/** Parses `<14.0`, `<=14.0`, `>12.1`, `>=12.1`, `=14.1`, `14.1` or `14.0-16.1` (inclusive). */
export function parseVersionRange (text: string): VersionRange | { error: string } {
  const t = text.trim()
  const span = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(t)
  if (span !== null) {
    const lo = parseVersion(span[1] ?? '')
    const hi = parseVersion(span[2] ?? '')
    if (lo === undefined || hi === undefined) return { error: rangeError(text) }
    if (lo > hi) return { error: `protocol range "${text}" is empty: ${span[1]} is above ${span[2]}` }
    return { text, min: { version: lo, inclusive: true }, max: { version: hi, inclusive: true } }
  }
  const cmp = /^(<=|>=|<|>|=)?\s*([\d.]+)$/.exec(t)
  const v = cmp === null ? undefined : parseVersion(cmp[2] ?? '')
  if (cmp === null || v === undefined) return { error: rangeError(text) }
  const bound = (inclusive: boolean): VersionBound => ({ version: v, inclusive })
  switch (cmp[1]) {
    case '<': return { text, max: bound(false) }
    case '<=': return { text, max: bound(true) }
    case '>': return { text, min: bound(false) }
    case '>=': return { text, min: bound(true) }
    default: return { text, min: bound(true), max: bound(true) }
  }
}

function rangeError (text: string): string {
  return `protocol range "${text}" is not one of <V, <=V, >V, >=V, V or V-W with versions like 12.1 or 14.0`
}
