import { badQuery, checkDeviceType, checkText, type EasQuery, type MutableEasQuery } from './eas-query.js'
import { normalizeCommand } from './normalize-command.js'

/** Parameters the plain form defines (MS-ASHTTP §2.2.1.1.1.2 and §2.2.1.1.1.2.5), by lowercase name. */
const PARAMETERS = new Map<string, string>([
  ['cmd', 'Cmd'], ['user', 'User'], ['deviceid', 'DeviceId'], ['devicetype', 'DeviceType'],
  ['attachmentname', 'AttachmentName'], ['collectionid', 'CollectionId'], ['collectionname', 'CollectionName'],
  ['itemid', 'ItemId'], ['longid', 'LongId'], ['parentid', 'ParentId'], ['occurrence', 'Occurrence'],
  ['saveinsent', 'SaveInSent']
])
/** The same names as MS-ASHTTP spells them. */
const CANONICAL: ReadonlySet<string> = new Set(PARAMETERS.values())

/**
 * Parses the plain-text form (MS-ASHTTP §2.2.1.1.1.2). Parameters may come in any order (iOS does
 * not follow the ABNF order) and their names match case-insensitively. Values are
 * form-decoded (`+` is a space, then percent-decoding, as IIS and PHP do). Empty pairs
 * (`&&`, a trailing `&`) and unknown parameters are ignored; a known parameter given twice, even
 * with the same value, is an error, because a backend might pick the other copy.
 */
export function parsePlainQuery (query: string): EasQuery {
  const values = new Map<string, string>()
  // Pair by pair with indexOf, no array of pairs; a name spelled as MS-ASHTTP spells it (nearly
  // every client) is found without lowercasing it (issue #14: per-request allocations).
  for (let start = 0; start <= query.length;) {
    const amp = query.indexOf('&', start)
    const end = amp === -1 ? query.length : amp
    const eq = query.indexOf('=', start)
    const hasValue = eq !== -1 && eq < end
    if (end > start) {
      const name = formDecode(query.slice(start, hasValue ? eq : end), 'a parameter name')
      const canonical = CANONICAL.has(name) ? name : PARAMETERS.get(name.toLowerCase())
      if (canonical !== undefined) {
        if (values.has(canonical)) throw badQuery(`parameter ${canonical} appears more than once`)
        values.set(canonical, formDecode(hasValue ? query.slice(eq + 1, end) : '', canonical))
      }
    }
    start = end + 1
  }
  const cmd = required(values, 'Cmd')
  // command-name = 1*ALPHA (MS-ASHTTP §2.2.1.1.1.2.1); 64 bounds what reaches the logs.
  if (!/^[A-Za-z]{1,64}$/.test(cmd)) throw badQuery('Cmd must be 1 to 64 letters')
  const deviceId = required(values, 'DeviceId')
  // MS-ASHTTP §2.2.1.1.1.2.3 says device-id = 1*32(ALPHA / DIGIT), but clients in the field send
  // longer ids and punctuation, and Exchange serves them: a gateway that is stricter than the
  // server cuts real phones off mail. Accept 1..128 printable ASCII characters (safe for logs).
  if (!/^[\x21-\x7e]{1,128}$/.test(deviceId)) throw badQuery('DeviceId must be 1 to 128 printable ASCII characters')
  const known = normalizeCommand(cmd)
  const q: MutableEasQuery = {
    form: 'plain',
    command: known === 'other' ? cmd : known,
    deviceId,
    deviceType: checkDeviceType(required(values, 'DeviceType'))
  }
  // User is required by the ABNF but only informational (MS-ASHTTP §2.2.1.1.1.1.3): tolerate its absence.
  const user = values.get('User')
  if (user !== undefined) q.user = checkText('User', user)
  copyText(values, q, 'AttachmentName', 'attachmentName')
  copyText(values, q, 'CollectionId', 'collectionId')
  copyText(values, q, 'CollectionName', 'collectionName')
  copyText(values, q, 'ItemId', 'itemId')
  copyText(values, q, 'LongId', 'longId')
  copyText(values, q, 'ParentId', 'parentId')
  copyText(values, q, 'Occurrence', 'occurrence')
  const saveInSent = values.get('SaveInSent')
  if (saveInSent !== undefined) {
    // "Set this parameter to T ... otherwise, set the parameter to F" (MS-ASHTTP §2.2.1.1.1.2.5)
    if (saveInSent !== 'T' && saveInSent !== 'F') throw badQuery('SaveInSent must be T or F')
    q.saveInSent = saveInSent === 'T'
  }
  return q
}

/** True when `name` (not yet percent-decoded) is a plain-form parameter name, in any case. */
export function isPlainParameterName (name: string): boolean {
  return PARAMETERS.has(name.toLowerCase())
}

function required (values: Map<string, string>, name: string): string {
  const value = values.get(name)
  if (value === undefined) throw badQuery(`missing parameter ${name}`)
  if (value === '') throw badQuery(`${name} is empty`)
  return value
}

type TextField = 'attachmentName' | 'collectionId' | 'collectionName' | 'itemId' | 'longId' | 'parentId' | 'occurrence'

function copyText (values: Map<string, string>, q: MutableEasQuery, name: string, field: TextField): void {
  const value = values.get(name)
  if (value !== undefined) q[field] = checkText(name, value)
}

function formDecode (text: string, what: string): string {
  // Most names and values need no decoding: returned as they are (same result, no regex or copy).
  if (!text.includes('%') && !text.includes('+')) return text
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    throw badQuery(`invalid percent-encoding in ${what}`)
  }
}
