import type { WbxmlElement, WbxmlNode } from './wbxml-node.js'

/**
 * Elements whose text is message content or addresses (MS-ASCMD: AirSyncBase Body/Data and
 * attachments, Email Subject/From/To/Cc..., Contacts and Calendar personal fields, ComposeMail
 * Mime, ItemOperations Data): shown as `[N bytes]` unless content is asked for.
 */
export const CONTENT_TAGS: ReadonlySet<string> = new Set([
  'Body', 'Data', 'Mime', 'Preview', 'Attachment', 'Attachments', 'Subject', 'ThreadTopic', 'From', 'To', 'Cc', 'Bcc',
  'ReplyTo', 'Sender', 'DisplayTo', 'DisplayName', 'Location', 'OrganizerName', 'OrganizerEmail', 'Organizer', 'Email',
  'Email1Address', 'Email2Address', 'Email3Address', 'FileAs', 'FirstName', 'LastName', 'MiddleName', 'Picture',
  'MobilePhoneNumber', 'HomePhoneNumber', 'BusinessPhoneNumber', 'Notes', 'Categories', 'Alias', 'Name', 'Query', 'Value'
])

/** Options of {@link wbxmlToXml}. */
export interface XmlOptions {
  /** Show what {@link CONTENT_TAGS} hold, and opaque data as base64. Default: false */
  readonly showContent?: boolean
}

const esc = (s: string): string => s.replace(/[&<>]/g, (c) => c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')

/**
 * Renders a decoded WBXML tree as indented XML, one element per line; `xmlns` where the code page
 * changes. Without `showContent`, every content element (and everything under it) becomes a byte
 * count, and opaque data is never shown.
 */
export function wbxmlToXml (root: WbxmlElement, opts: XmlOptions = {}): string {
  const out: string[] = []
  const walk = (el: WbxmlElement, ns: string | undefined, depth: number): void => {
    const pad = '  '.repeat(depth)
    const open = `${el.tag}${el.namespace !== ns ? ` xmlns="${el.namespace}"` : ''}`
    if (el.children.length === 0) { out.push(`${pad}<${open}/>`); return }
    if (opts.showContent !== true && CONTENT_TAGS.has(el.tag)) {
      out.push(`${pad}<${open}>[${contentBytes(el.children)} bytes]</${el.tag}>`)
      return
    }
    if (el.children.every((c) => c.type !== 'element')) {
      out.push(`${pad}<${open}>${el.children.map((c) => leaf(c, opts)).join('')}</${el.tag}>`)
      return
    }
    out.push(`${pad}<${open}>`)
    for (const c of el.children) {
      if (c.type === 'element') walk(c, el.namespace, depth + 1)
      else out.push(`${pad}  ${leaf(c, opts)}`)
    }
    out.push(`${pad}</${el.tag}>`)
  }
  walk(root, undefined, 0)
  return out.join('\n')
}

function leaf (n: WbxmlNode, opts: XmlOptions): string {
  if (n.type === 'text') return esc(n.text)
  if (n.type === 'opaque') return opts.showContent === true ? `[opaque base64:${Buffer.from(n.data).toString('base64')}]` : `[opaque ${n.data.length} bytes]`
  return ''
}

function contentBytes (nodes: readonly WbxmlNode[]): number {
  let n = 0
  for (const c of nodes) n += c.type === 'text' ? Buffer.byteLength(c.text) : c.type === 'opaque' ? c.data.length : contentBytes(c.children)
  return n
}
