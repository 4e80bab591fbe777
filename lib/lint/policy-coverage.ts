import type { MatchPattern, PolicyMatch, VersionRange } from '../config/index.js'
import { compilePattern } from '../policy/index.js'

/**
 * True when every request `later` matches is also matched by `earlier`, so a rule with `later`
 * placed after one with `earlier` can never decide anything (first match wins). Sound but not
 * complete: when in doubt it answers false, so a finding is always real.
 */
export function covers (earlier: PolicyMatch, later: PolicyMatch): boolean {
  return patternsCover(earlier.user, later.user) &&
    patternsCover(earlier.deviceId, later.deviceId) &&
    patternsCover(earlier.deviceType, later.deviceType) &&
    patternsCover(earlier.userAgent, later.userAgent) &&
    namesCover(earlier.users, later.users) &&
    namesCover(earlier.command?.map((c) => c.toLowerCase()), later.command?.map((c) => c.toLowerCase())) &&
    namesCover(earlier.list, later.list) &&
    rangesCover(earlier.protocol, later.protocol)
}

function patternsCover (a: readonly MatchPattern[] | undefined, b: readonly MatchPattern[] | undefined): boolean {
  if (a === undefined) return true
  if (a.some((p) => p.kind === 'glob' && /^\*+$/.test(p.text))) return true
  if (b === undefined) return false
  return b.every((q) => a.some((p) => patternCovers(p, q)))
}

function patternCovers (p: MatchPattern, q: MatchPattern): boolean {
  if (p.kind === q.kind && p.text.toLowerCase() === q.text.toLowerCase() && p.kind !== 'regex') return true
  if (p.kind === 'regex') {
    if (q.kind === 'regex') return p.text === q.text
    // A regex decides case by its flags; an exact value compares case-insensitively, so only a
    // case-insensitive regex surely covers it.
    return q.kind === 'exact' && p.flags?.includes('i') === true && compilePattern(p)(q.text)
  }
  if (q.kind === 'exact') return compilePattern(p)(q.text)
  if (q.kind === 'glob' && p.kind === 'glob') {
    // Sound special cases: `P*` covers any glob starting with the literal P; `*S` any ending with S.
    const lit = (s: string): boolean => !/[*?]/.test(s)
    const t = p.text.toLowerCase(); const u = q.text.toLowerCase()
    if (t.endsWith('*') && lit(t.slice(0, -1)) && u.startsWith(t.slice(0, -1))) return true
    if (t.startsWith('*') && lit(t.slice(1)) && u.endsWith(t.slice(1))) return true
  }
  return false
}

function namesCover (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined) return true
  if (b === undefined) return false
  return b.every((x) => a.includes(x))
}

function rangesCover (a: readonly VersionRange[] | undefined, b: readonly VersionRange[] | undefined): boolean {
  if (a === undefined) return true
  if (b === undefined) return false
  return b.every((r) => a.some((p) => lowerCovers(p, r) && upperCovers(p, r)))
}

function lowerCovers (p: VersionRange, r: VersionRange): boolean {
  if (p.min === undefined) return true
  if (r.min === undefined) return false
  return p.min.version < r.min.version || (p.min.version === r.min.version && (p.min.inclusive || !r.min.inclusive))
}

function upperCovers (p: VersionRange, r: VersionRange): boolean {
  if (p.max === undefined) return true
  if (r.max === undefined) return false
  return p.max.version > r.max.version || (p.max.version === r.max.version && (p.max.inclusive || !r.max.inclusive))
}
