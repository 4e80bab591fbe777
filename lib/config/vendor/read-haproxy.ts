import type { Balancing } from '../catalog-types.js'
import type { Diagnostic } from '../diagnostic.js'
import { splitMatch, noBlock, syntaxError, type VendorLocation, type VendorRead, type VendorValue } from './vendor-hop.js'

interface Line { readonly words: readonly string[], readonly at: readonly VendorLocation[] }
interface Section { readonly kind: string, readonly name?: string, readonly from?: string, readonly at: VendorLocation, readonly lines: Line[] }

const PROXIES = new Set(['frontend', 'backend', 'listen', 'defaults'])
const OTHER = new Set(['global', 'resolvers', 'peers', 'userlist', 'program', 'http-errors', 'cache', 'ring', 'mailers', 'crt-store', 'traces', 'log-forward', 'fcgi-app'])
/** Timeouts HAProxy applies on the device side (frontend); the rest are backend-side. */
const CLIENT_SIDE = new Set(['timeout client', 'timeout http-request', 'timeout http-keep-alive', 'timeout client-fin'])
const BALANCE: Readonly<Record<string, Balancing>> = { roundrobin: 'round-robin', 'static-rr': 'round-robin', leastconn: 'least-connections', first: 'other', random: 'other' }

/**
 * Reads an HAProxy configuration: sections, `defaults` (the last one before a proxy, or the one its
 * `from` names), and the frontend (or listen) that routes `match` (`[host]/path`, default the EAS
 * path) to a backend by its `use_backend … if|unless` rules, ACLs (`path`, `path_beg`, `path_end`,
 * `path_sub`, `path_dir`, `path_reg`, `url_beg`, `hdr(host)`; other criteria count as matching) and
 * `default_backend`. Device-side timeouts come from the frontend, server-side ones from the backend.
 */
export function readHaproxy (file: string, text: string, wanted: readonly string[], match: string | undefined): VendorRead {
  const diags: Diagnostic[] = []
  const sections = sectionsOf(file, text, diags)
  const texts = new Map([[file, text]])
  const { host, path } = splitMatch(match)
  const byName = (kind: string[], name: string): Section | undefined => sections.find((s) => kind.includes(s.kind) && s.name === name)
  let route: { fe: Section, be: Section, rule?: Line } | undefined
  for (const fe of sections.filter((s) => s.kind === 'frontend' || s.kind === 'listen')) {
    const r = routeOf(fe, path, host)
    const be = r === undefined ? (fe.kind === 'listen' ? fe : undefined) : byName(['backend', 'listen'], r.backend)
    if (be !== undefined) { route = { fe, be, ...(r?.rule !== undefined ? { rule: r.rule } : {}) }; break }
  }
  if (route === undefined) return { texts, diagnostics: [...diags, noBlock({ file, line: 1, col: 1 }, `no frontend or listen section routes ${path} to a backend`)] }
  const { fe, be } = route
  const defaultsOf = (s: Section): Section[] => {
    const chain: Section[] = []
    let d = s.from !== undefined ? byName(['defaults'], s.from) : [...sections.slice(0, sections.indexOf(s))].reverse().find((x) => x.kind === 'defaults')
    while (d !== undefined && !chain.includes(d)) { chain.push(d); d = d.from !== undefined ? byName(['defaults'], d.from) : undefined }
    return chain
  }
  const values = new Map<string, VendorValue>()
  const missingAt = new Map<string, VendorLocation>()
  for (const name of wanted) {
    const side = CLIENT_SIDE.has(name) ? fe : be
    missingAt.set(name, side.at)
    const parts = name.split(' ')
    for (const s of [side, ...defaultsOf(side)]) {
      const l = s.lines.find((x) => parts.every((p, i) => x.words[i] === p))
      const raw = l?.words[parts.length]
      if (l !== undefined && raw !== undefined) { values.set(name, { raw, key: l.at[0] as VendorLocation, at: l.at[parts.length] as VendorLocation }); break }
    }
  }
  const option = (s: Section[], opt: string): { value: boolean, at: VendorLocation } | undefined => {
    for (const sec of s) {
      const l = sec.lines.find((x) => (x.words[0] === 'option' && x.words[1] === opt) || (x.words[0] === 'no' && x.words[1] === 'option' && x.words[2] === opt))
      if (l !== undefined) return { value: l.words[0] === 'option', at: l.at[0] as VendorLocation }
    }
    return undefined
  }
  const beChain = [be, ...defaultsOf(be)]
  const abort = option(beChain, 'abortonclose')
  const close401 = [fe, be].flatMap((sec) => sec.lines).find(closesOn401)
  const balancing = balancingOf(beChain, be)
  return {
    texts,
    diagnostics: diags,
    hop: {
      values,
      block: be.at,
      missingAt,
      described: fe === be ? `listen ${fe.name ?? ''}` : `frontend ${fe.name ?? ''} › backend ${be.name ?? ''}`,
      ...(abort !== undefined ? { abortOnClose: abort } : {}),
      ...(close401 !== undefined ? { closeOn401: { value: true, at: close401.at[0] as VendorLocation } } : {}),
      balancing
    }
  }
}

