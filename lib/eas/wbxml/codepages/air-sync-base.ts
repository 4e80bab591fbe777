import type { CodePageSource } from './code-page.js'

/**
 * Code page 17, AirSyncBase (MS-ASWBXML §2.1.2.1.18; names as in MS-ASAIRS). 0x09 is
 * unassigned; 0x1C-0x2D (attachments in requests, locations) are 16.0+.
 */
export const AIR_SYNC_BASE_CODE_PAGE: CodePageSource = {
  page: 17,
  namespace: 'AirSyncBase',
  tokens: {
    0x05: 'BodyPreference',
    0x06: 'Type',
    0x07: 'TruncationSize',
    0x08: 'AllOrNone',
    0x0a: 'Body',
    0x0b: 'Data',
    0x0c: 'EstimatedDataSize',
    0x0d: 'Truncated',
    0x0e: 'Attachments',
    0x0f: 'Attachment',
    0x10: 'DisplayName',
    0x11: 'FileReference',
    0x12: 'Method',
    0x13: 'ContentId',
    0x14: 'ContentLocation',
    0x15: 'IsInline',
    0x16: 'NativeBodyType',
    0x17: 'ContentType',
    0x18: 'Preview',
    0x19: 'BodyPartPreference',
    0x1a: 'BodyPart',
    0x1b: 'Status',
    0x1c: 'Add',
    0x1d: 'Delete',
    0x1e: 'ClientId',
    0x1f: 'Content',
    0x20: 'Location',
    0x21: 'Annotation',
    0x22: 'Street',
    0x23: 'City',
    0x24: 'State',
    0x25: 'Country',
    0x26: 'PostalCode',
    0x27: 'Latitude',
    0x28: 'Longitude',
    0x29: 'Accuracy',
    0x2a: 'Altitude',
    0x2b: 'AltitudeAccuracy',
    0x2c: 'LocationUri',
    0x2d: 'InstanceId'
  }
}
