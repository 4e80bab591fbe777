import type { CodePageSource } from './code-page.js'

/** Code page 24, RightsManagement (MS-ASWBXML §2.1.2.1.25), 14.1+. */
export const RIGHTS_MANAGEMENT_CODE_PAGE: CodePageSource = {
  page: 24,
  namespace: 'RightsManagement',
  tokens: {
    0x05: 'RightsManagementSupport',
    0x06: 'RightsManagementTemplates',
    0x07: 'RightsManagementTemplate',
    0x08: 'RightsManagementLicense',
    0x09: 'EditAllowed',
    0x0a: 'ReplyAllowed',
    0x0b: 'ReplyAllAllowed',
    0x0c: 'ForwardAllowed',
    0x0d: 'ModifyRecipientsAllowed',
    0x0e: 'ExtractAllowed',
    0x0f: 'PrintAllowed',
    0x10: 'ExportAllowed',
    0x11: 'ProgrammaticAccessAllowed',
    0x12: 'RMOwner',
    0x13: 'ContentExpiryDate',
    0x14: 'TemplateID',
    0x15: 'TemplateName',
    0x16: 'TemplateDescription',
    0x17: 'ContentOwner',
    0x18: 'RemoveRightsManagementDistribution'
  }
}
