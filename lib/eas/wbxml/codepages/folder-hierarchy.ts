import type { CodePageSource } from './code-page.js'

/**
 * Code page 7, FolderHierarchy (MS-ASWBXML §2.1.2.1.8). 0x05 Folders and 0x06 Folder belong to
 * the legacy GetHierarchy command (2.5-12.1); 0x0B Response, 0x0D ContentClass and 0x18 Version
 * are no longer in the current table.
 */
export const FOLDER_HIERARCHY_CODE_PAGE: CodePageSource = {
  page: 7,
  namespace: 'FolderHierarchy',
  tokens: {
    0x05: 'Folders',
    0x06: 'Folder',
    0x07: 'DisplayName',
    0x08: 'ServerId',
    0x09: 'ParentId',
    0x0a: 'Type',
    0x0b: 'Response',
    0x0c: 'Status',
    0x0d: 'ContentClass',
    0x0e: 'Changes',
    0x0f: 'Add',
    0x10: 'Delete',
    0x11: 'Update',
    0x12: 'SyncKey',
    0x13: 'FolderCreate',
    0x14: 'FolderDelete',
    0x15: 'FolderUpdate',
    0x16: 'FolderSync',
    0x17: 'Count',
    0x18: 'Version'
  }
}
