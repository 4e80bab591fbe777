/**
 * WBXML for the integration tests: XML <-> WBXML conversion and the few EAS
 * request bodies the tests send (FolderSync, Sync, Ping), plus a tiny XML
 * reader for the decoded responses.
 *
 * The conversion uses the libwbxml CLI (`xml2wbxml -a -n`, `wbxml2xml -l ACTIVESYNC`,
 * see shared PROTOCOL.md §3.5/§8) and is kept behind exactly two functions,
 * {@link toWbxml} and {@link fromWbxml}, so it can be swapped for the project's
 * own codec in lib/eas once that lands. Everything else here only deals in XML text.
 */
import { findExecutable, runCommand } from './proc.js'

/** The DOCTYPE libwbxml needs to select its ActiveSync language (PROTOCOL.md §3.5). */
export const ACTIVESYNC_DOCTYPE =
  '<!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">'

const CONVERT_TIMEOUT_MS = 10_000

function tool (name: 'xml2wbxml' | 'wbxml2xml'): string {
  const p = findExecutable(name)
  if (!p) throw new Error(`${name} not found: run \`bash scripts/peers-install.sh\` (package libwbxml2-utils)`)
  return p
}

/**
 * Encodes an EAS XML document (default namespaces such as `xmlns="Ping:"`) as
 * WBXML with header `03 01 6A 00` (anonymous, no string table). The XML
 * declaration and the ActiveSync DOCTYPE are added when missing.
 */
export async function toWbxml (xml: string): Promise<Buffer> {
  let doc = xml.trim()
  if (!doc.includes('<!DOCTYPE')) doc = doc.replace(/^(<\?xml[^>]*\?>)?/, (decl) => `${decl || '<?xml version="1.0"?>'}\n${ACTIVESYNC_DOCTYPE}\n`)
  const r = await runCommand(tool('xml2wbxml'), ['-a', '-n', '-o', '-', '-'], { input: doc, timeoutMs: CONVERT_TIMEOUT_MS })
  if (r.code !== 0 || r.stdout.length < 4) {
    throw new Error(`xml2wbxml failed (exit ${r.code}): ${r.stderr.trim()}\n${doc}`)
  }
  return r.stdout
}

/**
 * Decodes an EAS WBXML body to XML text (compact form, with the ActiveSync
 * DOCTYPE). An empty body decodes to the empty string.
 */
export async function fromWbxml (bytes: Uint8Array): Promise<string> {
  if (bytes.length === 0) return ''
  const r = await runCommand(tool('wbxml2xml'), ['-l', 'ACTIVESYNC', '-m', '0', '-o', '-', '-'], {
    input: Buffer.from(bytes),
    timeoutMs: CONVERT_TIMEOUT_MS,
  })
  const text = r.stdout.toString('utf8')
  if (r.code !== 0 || !text.includes('<')) {
    throw new Error(`wbxml2xml failed (exit ${r.code}): ${r.stderr.trim()} (input ${Buffer.from(bytes).subarray(0, 32).toString('hex')}…)`)
  }
  return text
}

/** Escapes text for use inside an XML element. */
export function xmlEscape (s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
}

/** `<FolderSync>` request body (XML). SyncKey "0" asks for the whole hierarchy. */
export function folderSyncXml (syncKey = '0'): string {
  return `<FolderSync xmlns="FolderHierarchy:"><SyncKey>${xmlEscape(syncKey)}</SyncKey></FolderSync>`
}

/** One collection of a {@link syncXml} request. */
export interface SyncCollectionRequest {
  syncKey: string;
  collectionId: string;
  /** Adds `<GetChanges/>`-style `<GetChanges>1</GetChanges>`; default: true unless syncKey is "0". */
  getChanges?: boolean;
  /** Default 50 (omitted for syncKey "0"). */
  windowSize?: number;
  /** AirSyncBase BodyPreference Type (1 = plain text); default 1 (omitted for syncKey "0"). */
  bodyType?: number;
  /** BodyPreference TruncationSize; default 2048. */
  truncationSize?: number;
}

/** `<Sync>` request body (XML). `heartbeat` (seconds) makes it a long-poll Sync. */
export function syncXml (collections: SyncCollectionRequest[], opts: { heartbeat?: number } = {}): string {
  const cols = collections
    .map((c) => {
      const initial = c.syncKey === '0'
      let x = `<Collection><SyncKey>${xmlEscape(c.syncKey)}</SyncKey><CollectionId>${xmlEscape(c.collectionId)}</CollectionId>`
      if (c.getChanges ?? !initial) x += '<GetChanges>1</GetChanges>'
      if (!initial) {
        x += `<WindowSize>${c.windowSize ?? 50}</WindowSize>`
        x +=
          '<Options><airsyncbase:BodyPreference>' +
          `<airsyncbase:Type>${c.bodyType ?? 1}</airsyncbase:Type>` +
          `<airsyncbase:TruncationSize>${c.truncationSize ?? 2048}</airsyncbase:TruncationSize>` +
          '</airsyncbase:BodyPreference></Options>'
      }
      return `${x}</Collection>`
    })
    .join('')
  const hb = opts.heartbeat === undefined ? '' : `<HeartbeatInterval>${opts.heartbeat}</HeartbeatInterval>`
  return `<Sync xmlns="AirSync:" xmlns:airsyncbase="AirSyncBase:"><Collections>${cols}</Collections>${hb}</Sync>`
}

