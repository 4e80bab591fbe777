import { badQuery, checkText, type EasQuery, type MutableEasQuery } from './eas-query.js'
import { commandFromCode } from './normalize-command.js'

/** Protocol version byte → version (MS-ASHTTP §2.2.1.1.1.1: only these may use the base64 form). */
const VERSIONS: ReadonlyMap<number, string> = new Map([[121, '12.1'], [140, '14.0'], [141, '14.1'], [160, '16.0'], [161, '16.1']])

/** Command parameter tags (MS-ASHTTP §2.2.1.1.1.1.3); 2 and 5 are deprecated but still decoded. */
const TEXT_TAGS: ReadonlyMap<number, [name: string, field: TextField]> = new Map([
  [0, ['AttachmentName', 'attachmentName']], [1, ['CollectionId', 'collectionId']],
  [2, ['CollectionName', 'collectionName']], [3, ['ItemId', 'itemId']], [4, ['LongId', 'longId']],
  [5, ['ParentId', 'parentId']], [6, ['Occurrence', 'occurrence']], [8, ['User', 'user']]
])
const OPTIONS_TAG = 7
const SAVE_IN_SENT = 0x01
const ACCEPT_MULTI_PART = 0x02

type TextField = 'attachmentName' | 'collectionId' | 'collectionName' | 'itemId' | 'longId' | 'parentId' | 'occurrence' | 'user'

/**
 * Parses the base64 form (MS-ASHTTP §2.2.1.1.1.1). `query` may carry `%2B`, `%2F` and `%3D`
 * escapes; it is percent-decoded first. Every length field is checked against the bytes that
 * remain, and errors name the field and its byte offset.
 */
export function parseBase64Query (query: string): EasQuery {
  const bytes = decodeBase64(query)
  const r = new Reader(bytes)
  const versionByte = r.byte('protocol version')
  const protocolVersion = VERSIONS.get(versionByte)
  if (protocolVersion === undefined) throw badQuery(`base64 query: protocol version byte ${versionByte} is not 121, 140, 141, 160 or 161`)
  const code = r.byte('command code')
  const command = commandFromCode(code)
  if (command === undefined) throw badQuery(`base64 query: unknown command code ${code}`)
  const locale = r.byte('locale') | (r.byte('locale') << 8)
  const deviceIdLength = r.byte('device ID length')
  if (deviceIdLength === 0) throw badQuery('base64 query: device ID length is 0 (at byte 4)')
  const deviceId = formatDeviceId(r.take(deviceIdLength, 'device ID'))
  const policyKeyAt = r.pos
  const policyKeyLength = r.byte('policy key length')
  if (policyKeyLength !== 0 && policyKeyLength !== 4) {
    throw badQuery(`base64 query: policy key length ${policyKeyLength} (at byte ${policyKeyAt}), expected 0 or 4`)
  }
  const keyBytes = r.take(policyKeyLength, 'policy key')
  // uint32, little-endian as Z-Push/grommunio read it (PROTOCOL.md §1.3; the spec does not say).
  const policyKey = policyKeyLength === 4 ? new DataView(keyBytes.buffer, keyBytes.byteOffset, 4).getUint32(0, true) : undefined
  const deviceTypeLength = r.byte('device type length')
  if (deviceTypeLength === 0) throw badQuery(`base64 query: device type length is 0 (at byte ${r.pos - 1})`)
  const deviceType = ascii(r.take(deviceTypeLength, 'device type'))
  if (deviceType === undefined) throw badQuery('base64 query: device type is not printable ASCII')
  const q: MutableEasQuery = { form: 'base64', command, deviceId, deviceType, protocolVersion, locale }
  if (policyKey !== undefined) q.policyKey = policyKey
  readParameters(r, q)
  return q
}

/** Reads the Tag(1) Length(1) Value parameters (MS-ASHTTP §2.2.1.1.1.1.1) up to the end. */
function readParameters (r: Reader, q: MutableEasQuery): void {
  const seen = new Set<number>()
  while (!r.done) {
    const at = r.pos
    const tag = r.byte('parameter tag')
    const length = r.byte('parameter length')
    const value = r.take(length, `parameter ${tag} value`)
    if (seen.has(tag)) throw badQuery(`base64 query: parameter tag ${tag} appears more than once (at byte ${at})`)
    seen.add(tag)
    if (tag === OPTIONS_TAG) {
      readOptions(value, at, q)
      continue
    }
    const text = TEXT_TAGS.get(tag)
    if (text === undefined) throw badQuery(`base64 query: unknown parameter tag ${tag} (at byte ${at})`)
    let decoded: string
    try {
      decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value)
    } catch {
      throw badQuery(`base64 query: ${text[0]} is not valid UTF-8 (at byte ${at + 2})`)
    }
    q[text[1]] = checkText(text[0], decoded)
  }
}

function readOptions (value: Uint8Array, at: number, q: MutableEasQuery): void {
  const flags = value[0]
  if (value.length !== 1 || flags === undefined) throw badQuery(`base64 query: Options must be 1 byte, got ${value.length} (at byte ${at})`)
  if ((flags & ~(SAVE_IN_SENT | ACCEPT_MULTI_PART)) !== 0) {
    throw badQuery(`base64 query: Options 0x${flags.toString(16).padStart(2, '0')} has undefined bits (at byte ${at + 2})`)
  }
  q.saveInSent = (flags & SAVE_IN_SENT) !== 0
  q.acceptMultiPart = (flags & ACCEPT_MULTI_PART) !== 0
}

/** RFC 2045 base64 with optional padding, after undoing percent-escapes. */
function decodeBase64 (query: string): Uint8Array {
  let text: string
  try {
    text = decodeURIComponent(query)
  } catch {
    throw badQuery('invalid percent-encoding in the base64 query')
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw badQuery('query is neither plain text (no Cmd parameter) nor base64')
  const padded = text.endsWith('=')
  if ((padded && text.length % 4 !== 0) || (!padded && text.length % 4 === 1)) throw badQuery('base64 query has an invalid length')
  return Uint8Array.from(Buffer.from(text, 'base64'))
}

/** ASCII when every byte is a letter or digit (the plain-form alphabet), else lowercase hex. */
function formatDeviceId (bytes: Uint8Array): string {
  const text = ascii(bytes)
  if (text !== undefined && /^[A-Za-z0-9]+$/.test(text)) return text
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

function ascii (bytes: Uint8Array): string | undefined {
  for (const b of bytes) if (b < 0x21 || b > 0x7e) return undefined
  return String.fromCharCode(...bytes)
}

/** A cursor over the decoded bytes whose reads fail with a message naming the field. */
class Reader {
  readonly #bytes: Uint8Array
  pos = 0

  constructor (bytes: Uint8Array) {
    this.#bytes = bytes
  }

  get done (): boolean {
    return this.pos >= this.#bytes.length
  }

  byte (field: string): number {
    const b = this.#bytes[this.pos]
    if (b === undefined) throw badQuery(`base64 query ends before the ${field} (at byte ${this.pos})`)
    this.pos++
    return b
  }

  take (length: number, field: string): Uint8Array {
    if (this.pos + length > this.#bytes.length) {
      throw badQuery(`base64 query: ${field} needs ${length} bytes, ${this.#bytes.length - this.pos} remain (at byte ${this.pos})`)
    }
    const out = this.#bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }
}
