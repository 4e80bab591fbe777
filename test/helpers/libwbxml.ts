/**
 * libwbxml (Debian libwbxml2-utils) as a test oracle: runs `xml2wbxml -a -n` and
 * `wbxml2xml -l ACTIVESYNC` (PROTOCOL.md §3.5), learns libwbxml's tag vocabulary by decoding one
 * synthetic document per code page, and converts between its XML and token-level trees.
 * libwbxml spells many tags differently from MS-ASWBXML (PROTOCOL.md §8.3), so trees are
 * compared on (code page, token), never on names.
 */
import { execFileSync } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

const DOCTYPE = '<!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">'

/** Absolute paths of the two tools, or undefined when either is not on PATH. */
export function findLibwbxml (path = process.env.PATH ?? ''): { xml2wbxml: string, wbxml2xml: string } | undefined {
  const find = (name: string): string | undefined => {
    for (const dir of path.split(delimiter)) {
      const file = join(dir, name)
      try {
        accessSync(file, constants.X_OK)
        return file
      } catch {}
    }
    return undefined
  }
  const xml2wbxml = find('xml2wbxml')
  const wbxml2xml = find('wbxml2xml')
  return xml2wbxml !== undefined && wbxml2xml !== undefined ? { xml2wbxml, wbxml2xml } : undefined
}

/** A tree at token level: what both codecs must agree on. */
export interface TokenElement { page: number, token: number, children: TokenElement[], bytes?: string }

/** What libwbxml calls each (page, token), its namespace strings, and which tags it treats as binary. */
export interface Vocabulary {
  namespaceOfPage: string[]
  pageOfNamespace: Map<string, number>
  /** `${page}:${name}` → token, and per page token → name. */
  tokenOf: Map<string, number>
  nameOf: Map<number, string>[]
  /** `${page}:${token}` of tags libwbxml writes as base64 (OPAQUE-typed), PROTOCOL.md §8.7. */
  binary: Set<string>
}

/** Runs the two tools in a private temporary directory. */
export class Libwbxml {
  readonly #tools: { xml2wbxml: string, wbxml2xml: string }
  readonly #dir = mkdtempSync(join(tmpdir(), 'eas-libwbxml-'))
  #n = 0

  constructor (tools: { xml2wbxml: string, wbxml2xml: string }) {
    this.#tools = tools
  }

