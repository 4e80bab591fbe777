import type { CodePageSource } from './code-page.js'

/**
 * Code page 3, AirNotify (MS-ASWBXML §2.1.2.1.4): "no longer used" by any current protocol
 * version. The tokens are those of the 2.x-era table, kept so that such a body still decodes
 * (numbers cross-checked against libwbxml 0.11.8).
 */
export const AIR_NOTIFY_CODE_PAGE: CodePageSource = {
  page: 3,
  namespace: 'AirNotify',
  tokens: {
    0x05: 'Notify',
    0x06: 'Notification',
    0x07: 'Version',
    0x08: 'Lifetime',
    0x09: 'DeviceInfo',
    0x0a: 'Enable',
    0x0b: 'Folder',
    0x0c: 'ServerId',
    0x0d: 'DeviceAddress',
    0x0e: 'ValidCarrierProfiles',
    0x0f: 'CarrierProfile',
    0x10: 'Status',
    0x11: 'Responses',
    0x12: 'Devices',
    0x13: 'Device',
    0x14: 'Id',
    0x15: 'Expiry',
    0x16: 'NotifyGUID',
    0x17: 'DeviceFriendlyName'
  }
}
