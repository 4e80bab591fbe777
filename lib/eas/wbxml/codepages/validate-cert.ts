import type { CodePageSource } from './code-page.js'

/** Code page 11, ValidateCert (MS-ASWBXML §2.1.2.1.12). */
export const VALIDATE_CERT_CODE_PAGE: CodePageSource = {
  page: 11,
  namespace: 'ValidateCert',
  tokens: {
    0x05: 'ValidateCert',
    0x06: 'Certificates',
    0x07: 'Certificate',
    0x08: 'CertificateChain',
    0x09: 'CheckCRL',
    0x0a: 'Status'
  }
}