  /** `wbxml2xml -l ACTIVESYNC -m 0`: WBXML bytes to compact XML text. */
  decode (bytes: Uint8Array): string {
    const input = this.#file('in.wbxml')
    const output = this.#file('out.xml')
    writeFileSync(input, bytes)
    execFileSync(this.#tools.wbxml2xml, ['-l', 'ACTIVESYNC', '-m', '0', '-o', output, input], { stdio: 'pipe' })
    return readFileSync(output, 'utf8')
  }

  /** `xml2wbxml -a -n`: XML text (without prolog) to WBXML bytes. */
  encode (xml: string): Uint8Array {
    const input = this.#file('in.xml')
    const output = this.#file('out.wbxml')
    writeFileSync(input, `<?xml version="1.0" encoding="UTF-8"?>${DOCTYPE}${xml}`)
    execFileSync(this.#tools.xml2wbxml, ['-a', '-n', '-o', output, input], { stdio: 'pipe' })
    return new Uint8Array(readFileSync(output))
  }

  /** Learns libwbxml's names for tokens 0x05..0x3F of pages 0..24 (one decode per page). */
  vocabulary (): Vocabulary {
    const v: Vocabulary = { namespaceOfPage: [], pageOfNamespace: new Map(), tokenOf: new Map(), nameOf: [], binary: new Set() }
    for (let page = 0; page <= 24; page++) {
      const body = [0x03, 0x01, 0x6a, 0x00, 0x00, page, 0x45]
      for (let token = 0x05; token <= 0x3f; token++) body.push(0x40 | token, 0x03, ...Buffer.from(marker(token)), 0x00, 0x01)
      body.push(0x01)
      const root = parseXml(this.decode(Uint8Array.from(body)))
      const ns = root.attributes.get('xmlns') ?? ''
      v.namespaceOfPage[page] = ns
      v.pageOfNamespace.set(ns, page)
      const names = new Map<number, string>()
      root.children.forEach((child, i) => {
        const token = 0x05 + i
        if (typeof child === 'string' || child.name === 'unknown') return
        names.set(token, child.name)
        v.tokenOf.set(`${page}:${child.name}`, token)
        const text = child.children.join('')
        if (text !== marker(token)) v.binary.add(`${page}:${token}`)
      })
      v.nameOf[page] = names
    }
    return v
  }

  close (): void {
    rmSync(this.#dir, { recursive: true, force: true })
  }

  #file (name: string): string {
    return join(this.#dir, `${this.#n++}-${name}`)
  }
}

function marker (token: number): string {
  return `t${token.toString(16).padStart(2, '0')}`
}

/** A parsed XML element: enough XML for what wbxml2xml prints. */
export interface XmlElement { name: string, attributes: Map<string, string>, children: (XmlElement | string)[] }

/** Parses the XML that wbxml2xml writes: prolog, DOCTYPE, elements, attributes, text, entities. */
export function parseXml (text: string): XmlElement {
  const body = text.replace(/^<\?xml[^>]*\?>/, '').replace(/^\s*<!DOCTYPE[^>]*>/, '').trim()
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  const re = /<\/([^>\s]+)\s*>|<([^>\s/]+)((?:\s+[^\s=]+="[^"]*")*)\s*(\/?)>|([^<]+)/gy
  let m: RegExpExecArray | null
  let consumed = 0
  while ((m = re.exec(body)) !== null) {
    consumed = re.lastIndex
    if (m[1] !== undefined) {
      const open = stack.pop()
      if (open?.name !== m[1]) throw new Error(`mismatched </${m[1]}>`)
      continue
    }
    if (m[5] !== undefined) {
      stack.at(-1)?.children.push(unescapeXml(m[5]))
      continue
    }
    const el: XmlElement = { name: m[2] as string, attributes: new Map(), children: [] }
    for (const a of (m[3] ?? '').matchAll(/([^\s=]+)="([^"]*)"/g)) el.attributes.set(a[1] as string, unescapeXml(a[2] as string))
    const parent = stack.at(-1)
    if (parent === undefined) root = el
    else parent.children.push(el)
    if (m[4] !== '/') stack.push(el)
  }
  if (root === undefined || stack.length > 0 || consumed !== body.length) throw new Error(`unparsed XML: ${text.slice(0, 200)}`)
  return root
}

function unescapeXml (s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, e: string) =>
    e === 'lt'
      ? '<'
      : e === 'gt'
        ? '>'
        : e === 'amp'
          ? '&'
          : e === 'quot'
            ? '"'
            : e === 'apos'
              ? "'"
              : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)))
}

/** Escapes text for an XML element body. */
export function escapeXml (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Converts wbxml2xml output to a token tree: namespaces come from the (inherited) default
 * `xmlns`, leaf text becomes hex of its bytes — base64-decoded for tags libwbxml treats as binary.
 */
export function xmlToTokens (el: XmlElement, v: Vocabulary, inherited = ''): TokenElement {
  const ns = el.attributes.get('xmlns') ?? inherited
  const page = v.pageOfNamespace.get(ns)
  const token = v.tokenOf.get(`${page}:${el.name}`)
  if (page === undefined || token === undefined) throw new Error(`libwbxml name ${ns}${el.name} not in its vocabulary`)
  const elements = el.children.filter((c): c is XmlElement => typeof c !== 'string')
  const text = el.children.filter((c): c is string => typeof c === 'string').join('')
  const out: TokenElement = { page, token, children: elements.map((c) => xmlToTokens(c, v, ns)) }
  if (text !== '') out.bytes = Buffer.from(text, v.binary.has(`${page}:${token}`) ? 'base64' : 'utf8').toString('hex')
  return out
}
