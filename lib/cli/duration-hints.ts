import { parseDocument } from 'yaml'
import { formatDuration, GATEWAY_SCHEMA, type Diagnostic, type DocPath, type Schema } from '../config/index.js'

/** Runs the whole check path (load + rules) on a config text; returns its findings. */
export type CheckText = (text: string) => readonly Diagnostic[]

/**
 * Field-aware hints for durations written without a unit (`easRequestTimeout: 3600`). The hint
 * names a value that passes every check serve runs, found by trying readings of the number in
 * the real check path: seconds, minutes, milliseconds, hours, the next whole minute above the
 * seconds reading, then the field's default. Other unit-less values take their defaults meanwhile. `3600` as seconds is exactly maxHeartbeat + margin
 * and GW0102 refuses it, so the hint says so and offers `61m`.
 */
export function addDurationHints (findings: readonly Diagnostic[], text: string, check: CheckText): Diagnostic[] {
  const bare = findings.filter((d) => d.code === 'GW0005' && d.severity === 'error' && bareNumber(text, d.path) !== undefined)
  if (bare.length === 0) return [...findings]
  // The generic "write e.g. 3600s, 3600m or 3600ms" gives way to the hint, which was checked.
  return findings.map((d) => bare.includes(d) ? { ...d, message: d.message.replace(/: write e\.g\. .*$/, ''), hint: hintFor(d, bare, text, check) } : d)
}

function hintFor (d: Diagnostic, bare: readonly Diagnostic[], text: string, check: CheckText): string {
  const n = bareNumber(text, d.path) ?? 0
  const asSeconds = `${n}s`
  const nextMinute = formatDuration((Math.floor(n / 60) + 1) * 60_000)
  const fallback = defaultAt(GATEWAY_SCHEMA, d.path)
  const candidates = [...new Set([asSeconds, `${n}m`, `${n}ms`, `${n}h`, nextMinute, ...(fallback !== undefined ? [formatDuration(fallback)] : [])])]
  // Every other unit-less duration takes its default meanwhile (or its seconds reading), so the
  // check judges this value alone.
  const others = bare.filter((o) => o !== d).map((o) => {
    const def = defaultAt(GATEWAY_SCHEMA, o.path)
    return { path: o.path, value: def !== undefined ? formatDuration(def) : `${bareNumber(text, o.path) ?? 0}s` }
  })
  const errorsWith = (value: string): Diagnostic[] =>
    check(substitute(text, [...others, { path: d.path, value }])).filter((f) => f.severity === 'error')
  const secondsErrors = errorsWith(asSeconds)
  if (secondsErrors.length === 0) return `write ${asSeconds} if ${n} means seconds (${n}m for minutes, ${n}ms for milliseconds)`
  const passing = candidates.slice(1).find((c) => errorsWith(c).length === 0)
  const why = secondsErrors[0]
  const refused = why !== undefined ? `read as seconds, ${asSeconds} is refused (${why.code}: ${why.message})` : ''
  return passing !== undefined ? `write ${passing}: ${refused}` : `write it with a unit (e.g. ${asSeconds}); ${refused}`
}

/** The number written at `path` when it is a bare number, else undefined. */
function bareNumber (text: string, path: DocPath): number | undefined {
  const v: unknown = parseDocument(text).getIn(path)
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined
}

function substitute (text: string, values: readonly { path: DocPath, value: string }[]): string {
  const doc = parseDocument(text)
  for (const { path, value } of values) doc.setIn(path, value)
  return doc.toString()
}

/** The schema default of the duration at `path` (array indexes step into `items`). */
function defaultAt (schema: Schema, path: DocPath): number | undefined {
  let s: Schema | undefined = schema
  for (const key of path) {
    if (s?.type === 'object' && typeof key === 'string') s = s.fields[key] ?? s.additional
    else if (s?.type === 'array' && typeof key === 'number') s = s.items
    else return undefined
  }
  return s?.type === 'duration' ? s.default : undefined
}
