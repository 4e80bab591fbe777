import { codePageByNumber, type CodePage } from './codepages/index.js'
import { readMbUint32 } from './mb-uint32.js'
import { WbxmlError } from './wbxml-error.js'
import { resolveLimits, type WbxmlLimits } from './wbxml-limits.js'
import type { WbxmlElement, WbxmlNode } from './wbxml-node.js'

/** WBXML 1.3 global tokens (WBXML 1.3 §7.1). */
const SWITCH_PAGE = 0x00
const END = 0x01
const STR_I = 0x03
const OPAQUE = 0xc3
/**
 * Global tokens that MS-ASWBXML §2.1.1 says ActiveSync does not use, by byte value. With the four
 * handled above they are every byte whose low six bits are below 0x05, so what remains is a tag.
 */
const UNUSED_GLOBALS: Readonly<Record<number, string>> = {
  0x02: 'ENTITY',
  0x04: 'LITERAL',
  0x40: 'EXT_I_0',
  0x41: 'EXT_I_1',
  0x42: 'EXT_I_2',
  0x43: 'PI',
  0x44: 'LITERAL_C',
  0x80: 'EXT_T_0',
  0x81: 'EXT_T_1',
  0x82: 'EXT_T_2',
  0x83: 'STR_T',
  0x84: 'LITERAL_A',
  0xc0: 'EXT_0',
  0xc1: 'EXT_1',
  0xc2: 'EXT_2',
  0xc4: 'LITERAL_AC'
}

/** Decoding state of one call; the decoder itself holds none. */
interface State {
  readonly bytes: Uint8Array
  readonly limits: WbxmlLimits
  readonly utf8: InstanceType<typeof TextDecoder>
  pos: number
  page: CodePage
  nodes: number
  root: WbxmlElement | undefined
  /** Open elements, innermost last. */
  readonly open: WbxmlElement[]
}

/**
 * Decodes an ActiveSync WBXML body into a tree (MS-ASWBXML §2.1.1, WBXML 1.3). Accepts only what
 * EAS peers send: header `03 01 6A 00`, tags of code pages 0..24, SWITCH_PAGE, END, STR_I and
 * OPAQUE. Anything else, a limit overrun, or bytes after the root element throw a WbxmlError
 * whose `offset` points at the offending byte. Runs in one pass, in time linear in the input.
 */
export function decodeWbxml (bytes: Uint8Array, limits?: Partial<WbxmlLimits>): WbxmlElement {
  const page0 = codePageByNumber(0) as CodePage
  const s: State = {
    bytes,
    limits: resolveLimits(limits),
    utf8: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }),
    pos: readHeader(bytes),
    page: page0,
    nodes: 0,
    root: undefined,
    open: []
  }
  while (s.pos < bytes.length) {
    if (s.root !== undefined && s.open.length === 0) {
      throw new WbxmlError('GW_ERR_WBXML_TRAILING_DATA', 'the root element is already closed', s.pos)
    }
    step(s)
  }
  if (s.root === undefined) throw new WbxmlError('GW_ERR_WBXML_TRUNCATED', 'no root element', bytes.length)
  if (s.open.length > 0) {
    throw new WbxmlError('GW_ERR_WBXML_TRUNCATED', `${s.open.length} element(s) not closed, innermost <${(s.open.at(-1) as WbxmlElement).tag}>`, bytes.length)
  }
  return s.root
}

/** Checks the 4-field header (WBXML 1.3 §5.4, MS-ASWBXML §2.1.1) and returns where the body starts. */
function readHeader (bytes: Uint8Array): number {
  if (bytes.length === 0) throw new WbxmlError('GW_ERR_WBXML_TRUNCATED', 'empty input', 0)
  if (bytes[0] !== 0x03) {
    throw new WbxmlError('GW_ERR_WBXML_BAD_HEADER', `version byte 0x${hex(bytes[0] as number)}, expected 0x03 (WBXML 1.3)`, 0)
  }
  const [publicId, afterId] = readMbUint32(bytes, 1)
  if (publicId !== 1) throw new WbxmlError('GW_ERR_WBXML_BAD_HEADER', `public identifier ${publicId}, expected 1 (unknown)`, 1)
  const [charset, afterCharset] = readMbUint32(bytes, afterId)
  if (charset !== 106) throw new WbxmlError('GW_ERR_WBXML_BAD_HEADER', `charset ${charset}, expected 106 (UTF-8)`, afterId)
  const [tableLength, body] = readMbUint32(bytes, afterCharset)
  if (tableLength !== 0) {
    throw new WbxmlError('GW_ERR_WBXML_BAD_HEADER', `string table of ${tableLength} bytes; ActiveSync uses none`, afterCharset)
  }
  return body
}

