import type { CodePageSource } from './code-page.js'

/**
 * Code page 21, ComposeMail (MS-ASWBXML §2.1.2.1.22): SendMail/SmartForward/SmartReply bodies
 * from 14.0 on. 0x0A and 0x14 are unassigned; 0x13 AccountId is 14.1+, 0x15-0x18 are 16.0+.
 * libwbxml spells 0x10 `MIME`.
 */
export const COMPOSE_MAIL_CODE_PAGE: CodePageSource = {
  page: 21,
  namespace: 'ComposeMail',
  tokens: {
    0x05: 'SendMail',
    0x06: 'SmartForward',
    0x07: 'SmartReply',
    0x08: 'SaveInSentItems',
    0x09: 'ReplaceMime',
    0x0b: 'Source',
    0x0c: 'FolderId',
    0x0d: 'ItemId',
    0x0e: 'LongId',
    0x0f: 'InstanceId',
    0x10: 'Mime',
    0x11: 'ClientId',
    0x12: 'Status',
    0x13: 'AccountId',
    0x15: 'Forwardees',
    0x16: 'Forwardee',
    0x17: 'ForwardeeName',
    0x18: 'ForwardeeEmail'
  }
}
