import type { CodePageSource } from './code-page.js'

/**
 * Code page 10, ResolveRecipients (MS-ASWBXML §2.1.2.1.11). 0x16-0x19 are 14.0+,
 * 0x1A-0x1D (pictures) 14.1+.
 */
export const RESOLVE_RECIPIENTS_CODE_PAGE: CodePageSource = {
  page: 10,
  namespace: 'ResolveRecipients',
  tokens: {
    0x05: 'ResolveRecipients',
    0x06: 'Response',
    0x07: 'Status',
    0x08: 'Type',
    0x09: 'Recipient',
    0x0a: 'DisplayName',
    0x0b: 'EmailAddress',
    0x0c: 'Certificates',
    0x0d: 'Certificate',
    0x0e: 'MiniCertificate',
    0x0f: 'Options',
    0x10: 'To',
    0x11: 'CertificateRetrieval',
    0x12: 'RecipientCount',
    0x13: 'MaxCertificates',
    0x14: 'MaxAmbiguousRecipients',
    0x15: 'CertificateCount',
    0x16: 'Availability',
    0x17: 'StartTime',
    0x18: 'EndTime',
    0x19: 'MergedFreeBusy',
    0x1a: 'Picture',
    0x1b: 'MaxSize',
    0x1c: 'Data',
    0x1d: 'MaxPictures'
  }
}
