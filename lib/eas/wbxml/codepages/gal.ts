import type { CodePageSource } from './code-page.js'

/** Code page 16, GAL (MS-ASWBXML §2.1.2.1.17). 0x10-0x12 (pictures) are 14.1+. */
export const GAL_CODE_PAGE: CodePageSource = {
  page: 16,
  namespace: 'GAL',
  tokens: {
    0x05: 'DisplayName',
    0x06: 'Phone',
    0x07: 'Office',
    0x08: 'Title',
    0x09: 'Company',
    0x0a: 'Alias',
    0x0b: 'FirstName',
    0x0c: 'LastName',
    0x0d: 'HomePhone',
    0x0e: 'MobilePhone',
    0x0f: 'EmailAddress',
    0x10: 'Picture',
    0x11: 'Status',
    0x12: 'Data'
  }
}