/** `http-response set-header Connection close if { status 401 }` (or `add-header`, or an ACL naming status 401). */
function closesOn401 (l: Line): boolean {
  const w = l.words.map((x) => x.toLowerCase())
  return w[0] === 'http-response' && (w[1] === 'set-header' || w[1] === 'add-header') && w[2] === 'connection' && w[3] === 'close' &&
    w.includes('status') && w.includes('401')
}

function balancingOf (chain: readonly Section[], be: Section): { value: Balancing, at: VendorLocation } {
  for (const s of chain) {
    const l = s.lines.find((x) => x.words[0] === 'balance')
    if (l !== undefined) return { value: BALANCE[l.words[1] ?? ''] ?? 'hash', at: l.at[0] as VendorLocation }
  }
  const servers = be.lines.filter((x) => x.words[0] === 'server')
  return { value: servers.length === 1 ? 'single' : 'round-robin', at: be.at }
}

/** The backend a frontend sends `path` to: the first use_backend whose condition holds, else default_backend. */
function routeOf (fe: Section, path: string, host: string | undefined): { backend: string, rule?: Line } | undefined {
  const acls = new Map<string, Line[]>()
  for (const l of fe.lines) if (l.words[0] === 'acl' && l.words[1] !== undefined) acls.set(l.words[1], [...(acls.get(l.words[1]) ?? []), l])
  for (const l of fe.lines) {
    if (l.words[0] !== 'use_backend' || l.words[1] === undefined) continue
    const [kw, ...cond] = l.words.slice(2)
    const holds = kw === undefined ? true : evaluate(cond, acls, path, host)
    if (kw === undefined || (kw === 'if' ? holds : kw === 'unless' ? !holds : false)) return { backend: l.words[1], rule: l }
  }
  const def = fe.lines.find((l) => l.words[0] === 'default_backend')?.words[1]
  return def === undefined ? undefined : { backend: def }
}

/** A condition: terms joined by `||`/`or`, each a list of (optionally `!`) ACL names or `{ anonymous acl }`. */
function evaluate (words: readonly string[], acls: ReadonlyMap<string, Line[]>, path: string, host: string | undefined): boolean {
  const terms: string[][][] = [[]]
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string
    if (w === '||' || w === 'or') { terms.push([]); continue }
    const term = terms[terms.length - 1] as string[][]
    if (w === '{' || w === '!{') {
      const end = words.indexOf('}', i)
      term.push([w === '!{' ? '!' : '', ...words.slice(i + 1, end < 0 ? words.length : end)])
      i = end < 0 ? words.length : end
    } else term.push([w])
  }
  return terms.some((t) => t.every((c) => {
    const neg = c[0] === '!' || (c.length === 1 && (c[0] ?? '').startsWith('!'))
    if (c.length === 1) {
      const name = (c[0] ?? '').replace(/^!/, '')
      const defs = acls.get(name)
      const v = defs === undefined ? true : defs.some((d) => criterion(d.words.slice(2), path, host))
      return neg ? !v : v
    }
    const v = criterion(c.slice(1), path, host)
    return c[0] === '!' ? !v : v
  }))
}

