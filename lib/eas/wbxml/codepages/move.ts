import type { CodePageSource } from './code-page.js'

/** Code page 5, Move (MS-ASWBXML §2.1.2.1.6): the MoveItems command. */
export const MOVE_CODE_PAGE: CodePageSource = {
  page: 5,
  namespace: 'Move',
  tokens: {
    0x05: 'MoveItems',
    0x06: 'Move',
    0x07: 'SrcMsgId',
    0x08: 'SrcFldId',
    0x09: 'DstFldId',
    0x0a: 'Response',
    0x0b: 'Status',
    0x0c: 'DstMsgId'
  }
}
