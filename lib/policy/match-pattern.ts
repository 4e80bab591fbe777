import type { MatchPattern, VersionRange } from '../config/index.js'

/** A compiled value test: false for an absent value. */
export type ValueTest = (value: string | undefined) => boolean

/**
 * Compiles a policy pattern. Exact values and globs (`*` any run, `?` one character) compare
 * case-insensitively, as Exchange compares DeviceType and user names; a regex runs as written,
 * unanchored unless it anchors itself.
 */
export function compilePattern (p: MatchPattern): ValueTest {
  if (p.kind === 'regex') {
    const re = new RegExp(p.source ?? '', p.flags ?? '')
    return (v) => v !== undefined && re.test(v)
  }
  if (p.kind === 'exact') {
    const want = p.text.toLowerCase()
    return (v) => v !== undefined && v.toLowerCase() === want
  }
  return compileGlob(p.text)
}

/** A glob as an anchored, case-insensitive regex: `*` is any run, `?` one character, all else literal. */
export function compileGlob (glob: string): ValueTest {
  const body = [...glob].map((c) => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}/-]/g, '\\$&')).join('')
  const re = new RegExp(`^${body}$`, 'is')
  return (v) => v !== undefined && re.test(v)
}

/** Any of several tests. */
export function anyOf (tests: readonly ValueTest[]): ValueTest {
  return (v) => tests.some((t) => t(v))
}

/** `14.1` as 1401 for comparisons; undefined when the request carries no usable version. */
export function versionNumber (v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^(\d{1,2})\.(\d)$/.exec(v.trim())
  return m === null ? undefined : Number(m[1]) * 100 + Number(m[2])
}

/** True when `version` lies in the range. An unknown version lies in no range. */
export function inRange (r: VersionRange, version: number | undefined): boolean {
  if (version === undefined) return false
  if (r.min !== undefined && (r.min.inclusive ? version < r.min.version : version <= r.min.version)) return false
  if (r.max !== undefined && (r.max.inclusive ? version > r.max.version : version >= r.max.version)) return false
  return true
}
