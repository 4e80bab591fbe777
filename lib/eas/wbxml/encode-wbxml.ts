import { GatewayError } from '../../errors.js'
import { codePageByNamespace } from './codepages/index.js'
import { writeMbUint32 } from './mb-uint32.js'
import { resolveLimits, type WbxmlLimits } from './wbxml-limits.js'
import type { WbxmlElement, WbxmlNode } from './wbxml-node.js'

/** Header every ActiveSync body starts with (MS-ASWBXML §2.1.1): WBXML 1.3, public id 1, UTF-8, no string table. */
const HEADER = [0x03, 0x01, 0x6a, 0x00] as const
const SWITCH_PAGE = 0x00
const END = 0x01
const STR_I = 0x03
const OPAQUE = 0xc3
const CONTENT = 0x40
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Collects output as small byte runs and large opaque blocks, joined once at the end. */
class ByteSink {
  readonly #chunks: Uint8Array[] = []
  #pending: number[] = []

  get pending (): number[] { return this.#pending }

  block (data: Uint8Array): void {
    this.#flush()
    this.#chunks.push(data)
  }

  finish (): Uint8Array {
    this.#flush()
    const out = new Uint8Array(this.#chunks.reduce((n, c) => n + c.length, 0))
    let at = 0
    for (const c of this.#chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }

  #flush (): void {
    if (this.#pending.length > 0) this.#chunks.push(Uint8Array.from(this.#pending))
    this.#pending = []
  }
}

interface EncodeState {
  readonly out: ByteSink
  readonly utf8: InstanceType<typeof TextEncoder>
  readonly limits: WbxmlLimits
  page: number
  nodes: number
}

/**
 * Encodes a tree as an ActiveSync WBXML body (MS-ASWBXML §2.1.1): header `03 01 6A 00`, then
 * tags with SWITCH_PAGE emitted only when the page changes (the initial page is 0), STR_I for
 * text, OPAQUE for bytes, END after each element that has children. An element without children
 * is written without the content bit, as libwbxml does. This is the inverse of decodeWbxml for
 * every body in that canonical form. Throws GW_ERR_WBXML_ENCODE for a tag not on its namespace's
 * code page, text containing NUL or a lone surrogate, or a tree deeper or larger than `limits`.
 */
export function encodeWbxml (root: WbxmlElement, limits?: Partial<WbxmlLimits>): Uint8Array {
  const s: EncodeState = { out: new ByteSink(), utf8: new TextEncoder(), limits: resolveLimits(limits), page: 0, nodes: 0 }
  s.out.pending.push(...HEADER)
  encodeElement(s, root, 1)
  return s.out.finish()
}

function encodeElement (s: EncodeState, el: WbxmlElement, depth: number): void {
  count(s)
  if (depth > s.limits.maxDepth) fail(`depth ${depth} exceeds maxDepth ${s.limits.maxDepth} at <${el.tag}>`)
  const page = codePageByNamespace(el.namespace)
  if (page === undefined) fail(`unknown namespace "${String(el.namespace)}"`)
  const token = page.tokenByTag.get(el.tag)
  if (token === undefined) fail(`tag "${el.tag}" is not on code page ${page.page} (${page.namespace})`)
  if (page.page !== s.page) {
    s.out.pending.push(SWITCH_PAGE, page.page)
    s.page = page.page
  }
  const hasContent = el.children.length > 0
  s.out.pending.push(hasContent ? token | CONTENT : token)
  if (!hasContent) return
  for (const child of el.children) encodeNode(s, child, depth + 1)
  s.out.pending.push(END)
}

function encodeNode (s: EncodeState, node: WbxmlNode, depth: number): void {
  if (node.type === 'element') return encodeElement(s, node, depth)
  count(s)
  if (node.type === 'text') {
    if (typeof node.text !== 'string') fail('text node without a string')
    if (node.text.includes('\0')) fail('text contains NUL, which STR_I cannot carry')
    if (LONE_SURROGATE.test(node.text)) fail('text contains a lone surrogate, which UTF-8 cannot carry')
    s.out.pending.push(STR_I)
    s.out.block(s.utf8.encode(node.text))
    s.out.pending.push(0x00)
    return
  }
  if (node.type === 'opaque' && node.data instanceof Uint8Array) {
    s.out.pending.push(OPAQUE)
    writeMbUint32(node.data.length, s.out.pending)
    s.out.block(node.data)
    return
  }
  fail(`unknown node type "${String((node as { type?: unknown }).type)}"`)
}

function count (s: EncodeState): void {
  if (++s.nodes > s.limits.maxNodes) fail(`more than maxNodes ${s.limits.maxNodes} nodes`)
}

function fail (detail: string): never {
  throw new GatewayError('GW_ERR_WBXML_ENCODE', detail)
}
