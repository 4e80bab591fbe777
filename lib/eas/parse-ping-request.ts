import { GatewayError } from '../errors.js'
import { decodeWbxml } from './wbxml/decode-wbxml.js'
import type { WbxmlLimits } from './wbxml/wbxml-limits.js'
import { childElements, textContent, type WbxmlElement } from './wbxml/wbxml-node.js'

/** Folder classes a Ping may monitor (MS-ASCMD §2.2.3.27.4). */
export type PingFolderClass = 'Email' | 'Calendar' | 'Contacts' | 'Tasks' | 'Notes'

/** One monitored folder of a Ping request. */
export interface PingFolder {
  /** Server id from FolderSync, at most 64 characters (MS-ASCMD §2.2.3.90). */
  readonly id: string
  readonly class: PingFolderClass
}

/**
 * A parsed Ping request. `{ empty: true }` is a Ping without a body: the server reuses the
 * heartbeat and folders it cached from the last full Ping (MS-ASCMD §2.2.1.13, §3.1.5.8), so the
 * proxy must reuse its own cached heartbeat too. A bare `<Ping/>` gives `empty: false` with no
 * heartbeat and no folders.
 */
export type PingRequest =
  | { readonly empty: true }
  | { readonly empty: false, readonly heartbeatInterval?: number, readonly folders: readonly PingFolder[] }

const CLASSES: ReadonlySet<string> = new Set<PingFolderClass>(['Email', 'Calendar', 'Contacts', 'Tasks', 'Notes'])
const MAX_ID_LENGTH = 64

/**
 * Parses a Ping request body (MS-ASCMD §2.2.1.13, schema §6.29). WBXML defects throw the
 * decoder's GW_ERR_WBXML_* error; a well-formed body that is not a valid Ping throws
 * GW_ERR_EAS_BAD_REQUEST: wrong root, an unknown or repeated child, a HeartbeatInterval that is
 * not a decimal integer, an empty Folders, a Folder without exactly one Id and one Class, an
 * unknown Class, or the same Id twice (which the server answers with Status 4, §2.2.3.90).
 */
export function parsePingRequest (body: Uint8Array, limits?: Partial<WbxmlLimits>): PingRequest {
  if (body.length === 0) return { empty: true }
  const root = decodeWbxml(body, limits)
  if (root.namespace !== 'Ping' || root.tag !== 'Ping') throw bad(`root element is ${root.namespace}:${root.tag}, expected Ping:Ping`)
  // PingRequest.xsd: xs:all of HeartbeatInterval and Folders, each 0..1.
  const parts = uniqueChildren(root, ['HeartbeatInterval', 'Folders'])
  const folders = parts.Folders === undefined ? [] : parseFolders(parts.Folders)
  const hb = parts.HeartbeatInterval
  if (hb === undefined) return { empty: false, folders }
  const text = textContent(hb)
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) throw bad('HeartbeatInterval is not a decimal integer')
  return { empty: false, heartbeatInterval: Number(text), folders }
}

function parseFolders (el: WbxmlElement): PingFolder[] {
  uniqueChildren(el, [], 'Folder')
  const folders = childElements(el, 'Folder')
  if (folders.length === 0) throw bad('Folders has no Folder')
  const ids = new Set<string>()
  return folders.map((folder) => {
    const parts = uniqueChildren(folder, ['Id', 'Class'])
    const id = parts.Id === undefined ? undefined : textContent(parts.Id)
    if (id === undefined || id.length === 0 || id.length > MAX_ID_LENGTH) throw bad(`Folder needs an Id of 1 to ${MAX_ID_LENGTH} characters`)
    if (ids.has(id)) throw bad(`folder Id "${id}" appears more than once`)
    ids.add(id)
    const cls = parts.Class === undefined ? undefined : textContent(parts.Class)
    if (cls === undefined || !CLASSES.has(cls)) throw bad(`Folder "${id}" needs a Class of Email, Calendar, Contacts, Tasks or Notes`)
    return { id, class: cls as PingFolderClass }
  })
}

/**
 * Checks that every child of `el` is a Ping element named in `once` (at most one each) or
 * `repeated`, and returns the `once` children by name. Text directly inside `el` is an error.
 */
function uniqueChildren (el: WbxmlElement, once: readonly string[], repeated?: string): Record<string, WbxmlElement | undefined> {
  const found: Record<string, WbxmlElement | undefined> = {}
  for (const child of el.children) {
    if (child.type !== 'element') throw bad(`unexpected ${child.type} inside ${el.tag}`)
    if (child.namespace === 'Ping' && child.tag === repeated) continue
    if (child.namespace !== 'Ping' || !once.includes(child.tag)) throw bad(`unexpected ${child.namespace}:${child.tag} inside ${el.tag}`)
    if (found[child.tag] !== undefined) throw bad(`${child.tag} appears more than once inside ${el.tag}`)
    found[child.tag] = child
  }
  return found
}

function bad (detail: string): GatewayError {
  return new GatewayError('GW_ERR_EAS_BAD_REQUEST', `Ping: ${detail}`)
}
