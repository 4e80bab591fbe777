import type { CodePageSource } from './code-page.js'

/**
 * Code page 13, Ping (MS-ASWBXML §2.1.2.1.14). 0x06 AutdState is "not used by the protocol".
 * grommunio lists a 0x0E "Version" that MS does not define; it is left out.
 */
export const PING_CODE_PAGE: CodePageSource = {
  page: 13,
  namespace: 'Ping',
  tokens: {
    0x05: 'Ping',
    0x06: 'AutdState',
    0x07: 'Status',
    0x08: 'HeartbeatInterval',
    0x09: 'Folders',
    0x0a: 'Folder',
    0x0b: 'Id',
    0x0c: 'Class',
    0x0d: 'MaxFolders'
  }
}
