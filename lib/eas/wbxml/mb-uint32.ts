import { WbxmlError } from './wbxml-error.js'

/** Largest value of a WBXML mb_u_int32 (WBXML 1.3 §5.1: an unsigned 32-bit integer). */
const MAX_MB_UINT32 = 0xffff_ffff
/** 32 bits need at most five 7-bit groups. */
const MAX_MB_BYTES = 5

/**
 * Reads an mb_u_int32 at `pos` (WBXML 1.3 §5.1: big-endian 7-bit groups, high bit = more
 * follows). Returns the value and the position after it. Rejects running off the end
 * (GW_ERR_WBXML_TRUNCATED), more than five bytes, values above 2^32-1 and overlong forms with a
 * leading 0x80 group (GW_ERR_WBXML_BAD_MB_UINT32): an overlong form would not re-encode to the
 * same bytes, and no ActiveSync peer produces one.
 */
export function readMbUint32 (bytes: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0
  for (let i = 0; i < MAX_MB_BYTES; i++) {
    const b = bytes[pos + i]
    if (b === undefined) throw new WbxmlError('GW_ERR_WBXML_TRUNCATED', 'input ends inside a multi-byte integer', bytes.length)
    if (i === 0 && b === 0x80) throw new WbxmlError('GW_ERR_WBXML_BAD_MB_UINT32', 'multi-byte integer has a leading zero group', pos)
    value = value * 128 + (b & 0x7f)
    if ((b & 0x80) === 0) {
      if (value > MAX_MB_UINT32) throw new WbxmlError('GW_ERR_WBXML_BAD_MB_UINT32', `multi-byte integer ${value} exceeds 2^32-1`, pos)
      return [value, pos + i + 1]
    }
  }
  throw new WbxmlError('GW_ERR_WBXML_BAD_MB_UINT32', 'multi-byte integer longer than 5 bytes', pos)
}

/** Appends the shortest mb_u_int32 encoding of `value` (0..2^32-1) to `out`. */
export function writeMbUint32 (value: number, out: number[]): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_MB_UINT32) {
    throw new RangeError(`mb_u_int32 out of range: ${value}`)
  }
  const groups: number[] = [value % 128]
  let rest = Math.floor(value / 128)
  while (rest > 0) {
    groups.push((rest % 128) | 0x80)
    rest = Math.floor(rest / 128)
  }
  for (let i = groups.length - 1; i >= 0; i--) out.push(groups[i] as number)
}
