import type { ContextParsers } from '../proxy/index.js'
import { parsePlainQuery } from '../proxy/index.js'

const KNOWN = new Set(['Sync', 'SendMail', 'SmartForward', 'SmartReply', 'GetAttachment', 'GetHierarchy', 'CreateCollection',
  'DeleteCollection', 'MoveCollection', 'FolderSync', 'FolderCreate', 'FolderDelete', 'FolderUpdate', 'MoveItems',
  'GetItemEstimate', 'MeetingResponse', 'Search', 'Settings', 'Ping', 'ItemOperations', 'Provision', 'ResolveRecipients',
  'ValidateCert', 'Find'])

/** The EAS parsers the proxy uses to build request contexts. */
export const contextParsers: ContextParsers = {
  parseQuery: parsePlainQuery,
  commandLabel: (c) => (KNOWN.has(c) ? c : 'other')
}
