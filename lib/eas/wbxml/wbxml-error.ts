import { GatewayError, type ErrorCode } from '../../errors.js'

/** The catalog codes a WBXML decoder raises. */
export type WbxmlErrorCode = Extract<ErrorCode, `GW_ERR_WBXML_${string}`>

/**
 * A WBXML decoding failure. `offset` is the index of the offending byte in the input (the input
 * length when the input ended too early), so a captured body can be inspected with `xxd -s`.
 */
export class WbxmlError extends GatewayError {
  readonly offset: number

  constructor (code: WbxmlErrorCode, detail: string, offset: number) {
    super(code, `${detail} (at byte ${offset})`)
    this.offset = offset
  }
}
