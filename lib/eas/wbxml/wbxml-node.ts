/**
 * The decoded WBXML tree: elements named by (namespace, tag) as in MS-ASWBXML, inline strings
 * (STR_I) as text nodes and OPAQUE data as byte nodes, in document order. Mixed content and
 * adjacent text nodes are kept as they came, so a decoded tree re-encodes to the same bytes.
 */
import type { EasNamespace } from './codepages/index.js'

/** An element; `children` is empty for an element encoded without content (`<Ping/>`). */
export interface WbxmlElement {
  readonly type: 'element'
  readonly namespace: EasNamespace
  readonly tag: string
  readonly children: WbxmlNode[]
}

/** An inline string (STR_I), already decoded from UTF-8. */
export interface WbxmlText {
  readonly type: 'text'
  readonly text: string
}

/** Opaque data (OPAQUE): raw bytes, e.g. MIME or a ConversationId. */
export interface WbxmlOpaque {
  readonly type: 'opaque'
  readonly data: Uint8Array
}

/** Any node of the tree. */
export type WbxmlNode = WbxmlElement | WbxmlText | WbxmlOpaque

/**
 * Builds an element. A string `content` becomes one text child; an array is used as the
 * children; no content gives an empty element.
 */
export function wbxmlElement (namespace: EasNamespace, tag: string, content?: string | WbxmlNode[]): WbxmlElement {
  const children = content === undefined ? [] : typeof content === 'string' ? [wbxmlText(content)] : content
  return { type: 'element', namespace, tag, children }
}

/** Builds a text node. */
export function wbxmlText (text: string): WbxmlText {
  return { type: 'text', text }
}

/** Builds an opaque node. */
export function wbxmlOpaque (data: Uint8Array): WbxmlOpaque {
  return { type: 'opaque', data }
}

/** The element children of `el`, optionally only those with the given tag. */
export function childElements (el: WbxmlElement, tag?: string): WbxmlElement[] {
  const out: WbxmlElement[] = []
  for (const c of el.children) if (c.type === 'element' && (tag === undefined || c.tag === tag)) out.push(c)
  return out
}

/**
 * The text of a leaf element: its text nodes and its opaque data read as UTF-8, concatenated
 * (MS-ASCMD integers normally come as STR_I; reading OPAQUE too is defensive, PROTOCOL.md §3.6).
 * Undefined when `el` has child elements or opaque data that is not valid UTF-8.
 */
export function textContent (el: WbxmlElement): string | undefined {
  let text = ''
  for (const c of el.children) {
    if (c.type === 'element') return undefined
    if (c.type === 'text') {
      text += c.text
    } else {
      try {
        text += new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(c.data)
      } catch {
        return undefined
      }
    }
  }
  return text
}
