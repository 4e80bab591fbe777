import type { CodePageSource } from './code-page.js'

/**
 * Code page 6, GetItemEstimate (MS-ASWBXML §2.1.2.1.7). 0x06 Version and 0x0B DateTime are
 * 12.1-only leftovers; 0x09 Class is not used by 14.0+.
 */
export const GET_ITEM_ESTIMATE_CODE_PAGE: CodePageSource = {
  page: 6,
  namespace: 'GetItemEstimate',
  tokens: {
    0x05: 'GetItemEstimate',
    0x06: 'Version',
    0x07: 'Collections',
    0x08: 'Collection',
    0x09: 'Class',
    0x0a: 'CollectionId',
    0x0b: 'DateTime',
    0x0c: 'Estimate',
    0x0d: 'Response',
    0x0e: 'Status'
  }
}