/** A folder watched by a Ping. */
export interface PingFolder {
  id: string;
  /** "Email", "Calendar", "Contacts", "Tasks". */
  class: string;
}

/** `<Ping>` request body (XML). Omit `heartbeat` and `folders` for a `<Ping/>`-less cached Ping (send an empty body instead). */
export function pingXml (opts: { heartbeat?: number; folders?: PingFolder[] }): string {
  let x = '<Ping xmlns="Ping:">'
  if (opts.heartbeat !== undefined) x += `<HeartbeatInterval>${opts.heartbeat}</HeartbeatInterval>`
  if (opts.folders?.length) {
    x += '<Folders>'
    for (const f of opts.folders) x += `<Folder><Id>${xmlEscape(f.id)}</Id><Class>${xmlEscape(f.class)}</Class></Folder>`
    x += '</Folders>'
  }
  return `${x}</Ping>`
}

// ---------------------------------------------------------------- reading --

/** An element of a parsed XML document. */
export interface XmlElement {
  /** Local name (prefix removed). */
  name: string;
  /** Namespace URI ("Ping:", "AirSync:", ...), or "" when none. */
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (trimmed). */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities (s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10))
    return ENTITIES[e] ?? m
  })
}

/**
 * Parses the XML produced by {@link fromWbxml} (or any simple, well-formed XML
 * without a DTD internal subset) into a tree with resolved namespaces.
 * Throws on malformed input.
 */
export function parseXml (xml: string): XmlElement {
  const root: XmlElement = { name: '#document', ns: '', attrs: {}, children: [], text: '' }
  const stack: Array<{ el: XmlElement; scope: Map<string, string>; qname: string }> = [
    { el: root, scope: new Map([['', '']]), qname: '' },
  ]
  const re = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(xml))) {
    const top = stack[stack.length - 1]!
    if (m[1] !== undefined) {
      top.el.text += m[1]
    } else if (m[2] !== undefined) {
      if (m[2] !== top.qname || stack.length === 1) throw new Error(`XML: unexpected </${m[2]}> (open: <${top.qname}>)`)
      top.el.text = top.el.text.trim()
      stack.pop()
    } else if (m[3] !== undefined) {
      const scope = new Map(top.scope)
      const attrs: Record<string, string> = {}
      for (const a of (m[4] ?? '').matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const value = decodeEntities(a[2] ?? a[3] ?? '')
        const key = a[1]!
        if (key === 'xmlns') scope.set('', value)
        else if (key.startsWith('xmlns:')) scope.set(key.slice(6), value)
        else attrs[key] = value
      }
      const colon = m[3].indexOf(':')
      const prefix = colon >= 0 ? m[3].slice(0, colon) : ''
      const ns = scope.get(prefix)
      if (ns === undefined) throw new Error(`XML: undeclared prefix in <${m[3]}>`)
      const el: XmlElement = { name: colon >= 0 ? m[3].slice(colon + 1) : m[3], ns, attrs, children: [], text: '' }
      top.el.children.push(el)
      if (!m[5]) stack.push({ el, scope, qname: m[3] })
    } else if (m[6] !== undefined) {
      if (stack.length === 1) {
        if (m[6].trim()) throw new Error('XML: text outside the root element')
      } else top.el.text += decodeEntities(m[6])
    } else if (m[7] !== undefined) {
      throw new Error(`XML: stray '<' at offset ${m.index}`)
    } // else: comment, processing instruction or DOCTYPE: ignored
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1]!.qname}> is not closed`)
  const docRoot = root.children[0]
  if (!docRoot || root.children.length !== 1) throw new Error('XML: expected exactly one root element')
  return docRoot
}

/** All descendants (depth-first, document order) named `name`, optionally in namespace `ns`. */
export function findAll (el: XmlElement, name: string, ns?: string): XmlElement[] {
  const out: XmlElement[] = []
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name && (ns === undefined || c.ns === ns)) out.push(c)
      walk(c)
    }
  }
  walk(el)
  return out
}

/** The first descendant named `name` (optionally in `ns`), or undefined. */
export function findFirst (el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return findAll(el, name, ns)[0]
}

/** Text of the first direct child named `name`, or undefined. */
export function childText (el: XmlElement, name: string): string | undefined {
  return el.children.find((c) => c.name === name)?.text
}
