import { GatewayError } from '../errors.js'
import { isCommonStatus } from './common-status.js'
import { encodeWbxml } from './wbxml/encode-wbxml.js'
import { wbxmlElement, type WbxmlElement } from './wbxml/wbxml-node.js'

/** A Ping response to build (MS-ASCMD §2.2.1.13, schema §6.30). */
export interface PingResponse {
  /** 1-8 (MS-ASCMD §2.2.3.177.11) or a common status 1xx (§2.2.2). */
  readonly status: number
  /** Status 2 only, required there: the ids of the folders that changed. */
  readonly folders?: readonly string[]
  /** Status 6 only, required there: how many folders the server accepts (§2.2.3.102). */
  readonly maxFolders?: number
  /** Status 5 only, required there: the allowed minimum or maximum, in seconds (§2.2.3.88.1). */
  readonly heartbeatInterval?: number
}

/**
 * Encodes a Ping response body. Children follow the PingResponse.xsd sequence: Status, Folders,
 * MaxFolders, HeartbeatInterval. Throws GW_ERR_EAS_INVALID_RESPONSE for a status outside 1-8 and
 * the common statuses, or when Folders / MaxFolders / HeartbeatInterval is missing for, or given
 * with a status other than, 2 / 6 / 5.
 */
export function encodePingResponse (response: PingResponse): Uint8Array {
  const { status, folders, maxFolders, heartbeatInterval } = response
  if (!Number.isInteger(status) || !((status >= 1 && status <= 8) || isCommonStatus(status))) {
    throw invalid(`status ${status} is neither 1-8 nor a common status`)
  }
  paired('folders', folders, status, 2)
  paired('maxFolders', maxFolders, status, 6)
  paired('heartbeatInterval', heartbeatInterval, status, 5)
  const children: WbxmlElement[] = [wbxmlElement('Ping', 'Status', String(status))]
  if (folders !== undefined) {
    if (folders.length === 0) throw invalid('status 2 needs at least one folder')
    for (const id of folders) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalid('folder ids must be 1 to 64 characters')
    }
    children.push(wbxmlElement('Ping', 'Folders', folders.map((id) => wbxmlElement('Ping', 'Folder', id))))
  }
  if (maxFolders !== undefined) children.push(wbxmlElement('Ping', 'MaxFolders', positive('maxFolders', maxFolders)))
  if (heartbeatInterval !== undefined) {
    children.push(wbxmlElement('Ping', 'HeartbeatInterval', positive('heartbeatInterval', heartbeatInterval)))
  }
  return encodeWbxml(wbxmlElement('Ping', 'Ping', children))
}

function paired (name: string, value: unknown, status: number, needs: number): void {
  if (status === needs && value === undefined) throw invalid(`status ${needs} needs ${name}`)
  if (status !== needs && value !== undefined) throw invalid(`${name} is only sent with status ${needs}`)
}

function positive (name: string, value: number): string {
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(`${name} must be a positive integer`)
  return String(value)
}

function invalid (detail: string): GatewayError {
  return new GatewayError('GW_ERR_EAS_INVALID_RESPONSE', `Ping: ${detail}`)
}
