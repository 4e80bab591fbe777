import type { CodePageSource } from './code-page.js'

/**
 * Code page 0, AirSync (MS-ASWBXML §2.1.2.1.1): the Sync command and its containers.
 * 0x11 Version, 0x19 Truncation, 0x1A RTFTruncation and 0x1F NotifyGUID are from protocol 2.x and
 * no longer in the current table; they stay here so old clients still decode.
 */
export const AIR_SYNC_CODE_PAGE: CodePageSource = {
  page: 0,
  namespace: 'AirSync',
  tokens: {
    0x05: 'Sync',
    0x06: 'Responses',
    0x07: 'Add',
    0x08: 'Change',
    0x09: 'Delete',
    0x0a: 'Fetch',
    0x0b: 'SyncKey',
    0x0c: 'ClientId',
    0x0d: 'ServerId',
    0x0e: 'Status',
    0x0f: 'Collection',
    0x10: 'Class',
    0x11: 'Version',
    0x12: 'CollectionId',
    0x13: 'GetChanges',
    0x14: 'MoreAvailable',
    0x15: 'WindowSize',
    0x16: 'Commands',
    0x17: 'Options',
    0x18: 'FilterType',
    0x19: 'Truncation',
    0x1a: 'RTFTruncation',
    0x1b: 'Conflict',
    0x1c: 'Collections',
    0x1d: 'ApplicationData',
    0x1e: 'DeletesAsMoves',
    0x1f: 'NotifyGUID',
    0x20: 'Supported',
    0x21: 'SoftDelete',
    0x22: 'MIMESupport',
    0x23: 'MIMETruncation',
    0x24: 'Wait',
    0x25: 'Limit',
    0x26: 'Partial',
    0x27: 'ConversationMode',
    0x28: 'MaxItems',
    0x29: 'HeartbeatInterval'
  }
}