/** One ACL criterion with its flags and values; criteria other than path and host are taken to match. */
function criterion (words: readonly string[], path: string, host: string | undefined): boolean {
  const [fetch = '', ...rest] = words
  let i = 0
  let ci = false
  let method: string | undefined
  while (i < rest.length && (rest[i] ?? '').startsWith('-')) {
    const f = rest[i] as string
    if (f === '--') { i++; break }
    if (f === '-i') ci = true
    if (f === '-m') method = rest[++i]
    if (f === '-f' || f === '-M') return true // values from a file: cannot tell
    i++
  }
  const values = rest.slice(i)
  const base = fetch.replace(/\(.*$/, '')
  const isHost = /^(req\.)?hdr/.test(base) && /\(host\)/i.test(fetch)
  const subject = isHost ? host : /^(path|url)/.test(base) ? path : undefined
  if (subject === undefined) return true
  const kind = method ?? (base.match(/_(beg|end|sub|reg|dir|dom)$/)?.[1]) ?? 'str'
  const norm = (s: string): string => ci ? s.toLowerCase() : s
  return values.some((v) => {
    const a = norm(subject)
    const b = norm(v)
    switch (kind) {
      case 'beg': return a.startsWith(b)
      case 'end': return a.endsWith(b)
      case 'sub': return a.includes(b)
      case 'dir': case 'dom': return a.split(kind === 'dir' ? '/' : '.').includes(b)
      case 'reg': try { return new RegExp(v, ci ? 'i' : '').test(subject) } catch { return true }
      default: return a === b
    }
  })
}

/** Splits the file into sections of tokenized lines (quotes and backslash escapes as HAProxy reads them). */
function sectionsOf (file: string, text: string, diags: Diagnostic[]): Section[] {
  const sections: Section[] = []
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = tokenizeLine(raw, file, n + 1, diags)
    const head = line.words[0]
    if (head === undefined) return
    if (PROXIES.has(head) || OTHER.has(head)) {
      const fromAt = line.words.indexOf('from')
      const name = line.words[1] !== undefined && line.words[1] !== 'from' ? line.words[1] : undefined
      sections.push({ kind: head, at: line.at[0] as VendorLocation, lines: [], ...(name !== undefined ? { name } : {}), ...(fromAt > 0 && line.words[fromAt + 1] !== undefined ? { from: line.words[fromAt + 1] } : {}) })
      return
    }
    const cur = sections[sections.length - 1]
    if (cur === undefined) { diags.push(syntaxError(line.at[0] as VendorLocation, `"${head}" outside any section`)); return }
    cur.lines.push(line)
  })
  return sections
}

function tokenizeLine (raw: string, file: string, line: number, diags: Diagnostic[]): Line {
  const words: string[] = []
  const at: VendorLocation[] = []
  let i = 0
  while (i < raw.length) {
    while (i < raw.length && /\s/.test(raw[i] as string)) i++
    if (i >= raw.length || raw[i] === '#') break
    const start = i
    let w = ''
    while (i < raw.length && !/\s/.test(raw[i] as string)) {
      const c = raw[i] as string
      if (c === '\\' && i + 1 < raw.length) { w += raw[i + 1]; i += 2; continue }
      if (c === '"' || c === '\'') {
        const end = raw.indexOf(c, i + 1)
        if (end < 0) { diags.push(syntaxError({ file, line, col: i + 1 }, `unterminated ${c === '"' ? 'double' : 'single'} quote`)); i = raw.length; break }
        w += raw.slice(i + 1, end)
        i = end + 1
        continue
      }
      w += c
      i++
    }
    words.push(w)
    at.push({ file, line, col: start + 1 })
  }
  return { words, at }
}
