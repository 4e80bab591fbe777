import type { Diagnostic } from '../diagnostic.js'
import { syntaxError, type VendorLocation } from './vendor-hop.js'

/** A token of nginx's configuration syntax. */
interface Token { readonly text: string, readonly kind: 'word' | '{' | '}' | ';', readonly at: VendorLocation }

/** One directive: its name, arguments (quotes removed) and block, with positions. */
export interface NginxDirective {
  readonly name: string
  readonly args: readonly string[]
  readonly argAt: readonly VendorLocation[]
  readonly at: VendorLocation
  readonly block?: NginxDirective[]
}

/**
 * Splits nginx configuration text into words, braces and semicolons (ngx_conf_read_token):
 * `#` starts a comment at the start of a token, quotes group, a backslash escapes in quotes.
 */
function tokenize (text: string, file: string, diags: Diagnostic[]): Token[] {
  const out: Token[] = []
  let line = 1
  let col = 1
  let i = 0
  const advance = (): string => {
    const c = text[i++] as string
    if (c === '\n') { line++; col = 1 } else col++
    return c
  }
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) { advance(); continue }
    if (c === '#') { while (i < text.length && text[i] !== '\n') advance(); continue }
    const at = { file, line, col }
    if (c === '{' || c === '}' || c === ';') { advance(); out.push({ text: c, kind: c, at }); continue }
    let word = ''
    if (c === '"' || c === '\'') {
      advance()
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) advance()
        word += advance()
      }
      if (i >= text.length) { diags.push(syntaxError(at, `unterminated ${c === '"' ? 'double' : 'single'} quote`)); return out }
      advance()
    } else {
      while (i < text.length && !/[\s;{}]/.test(text[i] as string)) word += advance()
    }
    out.push({ text: word, kind: 'word', at })
  }
  return out
}

/**
 * Parses nginx configuration text into directives. Unbalanced braces and a directive without its
 * `;` are GW0012 findings at the offending token; what parsed before them is kept.
 */
export function parseNginx (text: string, file: string): { directives: NginxDirective[], diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const tokens = tokenize(text, file, diagnostics)
  let i = 0
  const block = (depth: number, opener?: VendorLocation): NginxDirective[] => {
    const out: NginxDirective[] = []
    while (i < tokens.length) {
      const t = tokens[i] as Token
      if (t.kind === '}') {
        i++
        if (depth === 0) { diagnostics.push(syntaxError(t.at, 'unexpected "}"')); continue }
        return out
      }
      if (t.kind !== 'word') { i++; diagnostics.push(syntaxError(t.at, `unexpected "${t.text}"`)); continue }
      const args: Token[] = []
      i++
      while (i < tokens.length && tokens[i]?.kind === 'word') args.push(tokens[i++] as Token)
      const end = tokens[i]
      const d = { name: t.text, args: args.map((a) => a.text), argAt: args.map((a) => a.at), at: t.at }
      if (end?.kind === ';') { i++; out.push(d); continue }
      if (end?.kind === '{') { i++; out.push({ ...d, block: block(depth + 1, end.at) }); continue }
      diagnostics.push(syntaxError(end?.at ?? t.at, `directive "${t.text}" has no ";" or "{"`))
      if (end?.kind === '}') continue
      return out
    }
    if (depth > 0 && opener !== undefined) diagnostics.push(syntaxError(opener, 'unexpected end of file: this "{" is not closed'))
    return out
  }
  return { directives: block(0), diagnostics }
}
