import { GatewayError } from '../errors.js'

/** Which of the two MS-ASHTTP §2.2.1.1.1 query encodings a request used. */
export type EasQueryForm = 'plain' | 'base64'

/**
 * What the request URI says about a request (MS-ASHTTP §2.2.1.1.1). Optional fields are absent
 * when the query does not carry them; in the plain form the protocol version, policy key and
 * AcceptMultiPart travel in headers instead (MS-ASHTTP §2.2.1.1.2), so they are absent here.
 */
export interface EasQuery {
  readonly form: EasQueryForm
  /** MS-ASCMD spelling for a known command (`Cmd=ping` gives `Ping`), else the name as sent. */
  readonly command: string
  /** `User` (plain) or parameter tag 8 (base64): informational; the identity is in Authorization. */
  readonly user?: string
  /** Plain: as sent. Base64: the bytes as ASCII when all are letters or digits, else lowercase hex. */
  readonly deviceId: string
  readonly deviceType: string
  /** Base64 only: `12.1`, `14.0`, `14.1`, `16.0` or `16.1`. */
  readonly protocolVersion?: string
  /** Base64 only: MS-LCID locale, e.g. 0x0409 (en-US). */
  readonly locale?: number
  /** Base64 only: the 4-byte policy key (uint32, little-endian). */
  readonly policyKey?: number
  readonly attachmentName?: string
  readonly collectionId?: string
  /** Deprecated (base64 tag 2). */
  readonly collectionName?: string
  readonly itemId?: string
  readonly longId?: string
  /** Deprecated (base64 tag 5). */
  readonly parentId?: string
  readonly occurrence?: string
  /** Plain `SaveInSent=T|F` or base64 Options bit 0x01; absent means the default, F. */
  readonly saveInSent?: boolean
  /** Base64 Options bit 0x02 (ItemOperations). */
  readonly acceptMultiPart?: boolean
}

/** The same fields, writable, for the parsers to fill in. */
export type MutableEasQuery = { -readonly [K in keyof EasQuery]: EasQuery[K] }

/** Longest query string accepted, in characters; real ones stay under 300. */
export const MAX_QUERY_LENGTH = 8192
/** Longest command-parameter value: the base64 form's 1-byte length (MS-ASHTTP §2.2.1.1.1.1.1). */
export const MAX_PARAMETER_LENGTH = 255

// C0 controls and DEL: never valid in an identifier that ends up in logs.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
const CONTROL = /[\u0000-\u001f\u007f]/

/** A GW_ERR_EAS_BAD_QUERY error with the given detail. */
export function badQuery (detail: string): GatewayError {
  return new GatewayError('GW_ERR_EAS_BAD_QUERY', detail)
}

/** Checks a free-text parameter value: 1..255 characters, no control characters. */
export function checkText (name: string, value: string): string {
  if (value.length === 0) throw badQuery(`${name} is empty`)
  if (value.length > MAX_PARAMETER_LENGTH) throw badQuery(`${name} is longer than ${MAX_PARAMETER_LENGTH} characters`)
  if (CONTROL.test(value)) throw badQuery(`${name} contains a control character`)
  return value
}

/** Checks a device type: 1..255 printable ASCII characters (VCHAR, MS-ASHTTP §2.2.1.1.1.2.4). */
export function checkDeviceType (value: string): string {
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) throw badQuery('DeviceType must be 1 to 255 printable ASCII characters (VCHAR)')
  return value
}