/** Consumes one token at `s.pos`. */
function step (s: State): void {
  const b = s.bytes[s.pos] as number
  if (b === SWITCH_PAGE) return switchPage(s)
  if (b === END) return end(s)
  if (b === STR_I) return inlineString(s)
  if (b === OPAQUE) return opaque(s)
  const unused = UNUSED_GLOBALS[b]
  if (unused !== undefined) throw new WbxmlError('GW_ERR_WBXML_UNSUPPORTED_TOKEN', `global token ${unused} (0x${hex(b)})`, s.pos)
  if ((b & 0x80) !== 0) throw new WbxmlError('GW_ERR_WBXML_UNSUPPORTED_TOKEN', `tag 0x${hex(b)} with attributes`, s.pos)
  tag(s, b)
}

function switchPage (s: State): void {
  const number = s.bytes[s.pos + 1]
  if (number === undefined) throw new WbxmlError('GW_ERR_WBXML_TRUNCATED', 'SWITCH_PAGE without a page number', s.bytes.length)
  const page = codePageByNumber(number)
  if (page === undefined) throw new WbxmlError('GW_ERR_WBXML_UNKNOWN_PAGE', `code page ${number} (ActiveSync defines 0..24)`, s.pos + 1)
  s.page = page
  s.pos += 2
}

function end (s: State): void {
  if (s.open.pop() === undefined) throw new WbxmlError('GW_ERR_WBXML_INVALID', 'END with no open element', s.pos)
  s.pos++
}

function tag (s: State, b: number): void {
  const token = b & 0x3f
  const name = s.page.tagByToken[token]
  if (name === undefined) {
    throw new WbxmlError('GW_ERR_WBXML_UNKNOWN_TOKEN', `token 0x${hex(token)} is not defined on code page ${s.page.page} (${s.page.namespace})`, s.pos)
  }
  const depth = s.open.length + 1
  if (depth > s.limits.maxDepth) throw new WbxmlError('GW_ERR_WBXML_TOO_DEEP', `depth ${depth} exceeds maxDepth ${s.limits.maxDepth}`, s.pos)
  const el: WbxmlElement = { type: 'element', namespace: s.page.namespace, tag: name, children: [] }
  if (s.root === undefined) {
    countNode(s)
    s.root = el
  } else {
    addChild(s, el)
  }
  if ((b & 0x40) !== 0) s.open.push(el)
  s.pos++
}

function inlineString (s: State): void {
  parentFor(s, 'inline string')
  const start = s.pos + 1
  // Search no further than the limit allows, so a huge unterminated string costs O(limit).
  const window = s.bytes.subarray(start, Math.min(s.bytes.length, start + s.limits.maxStringBytes + 1))
  const nul = window.indexOf(0)
  if (nul === -1) {
    if (start + window.length < s.bytes.length) {
      throw new WbxmlError('GW_ERR_WBXML_TOO_LONG', `inline string longer than maxStringBytes ${s.limits.maxStringBytes}`, s.pos)
    }
    throw new WbxmlError('GW_ERR_WBXML_TRUNCATED', 'inline string without its terminating NUL', s.bytes.length)
  }
  let text: string
  try {
    text = s.utf8.decode(window.subarray(0, nul))
  } catch (cause) {
    throw new WbxmlError('GW_ERR_WBXML_BAD_UTF8', `inline string: ${(cause as Error).message}`, start)
  }
  addChild(s, { type: 'text', text })
  s.pos = start + nul + 1
}

function opaque (s: State): void {
  parentFor(s, 'opaque data')
  const [length, start] = readMbUint32(s.bytes, s.pos + 1)
  if (length > s.limits.maxOpaqueBytes) {
    throw new WbxmlError('GW_ERR_WBXML_TOO_LONG', `opaque length ${length} exceeds maxOpaqueBytes ${s.limits.maxOpaqueBytes}`, s.pos)
  }
  if (start + length > s.bytes.length) {
    throw new WbxmlError('GW_ERR_WBXML_TRUNCATED', `opaque length ${length} runs past the end of the input`, s.bytes.length)
  }
  // A copy, so the tree never aliases the caller's buffer (Buffer#slice would share it).
  addChild(s, { type: 'opaque', data: new Uint8Array(s.bytes.subarray(start, start + length)) })
  s.pos = start + length
}

/** The open element that receives content; content outside the root is malformed. */
function parentFor (s: State, what: string): WbxmlElement {
  const parent = s.open.at(-1)
  if (parent === undefined) throw new WbxmlError('GW_ERR_WBXML_INVALID', `${what} outside the root element`, s.pos)
  return parent
}

function addChild (s: State, node: WbxmlNode): void {
  countNode(s)
  parentFor(s, 'element').children.push(node)
}

function countNode (s: State): void {
  if (++s.nodes > s.limits.maxNodes) throw new WbxmlError('GW_ERR_WBXML_TOO_MANY_NODES', `more than maxNodes ${s.limits.maxNodes}`, s.pos)
}

function hex (b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase()
}
