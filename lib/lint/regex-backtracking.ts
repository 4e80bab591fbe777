/**
 * A static check for regular expressions that can backtrack catastrophically (exponential time on
 * a crafted User-Agent: ReDoS). V8's engine backtracks, and a policy regex runs on every request
 * with text the device chose, so one bad pattern is a denial of service of the whole gateway.
 *
 * Flagged shapes (the classic ones; a heuristic, not a proof of safety):
 * - nested quantifiers: a quantified group whose body is itself quantified, `(a+)+`, `(\w*)*`,
 *   `(x+y?)*`, `(?:a{1,5})+`;
 * - a quantified alternation whose branches can match the same text: `(a|a)*`, `(a|ab)+`, `(\w|\d)*`,
 *   `(.|x)*`;
 * - adjacent unbounded repeats of overlapping atoms: `\d+\d+`, `.*.*`, `\w*\w+` (polynomial, but
 *   quadratic-to-cubic on a long header is enough to stall).
 */
export function findBacktracking (source: string): string | undefined {
  let nodes: Node[]
  try { nodes = parse(source) } catch { return undefined }
  return check(nodes)
}

type Node =
  | { kind: 'atom', text: string, q?: Quant }
  | { kind: 'group', branches: Node[][], q?: Quant }
interface Quant { readonly unbounded: boolean, readonly min: number }

function parse (src: string): Node[] {
  let i = 0
  const seq = (): Node[][] => {
    const branches: Node[][] = [[]]
    while (i < src.length) {
      const c = src[i] as string
      if (c === ')') return branches
      if (c === '|') { branches.push([]); i++; continue }
      let node: Node
      if (c === '(') {
        i++
        if (src[i] === '?') { i++; if (src[i] === '<' && src[i + 1] !== '=' && src[i + 1] !== '!') { while (i < src.length && src[i] !== '>') i++ } i++ }
        const inner = seq()
        i++ // ')'
        node = { kind: 'group', branches: inner }
      } else if (c === '[') {
        const start = i
        i++
        if (src[i] === ']') i++
        while (i < src.length && src[i] !== ']') { if (src[i] === '\\') i++; i++ }
        i++
        node = { kind: 'atom', text: src.slice(start, i) }
      } else if (c === '\\') {
        node = { kind: 'atom', text: src.slice(i, i + 2) }
        i += 2
      } else {
        node = { kind: 'atom', text: c }
        i++
      }
      const q = quantifier()
      if (q !== undefined) node.q = q
      ;(branches[branches.length - 1] as Node[]).push(node)
    }
    return branches
  }
  const quantifier = (): Quant | undefined => {
    const c = src[i]
    let q: Quant | undefined
    if (c === '*') { q = { unbounded: true, min: 0 }; i++ } else if (c === '+') { q = { unbounded: true, min: 1 }; i++ } else if (c === '?') { q = { unbounded: false, min: 0 }; i++ } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i))
      if (m === null) return undefined
      i += m[0].length
      const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3])
      q = { unbounded: max === Infinity || max > 10, min: Number(m[1]) }
    }
    if (q !== undefined && src[i] === '?') i++ // lazy: the same backtracking, another order
    return q
  }
  const top = seq()
  return top.length === 1 ? top[0] as Node[] : [{ kind: 'group', branches: top }]
}

function repeats (n: Node): boolean { return n.q?.unbounded === true }
function hasQuantified (nodes: Node[]): boolean {
  return nodes.some((n) => n.q !== undefined && (n.q.unbounded || n.q.min !== 1) ? true : n.kind === 'group' && n.branches.some(hasQuantified))
}

/**
 * True when a branch of a repeated group repeats inside, with no separator: a mandatory atom that
 * none of the inner repeats can match (`(\.\d+)*` is safe: each round starts with a dot the
 * digits cannot eat; `(\w+\s?)*` is not).
 */
function nestedRepeat (b: Node[]): boolean {
  const reps = b.filter((x) => repeats(x) || (x.kind === 'group' && hasQuantified([x])))
  if (reps.length === 0) return false
  if (reps.some((x) => x.kind === 'group')) return true
  const seps = b.filter((x) => x.kind === 'atom' && x.q === undefined)
  return !seps.some((s) => reps.every((r) => !overlap((s as { text: string }).text, (r as { text: string }).text)))
}

function check (nodes: Node[]): string | undefined {
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k] as Node
    if (n.kind === 'group') {
      if (repeats(n) && n.branches.some(nestedRepeat)) {
        return 'a repeated group contains a repeat (nested quantifiers, e.g. (a+)+)'
      }
      if (repeats(n) && overlappingBranches(n.branches)) return 'a repeated alternation has branches that match the same text (e.g. (a|ab)*)'
      for (const b of n.branches) { const r = check(b); if (r !== undefined) return r }
    }
    const next = nodes[k + 1]
    if (next !== undefined && repeats(n) && repeats(next) && n.kind === 'atom' && next.kind === 'atom' && overlap(n.text, next.text)) {
      return `two adjacent repeats match the same characters (${n.text}${quantText(n)}${next.text}${quantText(next)})`
    }
  }
  return undefined
}

function quantText (n: Node): string { return n.q?.min === 0 ? '*' : '+' }

function overlappingBranches (branches: Node[][]): boolean {
  const firsts = branches.map((b) => b[0])
  const texts = branches.map((b) => b.map((n) => n.kind === 'atom' ? n.text : '(').join(''))
  for (let a = 0; a < branches.length; a++) {
    for (let b = a + 1; b < branches.length; b++) {
      const x = firsts[a]; const y = firsts[b]
      if (x === undefined || y === undefined) return true // an empty branch repeats for free
      const ta = texts[a] as string; const tb = texts[b] as string
      if (ta.startsWith(tb) || tb.startsWith(ta)) return true
      if (x.kind === 'atom' && y.kind === 'atom' && x.text !== y.text && overlap(x.text, y.text) && (isClass(x.text) || isClass(y.text))) return true
    }
  }
  return false
}

function isClass (t: string): boolean { return t === '.' || t.startsWith('[') || /^\\[dDwWsS]$/.test(t) }

/** Characters tried when asking whether two atoms overlap: Latin-1 and a few beyond. */
const SAMPLES = [...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)), '\u4e2d', '\u0416', '\u{1F600}']

/** Can two atoms match a common character? Tried on sample characters; an atom that does not compile alone overlaps. */
function overlap (a: string, b: string, flags = ''): boolean {
  if (a === b) return true
  const re = (t: string): RegExp | undefined => { try { return new RegExp(`^(?:${t})$`, flags.replace(/[^iu]/g, '') + 'u') } catch { return undefined } }
  const ra = re(a); const rb = re(b)
  if (ra === undefined || rb === undefined) return true
  return SAMPLES.some((c) => ra.test(c) && rb.test(c))
}
