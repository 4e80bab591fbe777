import type { CodePageSource } from './code-page.js'

/**
 * Code page 22, Email2 (MS-ASWBXML §2.1.2.1.23). 0x14 is unassigned; 0x11-0x13 are 14.1+,
 * 0x15-0x17 (drafts) 16.0+.
 */
export const EMAIL2_CODE_PAGE: CodePageSource = {
  page: 22,
  namespace: 'Email2',
  tokens: {
    0x05: 'UmCallerID',
    0x06: 'UmUserNotes',
    0x07: 'UmAttDuration',
    0x08: 'UmAttOrder',
    0x09: 'ConversationId',
    0x0a: 'ConversationIndex',
    0x0b: 'LastVerbExecuted',
    0x0c: 'LastVerbExecutionTime',
    0x0d: 'ReceivedAsBcc',
    0x0e: 'Sender',
    0x0f: 'CalendarType',
    0x10: 'IsLeapMonth',
    0x11: 'AccountId',
    0x12: 'FirstDayOfWeek',
    0x13: 'MeetingMessageType',
    0x15: 'IsDraft',
    0x16: 'Bcc',
    0x17: 'Send'
  }
}
