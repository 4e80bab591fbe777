import type { CodePageSource } from './code-page.js'

/**
 * Code page 15, Search (MS-ASWBXML §2.1.2.1.16). 0x06 and 0x16 are unassigned; 0x1C Schema and
 * 0x1D Supported are no longer in the current table; 0x20 ConversationId is 14.0+.
 */
export const SEARCH_CODE_PAGE: CodePageSource = {
  page: 15,
  namespace: 'Search',
  tokens: {
    0x05: 'Search',
    0x07: 'Store',
    0x08: 'Name',
    0x09: 'Query',
    0x0a: 'Options',
    0x0b: 'Range',
    0x0c: 'Status',
    0x0d: 'Response',
    0x0e: 'Result',
    0x0f: 'Properties',
    0x10: 'Total',
    0x11: 'EqualTo',
    0x12: 'Value',
    0x13: 'And',
    0x14: 'Or',
    0x15: 'FreeText',
    0x17: 'DeepTraversal',
    0x18: 'LongId',
    0x19: 'RebuildResults',
    0x1a: 'LessThan',
    0x1b: 'GreaterThan',
    0x1c: 'Schema',
    0x1d: 'Supported',
    0x1e: 'UserName',
    0x1f: 'Password',
    0x20: 'ConversationId',
    0x21: 'Picture',
    0x22: 'MaxSize',
    0x23: 'MaxPictures'
  }
}
