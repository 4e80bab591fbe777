import type { CodePageSource } from './code-page.js'

/** Code page 19, DocumentLibrary (MS-ASWBXML §2.1.2.1.20). */
export const DOCUMENT_LIBRARY_CODE_PAGE: CodePageSource = {
  page: 19,
  namespace: 'DocumentLibrary',
  tokens: {
    0x05: 'LinkId',
    0x06: 'DisplayName',
    0x07: 'IsFolder',
    0x08: 'CreationDate',
    0x09: 'LastModifiedDate',
    0x0a: 'IsHidden',
    0x0b: 'ContentLength',
    0x0c: 'ContentType'
  }
}
