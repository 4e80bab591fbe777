import type { CodePageSource } from './code-page.js'

/** Code page 20, ItemOperations (MS-ASWBXML §2.1.2.1.21). 0x16-0x19 (Move) are 14.0+. */
export const ITEM_OPERATIONS_CODE_PAGE: CodePageSource = {
  page: 20,
  namespace: 'ItemOperations',
  tokens: {
    0x05: 'ItemOperations',
    0x06: 'Fetch',
    0x07: 'Store',
    0x08: 'Options',
    0x09: 'Range',
    0x0a: 'Total',
    0x0b: 'Properties',
    0x0c: 'Data',
    0x0d: 'Status',
    0x0e: 'Response',
    0x0f: 'Version',
    0x10: 'Schema',
    0x11: 'Part',
    0x12: 'EmptyFolderContents',
    0x13: 'DeleteSubFolders',
    0x14: 'UserName',
    0x15: 'Password',
    0x16: 'Move',
    0x17: 'DstFldId',
    0x18: 'ConversationId',
    0x19: 'MoveAlways'
  }
}
