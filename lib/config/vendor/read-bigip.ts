import type { Diagnostic } from '../diagnostic.js'
import { noBlock, syntaxError, type VendorLocation, type VendorRead, type VendorValue } from './vendor-hop.js'

/** A `tmsh` object: `ltm profile tcp /Common/x { … }`, with its properties and nested blocks. */
interface Block { readonly header: readonly string[], readonly at: VendorLocation, readonly props: Map<string, { value: string, key: VendorLocation, at: VendorLocation }>, readonly children: Block[] }

/** Profile types by hop kind: the TCP profile for f5-tcp, FastL4 for f5-fastl4. */
const PROFILE_TYPE: Readonly<Record<string, string>> = { 'f5-tcp': 'tcp', 'f5-fastl4': 'fastl4' }

/**
 * Reads a `bigip.conf` (or `tmsh list ltm` output): the `ltm virtual` that `match` names (full or
 * short name; default the first), the TCP or FastL4 profiles attached to it, and each profile's
 * `defaults-from` parents up to the built-in one (whose values are the catalog defaults). With a
 * client-side and a server-side profile, the shorter idle timeout is the one that cuts.
 */
export function readBigip (kind: string, file: string, text: string, wanted: readonly string[], match: string | undefined): VendorRead {
  const texts = new Map([[file, text]])
  const diags: Diagnostic[] = []
  const top = parseTmsh(file, text, diags)
  const virtuals = top.filter((b) => b.header[0] === 'ltm' && b.header[1] === 'virtual')
  const vs = match === undefined ? virtuals[0] : virtuals.find((v) => v.header[2] === match || v.header[2]?.split('/').pop() === match)
  if (vs === undefined) return { texts, diagnostics: [...diags, noBlock({ file, line: 1, col: 1 }, match === undefined ? 'no "ltm virtual" in this file' : `no "ltm virtual" named ${match}`)] }
  const type = PROFILE_TYPE[kind] ?? 'tcp'
  const profiles = top.filter((b) => b.header[0] === 'ltm' && b.header[1] === 'profile' && b.header[2] === type)
  const byName = (n: string): Block | undefined => profiles.find((p) => p.header[3] === n || p.header[3]?.split('/').pop() === n.split('/').pop())
  const attached = (vs.children.find((c) => c.header[0] === 'profiles')?.children ?? []).map((c) => byName(c.header[0] ?? '')).filter((p): p is Block => p !== undefined)
  const values = new Map<string, VendorValue>()
  for (const name of wanted) {
    for (const p of attached) {
      const v = inherited(p, name, byName)
      const cur = values.get(name)
      if (v !== undefined && (cur === undefined || seconds(v.raw) < seconds(cur.raw))) values.set(name, v)
    }
  }
  return { texts, diagnostics: diags, hop: { values, block: vs.at, described: `ltm virtual ${vs.header[2] ?? ''}` } }
}

function inherited (p: Block, name: string, byName: (n: string) => Block | undefined): VendorValue | undefined {
  const seen = new Set<Block>()
  for (let b: Block | undefined = p; b !== undefined && !seen.has(b); b = byName(b.props.get('defaults-from')?.value ?? '')) {
    seen.add(b)
    const v = b.props.get(name)
    if (v !== undefined) return { raw: v.value, key: v.key, at: v.at }
  }
  return undefined
}

function seconds (raw: string): number {
  return raw === 'indefinite' || raw === '0' ? Infinity : Number(raw)
}

/** tmsh syntax: `words {` opens a block, `}` closes it, other lines are `key value…`; `#` comments. */
function parseTmsh (file: string, text: string, diags: Diagnostic[]): Block[] {
  const root: Block = { header: [], at: { file, line: 1, col: 1 }, props: new Map(), children: [] }
  const stack: Block[] = [root]
  text.split(/\r?\n/).forEach((raw, n) => {
    const words: { w: string, col: number }[] = []
    for (const m of raw.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
      if ((m[2] ?? '').startsWith('#')) break
      words.push({ w: m[1] ?? m[2] ?? '', col: (m.index ?? 0) + 1 })
    }
    let i = 0
    while (i < words.length) {
      const cur = stack[stack.length - 1] as Block
      const close = words.findIndex((x, k) => k >= i && (x.w === '{' || x.w === '}'))
      const part = words.slice(i, close < 0 ? words.length : close)
      const at = { file, line: n + 1, col: (part[0] ?? words[i])?.col ?? 1 }
      if (close >= 0 && words[close]?.w === '{') {
        const b: Block = { header: part.map((x) => x.w), at, props: new Map(), children: [] }
        cur.children.push(b)
        stack.push(b)
      } else {
        if (part.length > 0) cur.props.set(part[0]?.w ?? '', { value: part.slice(1).map((x) => x.w).join(' '), key: at, at: { file, line: n + 1, col: part[1]?.col ?? at.col } })
        if (close >= 0) {
          if (stack.length === 1) diags.push(syntaxError({ file, line: n + 1, col: words[close]?.col ?? 1 }, 'unexpected "}"'))
          else stack.pop()
        }
      }
      i = close < 0 ? words.length : close + 1
    }
  })
  if (stack.length > 1) diags.push(syntaxError((stack[stack.length - 1] as Block).at, 'unexpected end of file: this block is not closed'))
  return root.children
}
