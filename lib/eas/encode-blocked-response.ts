import { GatewayError } from '../errors.js'
import { isCommonStatus } from './common-status.js'
import { normalizeCommand, type KnownCommand } from './normalize-command.js'
import type { EasNamespace } from './wbxml/codepages/index.js'
import { encodeWbxml } from './wbxml/encode-wbxml.js'
import { wbxmlElement, type WbxmlElement } from './wbxml/wbxml-node.js'

/** Where a command's response carries a status for the whole request: root, then the path to Status. */
interface StatusShape {
  readonly namespace: EasNamespace
  readonly root: string
  /** Elements between the root and Status, outermost first. */
  readonly via: readonly string[]
}

const direct = (namespace: EasNamespace, root: string): StatusShape => ({ namespace, root, via: [] })

/**
 * Response shapes by command (PROTOCOL.md §3.4 "Root and Status tokens of other commands").
 * GetItemEstimate and MoveItems have an optional top-level Status for whole-request failures
 * (MS-ASCMD §2.2.3.177.7, §2.2.3.177.10); MeetingResponse has none, so its Status goes in one
 * Result, whose RequestId is optional (schema §6.26). Null: GetAttachment answers with the
 * attachment itself, Find needs code page 25 (not in this library), and Autodiscover and the
 * 2.x commands have no WBXML status body.
 */
const SHAPES: Readonly<Record<KnownCommand, StatusShape | null>> = {
  Sync: direct('AirSync', 'Sync'),
  FolderSync: direct('FolderHierarchy', 'FolderSync'),
  FolderCreate: direct('FolderHierarchy', 'FolderCreate'),
  FolderDelete: direct('FolderHierarchy', 'FolderDelete'),
  FolderUpdate: direct('FolderHierarchy', 'FolderUpdate'),
  Ping: direct('Ping', 'Ping'),
  Provision: direct('Provision', 'Provision'),
  Settings: direct('Settings', 'Settings'),
  Search: direct('Search', 'Search'),
  ItemOperations: direct('ItemOperations', 'ItemOperations'),
  SendMail: direct('ComposeMail', 'SendMail'),
  SmartForward: direct('ComposeMail', 'SmartForward'),
  SmartReply: direct('ComposeMail', 'SmartReply'),
  ResolveRecipients: direct('ResolveRecipients', 'ResolveRecipients'),
  ValidateCert: direct('ValidateCert', 'ValidateCert'),
  GetItemEstimate: direct('GetItemEstimate', 'GetItemEstimate'),
  MoveItems: direct('Move', 'MoveItems'),
  MeetingResponse: { namespace: 'MeetingResponse', root: 'MeetingResponse', via: ['Result'] },
  GetAttachment: null,
  Find: null,
  Autodiscover: null,
  GetHierarchy: null,
  CreateCollection: null,
  DeleteCollection: null,
  MoveCollection: null
}

/**
 * Encodes the body that refuses a request with a common status (MS-ASCMD §2.2.2), e.g. 129
 * DeviceIsBlockedForThisUser: the command's own root with that Status, as in
 * `<FolderSync><Status>129</Status></FolderSync>`. Returns null when the command (matched
 * case-insensitively) has no such WBXML body; the caller then answers with an HTTP status.
 * Only protocol 14.0 and later understand these values (PROTOCOL.md §4): for older clients send
 * HTTP 403 instead. Throws GW_ERR_EAS_INVALID_RESPONSE for a status that is not a common status.
 */
export function encodeBlockedResponse (command: string, status: number): Uint8Array | null {
  if (!Number.isInteger(status) || !isCommonStatus(status)) {
    throw new GatewayError('GW_ERR_EAS_INVALID_RESPONSE', `status ${status} is not a common status (MS-ASCMD §2.2.2)`)
  }
  const known = normalizeCommand(command)
  const shape = known === 'other' ? null : SHAPES[known]
  if (shape === null) return null
  let node: WbxmlElement = wbxmlElement(shape.namespace, 'Status', String(status))
  for (const tag of [...shape.via].reverse()) node = wbxmlElement(shape.namespace, tag, [node])
  return encodeWbxml(wbxmlElement(shape.namespace, shape.root, [node]))
}
