/**
 * "Did you mean" for names users copy from vendor configurations: `proxy-read-timeout` for
 * `proxy_read_timeout`, `haproxi` for `haproxy`. Separators and case are ignored first, then the
 * closest name within a small edit distance wins.
 */
export function suggestName (name: string, candidates: Iterable<string>): string | undefined {
  const norm = normalize(name)
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    const n = normalize(c)
    if (n === norm) return c
    const d = editDistance(norm, n)
    if (d < bestDistance) { best = c; bestDistance = d }
  }
  const allowed = Math.max(2, Math.floor(norm.length / 3))
  return bestDistance <= allowed ? best : undefined
}

/** ` (did you mean "x"?)` or ` (expected one of: a, b, c)` for a message. */
export function didYouMean (name: string, candidates: readonly string[]): string {
  const near = suggestName(name, candidates)
  if (near !== undefined) return `: did you mean "${near}"?`
  return candidates.length > 0 ? ` (expected one of: ${candidates.join(', ')})` : ''
}

function normalize (s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/** Levenshtein distance, two rows. */
function editDistance (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost)
    }
    prev = cur
  }
  return prev[b.length] ?? 0
}
