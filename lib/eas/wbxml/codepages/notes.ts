import type { CodePageSource } from './code-page.js'

/** Code page 23, Notes (MS-ASWBXML §2.1.2.1.24), 14.0+. */
export const NOTES_CODE_PAGE: CodePageSource = {
  page: 23,
  namespace: 'Notes',
  tokens: {
    0x05: 'Subject',
    0x06: 'MessageClass',
    0x07: 'LastModifiedDate',
    0x08: 'Categories',
    0x09: 'Category'
  }
}
