import type { CodePageSource } from './code-page.js'

/**
 * Code page 18, Settings (MS-ASWBXML §2.1.2.1.19). 0x2A is unassigned. libwbxml spells 0x1F
 * `SmtpAddress` and 0x2B `ihsManagementInformation`.
 */
export const SETTINGS_CODE_PAGE: CodePageSource = {
  page: 18,
  namespace: 'Settings',
  tokens: {
    0x05: 'Settings',
    0x06: 'Status',
    0x07: 'Get',
    0x08: 'Set',
    0x09: 'Oof',
    0x0a: 'OofState',
    0x0b: 'StartTime',
    0x0c: 'EndTime',
    0x0d: 'OofMessage',
    0x0e: 'AppliesToInternal',
    0x0f: 'AppliesToExternalKnown',
    0x10: 'AppliesToExternalUnknown',
    0x11: 'Enabled',
    0x12: 'ReplyMessage',
    0x13: 'BodyType',
    0x14: 'DevicePassword',
    0x15: 'Password',
    0x16: 'DeviceInformation',
    0x17: 'Model',
    0x18: 'IMEI',
    0x19: 'FriendlyName',
    0x1a: 'OS',
    0x1b: 'OSLanguage',
    0x1c: 'PhoneNumber',
    0x1d: 'UserInformation',
    0x1e: 'EmailAddresses',
    0x1f: 'SMTPAddress',
    0x20: 'UserAgent',
    0x21: 'EnableOutboundSMS',
    0x22: 'MobileOperator',
    0x23: 'PrimarySmtpAddress',
    0x24: 'Accounts',
    0x25: 'Account',
    0x26: 'AccountId',
    0x27: 'AccountName',
    0x28: 'UserDisplayName',
    0x29: 'SendDisabled',
    0x2b: 'RightsManagementInformation'
  }
}
