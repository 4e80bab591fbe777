import type { CodePageSource } from './code-page.js'

/**
 * Code page 8, MeetingResponse (MS-ASWBXML §2.1.2.1.9). 0x0D Version is a 2.x leftover, 0x0E
 * InstanceId is 14.1+, 0x10-0x12 (time proposals, MS-ASCMD §2.2.3.140/141/163) are 16.0+;
 * libwbxml 0.11.8 lacks 0x10 and 0x11.
 */
export const MEETING_RESPONSE_CODE_PAGE: CodePageSource = {
  page: 8,
  namespace: 'MeetingResponse',
  tokens: {
    0x05: 'CalendarId',
    0x06: 'CollectionId',
    0x07: 'MeetingResponse',
    0x08: 'RequestId',
    0x09: 'Request',
    0x0a: 'Result',
    0x0b: 'Status',
    0x0c: 'UserResponse',
    0x0d: 'Version',
    0x0e: 'InstanceId',
    0x10: 'ProposedStartTime',
    0x11: 'ProposedEndTime',
    0x12: 'SendResponse'
  }
}
