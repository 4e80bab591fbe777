import type { CodePageSource } from './code-page.js'

/** Code page 12, Contacts2 (MS-ASWBXML §2.1.2.1.13). */
export const CONTACTS2_CODE_PAGE: CodePageSource = {
  page: 12,
  namespace: 'Contacts2',
  tokens: {
    0x05: 'CustomerId',
    0x06: 'GovernmentId',
    0x07: 'IMAddress',
    0x08: 'IMAddress2',
    0x09: 'IMAddress3',
    0x0a: 'ManagerName',
    0x0b: 'CompanyMainPhone',
    0x0c: 'AccountName',
    0x0d: 'NickName',
    0x0e: 'MMS'
  }
}
