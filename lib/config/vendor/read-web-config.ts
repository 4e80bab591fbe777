import { noBlock, syntaxError, type VendorLocation, type VendorRead, type VendorValue } from './vendor-hop.js'

/**
 * Reads an ASP.NET `web.config` of a secure email gateway (SEG-style): `<add key="…" value="…"/>`
 * entries (in `appSettings`) for settings such as `easRequestTimeOut` (minutes), and attributes of
 * `<httpRuntime>` such as `executionTimeout` (seconds). A small tolerant scan, not an XML parser:
 * comments are skipped, the last occurrence wins (as in a merged configuration).
 */
export function readWebConfig (file: string, text: string, wanted: readonly string[]): VendorRead {
  const texts = new Map([[file, text]])
  const pos = lineIndex(text)
  const at = (offset: number): VendorLocation => ({ file, ...pos(offset) })
  const body = text.replace(/<!--[\s\S]*?-->/g, (c) => ' '.repeat(c.length))
  if ((body.match(/</g) ?? []).length !== (body.match(/>/g) ?? []).length) {
    return { texts, diagnostics: [syntaxError(at(Math.max(0, body.lastIndexOf('<'))), 'unbalanced "<" and ">": not a well-formed web.config')] }
  }
  const config = /<configuration\b/i.exec(body)
  if (config === null) return { texts, diagnostics: [noBlock(at(0), 'no <configuration> element: not a web.config')] }
  const values = new Map<string, VendorValue>()
  for (const m of body.matchAll(/<add\b([^>]*)>/gi)) {
    const attrs = attributes(m[1] ?? '', (m.index ?? 0) + 4)
    const key = attrs.get('key')
    const value = attrs.get('value')
    if (key === undefined || value === undefined || !wanted.includes(key.text)) continue
    values.set(key.text, { raw: value.text, key: at(key.offset), at: at(value.offset) })
  }
  let runtime: VendorLocation | undefined
  for (const m of body.matchAll(/<httpRuntime\b([^>]*)>/gi)) {
    runtime = at(m.index ?? 0)
    for (const [name, a] of attributes(m[1] ?? '', (m.index ?? 0) + 12)) {
      if (wanted.includes(name)) values.set(name, { raw: a.text, key: at(a.nameOffset), at: at(a.offset) })
    }
  }
  return { texts, diagnostics: [], hop: { values, block: runtime ?? at(config.index), described: runtime !== undefined ? 'configuration › httpRuntime' : 'configuration' } }
}

/** `name="value"` pairs with the offsets of each name and value (inside the quotes). */
function attributes (s: string, base: number): Map<string, { text: string, offset: number, nameOffset: number }> {
  const out = new Map<string, { text: string, offset: number, nameOffset: number }>()
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*(["'])(.*?)\2/g)) {
    const i = m.index ?? 0
    out.set(m[1] ?? '', { text: m[3] ?? '', nameOffset: base + i, offset: base + i + (m[0] ?? '').indexOf(m[2] ?? '"') + 1 })
  }
  return out
}

function lineIndex (text: string): (offset: number) => { line: number, col: number } {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  return (offset) => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if ((starts[mid] ?? 0) <= offset) lo = mid; else hi = mid - 1 }
    return { line: lo + 1, col: offset - (starts[lo] ?? 0) + 1 }
  }
}
