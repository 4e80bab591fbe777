/**
 * A small EAS client for the integration tests, built on node:http.
 *
 * {@link easRequest} sends one request (Basic auth, plain-text query form) and
 * reports status, headers, body bytes, timing, and whether the server closed
 * the TCP connection afterwards. The helpers below it wrap the flows the tests
 * need (FolderSync, Sync until empty, Ping) on top of the WBXML helpers.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import {
  childText,
  findAll,
  findFirst,
  folderSyncXml,
  fromWbxml,
  parseXml,
  pingXml,
  syncXml,
  toWbxml,
  type PingFolder,
  type XmlElement,
} from './wbxml.js'

/** The WBXML content type EAS uses for request and response bodies. */
export const WBXML_CONTENT_TYPE = 'application/vnd.ms-sync.wbxml'

/** Options for {@link easRequest}. */
export interface EasRequestOptions {
  /** e.g. `http://127.0.0.1:18080/Microsoft-Server-ActiveSync` (no query). */
  baseUrl: string;
  /** `Cmd=` value (FolderSync, Sync, Ping, ...). Omit for OPTIONS. */
  cmd?: string;
  user: string;
  password: string;
  /** Default: a fresh random id (see {@link newDeviceId}); for OPTIONS, no query at all. */
  deviceId?: string;
  /** Default "iPhone". */
  deviceType?: string;
  /** Request body (WBXML bytes). A `body` makes the default method POST. */
  body?: Uint8Array;
  /** Extra or overriding headers (e.g. `{ 'MS-ASProtocolVersion': '12.1' }`, or `authorization: undefined` to send none). */
  headers?: Record<string, string | undefined>;
  /** Default: OPTIONS when `cmd` is absent, else POST. */
  method?: string;
  /** Extra query parameters. */
  query?: Record<string, string>;
  /** Abort (destroy the socket) after this many ms; default 120 000. */
  timeoutMs?: number;
  /** Abort from outside (e.g. to simulate a client giving up on a Ping). */
  signal?: AbortSignal;
  /**
   * After the response ended, how long to watch the socket for the server's
   * close before reporting `socketClosed: false` (default 250 ms).
   */
  closeWatchMs?: number;
  /** Called once the request (headers and body) has been fully written to the socket. */
  onRequestSent?: () => void;
}

/** What {@link easRequest} returns. */
export interface EasResponse {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /**
   * True when the TCP connection was closed after this response (by the
   * server — FIN/RST or `Connection: close` — within `closeWatchMs`), false
   * when it stayed open and reusable. The request itself always asks for keep-alive.
   */
  socketClosed: boolean;
  /** Milliseconds from sending to the end of the response body. */
  elapsedMs: number;
  /** The URL that was requested. */
  url: string;
}

/** A fresh, EAS-valid DeviceId (alphanumeric, ≤ 32 chars) so tests never share server-side device state. */
export function newDeviceId (prefix = 'it'): string {
  return (prefix.replace(/[^A-Za-z0-9]/g, '') + randomBytes(8).toString('hex')).slice(0, 32)
}

/**
 * Builds the request URL (plain query form: Cmd, User, DeviceId, DeviceType).
 * Without `cmd` (OPTIONS) the query is left out unless `deviceId` is given, as
 * clients send a bare `OPTIONS /Microsoft-Server-ActiveSync`.
 */
export function easUrl (opts: Pick<EasRequestOptions, 'baseUrl' | 'cmd' | 'user' | 'deviceId' | 'deviceType' | 'query'>): URL {
  const url = new URL(opts.baseUrl)
  if (opts.cmd !== undefined || opts.deviceId !== undefined) {
    if (opts.cmd !== undefined) url.searchParams.set('Cmd', opts.cmd)
    url.searchParams.set('User', opts.user)
    url.searchParams.set('DeviceId', opts.deviceId ?? newDeviceId())
    url.searchParams.set('DeviceType', opts.deviceType ?? 'iPhone')
  }
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v)
  return url
}

/**
 * Sends one EAS request over a dedicated keep-alive connection and resolves
 * with the full response. Network errors and timeouts reject.
 */
export function easRequest (opts: EasRequestOptions): Promise<EasResponse> {
  const url = easUrl(opts)
  const method = opts.method ?? (opts.cmd === undefined ? 'OPTIONS' : 'POST')
  const headers: Record<string, string> = {
    authorization: 'Basic ' + Buffer.from(`${opts.user}:${opts.password}`).toString('base64'),
    'ms-asprotocolversion': '14.1',
    'user-agent': 'eas-gateway-it/1.0',
    connection: 'keep-alive',
  }
  if (opts.body !== undefined) {
    headers['content-type'] = WBXML_CONTENT_TYPE
    headers['content-length'] = String(opts.body.length)
  } else if (method === 'POST') {
    headers['content-length'] = '0'
  }
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v === undefined) delete headers[k.toLowerCase()]
    else headers[k.toLowerCase()] = v
  }
  // One agent per request: keep-alive so we can see whether the *server* closes.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const timeoutMs = opts.timeoutMs ?? 120_000
  const closeWatchMs = opts.closeWatchMs ?? 250
  const started = Date.now()

  return new Promise<EasResponse>((resolve, reject) => {
    let socket: Socket | undefined
    let socketClosed = false
    let settled = false
    const fail = (err: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      agent.destroy()
      reject(err)
    }
    const req = httpRequest(url, { method, headers, agent, signal: opts.signal }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', fail)
      res.on('end', () => {
        const elapsedMs = Date.now() - started
        clearTimeout(timer)
        const finish = (): void => {
          if (settled) return
          settled = true
          agent.destroy()
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            body: Buffer.concat(chunks),
            socketClosed,
            elapsedMs,
            url: url.toString(),
          })
        }
        // Give the server a short, bounded window to close the connection (sogod does, without saying so).
        if (socketClosed || !socket || socket.destroyed || socket.readableEnded) {
          socketClosed = true
          finish()
          return
        }
        const watch = setTimeout(finish, closeWatchMs)
        const closed = (): void => {
          socketClosed = true
          clearTimeout(watch)
          finish()
        }
        socket.once('close', closed)
        socket.once('end', closed)
      })
    })
    req.on('socket', (s: Socket) => {
      socket = s
      s.once('close', () => (socketClosed = true))
      s.once('end', () => (socketClosed = true))
    })
    req.on('finish', () => opts.onRequestSent?.())
    req.on('error', fail)
    const timer = setTimeout(
      () => req.destroy(new Error(`${method} ${url} got no complete answer within ${timeoutMs} ms`)),
      timeoutMs
    )
    req.end(opts.body === undefined ? undefined : Buffer.from(opts.body))
  })
}

/** Account and device used by the flow helpers below. */
export interface EasSession {
  baseUrl: string;
  user: string;
  password: string;
  deviceId: string;
  deviceType?: string;
  /** Default "14.1". */
  protocolVersion?: string;
}

/** A response whose WBXML body has been decoded. */
export interface EasXmlResponse extends EasResponse {
  /** Decoded XML text ("" for an empty body). */
  xml: string;
  /** Parsed root element (undefined for an empty body). */
  doc: XmlElement | undefined;
}

/**
 * Sends an XML command body (converted with {@link toWbxml}) and decodes a
 * WBXML answer. Non-WBXML answers (HTML error pages, empty bodies) leave `doc` undefined.
 */
export async function easXml (
  s: EasSession,
  cmd: string,
  xml: string | undefined,
  extra: Partial<EasRequestOptions> = {}
): Promise<EasXmlResponse> {
  const body = xml === undefined ? undefined : await toWbxml(xml)
  const res = await easRequest({
    baseUrl: s.baseUrl,
    user: s.user,
    password: s.password,
    deviceId: s.deviceId,
    deviceType: s.deviceType ?? 'iPhone',
    cmd,
    ...(body ? { body } : {}),
    ...extra,
    headers: { 'MS-ASProtocolVersion': s.protocolVersion ?? '14.1', ...extra.headers },
  })
  const isWbxml = String(res.headers['content-type'] ?? '').startsWith(WBXML_CONTENT_TYPE) && res.body.length > 0
  const text = isWbxml ? await fromWbxml(res.body) : ''
  return { ...res, xml: text, doc: text ? parseXml(text) : undefined }
}

/** A folder from a FolderSync answer. */
export interface EasFolder {
  serverId: string;
  parentId: string;
  displayName: string;
  /** EAS folder type: 2 = Inbox, 3 Drafts, 4 Deleted, 5 Sent, 8 Calendar, 9 Contacts, 12 user mail... */
  type: number;
}

/** Result of {@link folderSync}. */
export interface FolderSyncResult {
  response: EasXmlResponse;
  status: string | undefined;
  syncKey: string | undefined;
  folders: EasFolder[];
}

/** FolderSync with the given key (default "0": the whole hierarchy). */
export async function folderSync (s: EasSession, syncKey = '0'): Promise<FolderSyncResult> {
  const response = await easXml(s, 'FolderSync', folderSyncXml(syncKey))
  if (!response.doc) {
    throw new Error(`FolderSync: HTTP ${response.status}, no WBXML body (${response.body.length} bytes)`)
  }
  const folders = findAll(response.doc, 'Add').map((a) => ({
    serverId: childText(a, 'ServerId') ?? '',
    parentId: childText(a, 'ParentId') ?? '',
    displayName: childText(a, 'DisplayName') ?? '',
    type: Number(childText(a, 'Type') ?? NaN),
  }))
  return { response, status: childText(response.doc, 'Status'), syncKey: childText(response.doc, 'SyncKey'), folders }
}

/** One round of a Sync on a single collection. */
export interface SyncRound {
  response: EasXmlResponse;
  /** Collection status, or undefined for an empty-body answer. */
  status: string | undefined;
  /** New sync key (the previous one when the answer was empty). */
  syncKey: string;
  /** ServerIds of `<Add>` commands in this round. */
  added: string[];
  moreAvailable: boolean;
  /** The collection carried `<Commands>` (adds, changes, deletes). */
  hasCommands: boolean;
}

/** One Sync request on one collection. */
export async function syncOnce (
  s: EasSession,
  collectionId: string,
  syncKey: string,
  opts: { windowSize?: number; heartbeat?: number; timeoutMs?: number } = {}
): Promise<SyncRound> {
  const xml = syncXml([{ syncKey, collectionId, ...(opts.windowSize ? { windowSize: opts.windowSize } : {}) }], {
    ...(opts.heartbeat !== undefined ? { heartbeat: opts.heartbeat } : {}),
  })
  const response = await easXml(s, 'Sync', xml, opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {})
  if (response.status !== 200) throw new Error(`Sync: HTTP ${response.status}`)
  if (!response.doc) {
    if (response.body.length !== 0) throw new Error(`Sync: non-WBXML body of ${response.body.length} bytes`)
    return { response, status: undefined, syncKey, added: [], moreAvailable: false, hasCommands: false }
  }
  const col = findFirst(response.doc, 'Collection')
  const status = (col && childText(col, 'Status')) ?? childText(response.doc, 'Status')
  const added = findAll(response.doc, 'Add').map((a) => childText(a, 'ServerId') ?? '')
  return {
    response,
    status,
    syncKey: (col && childText(col, 'SyncKey')) ?? syncKey,
    added,
    moreAvailable: !!col?.children.some((c) => c.name === 'MoreAvailable'),
    hasCommands: !!col?.children.some((c) => c.name === 'Commands'),
  }
}

/** Result of {@link syncUntilEmpty}. */
export interface SyncUntilEmptyResult {
  /** The last real sync key (the one a following Ping is compared against). */
  syncKey: string;
  rounds: SyncRound[];
  /** All ServerIds added over all rounds. */
  added: string[];
}

/**
 * Syncs one collection from SyncKey 0 (or `fromKey`) until the server has nothing more to
 * report, at most `maxRounds` requests. SOGo says so with an empty body; Horde with Status 1,
 * the SyncKey it was sent and no Commands (horde.md). After this a Ping on the folder blocks
 * instead of firing spuriously (sogo.md).
 */
export async function syncUntilEmpty (
  s: EasSession,
  collectionId: string,
  opts: { fromKey?: string; maxRounds?: number; windowSize?: number } = {}
): Promise<SyncUntilEmptyResult> {
  const rounds: SyncRound[] = []
  let key = opts.fromKey ?? '0'
  const max = opts.maxRounds ?? 40
  for (let i = 0; i < max; i++) {
    const r = await syncOnce(s, collectionId, key, opts.windowSize ? { windowSize: opts.windowSize } : {})
    rounds.push(r)
    if (r.status === undefined) {
      return { syncKey: key, rounds, added: rounds.flatMap((x) => x.added) }
    }
    if (r.status !== '1') throw new Error(`Sync ${collectionId} key ${key}: Status ${r.status}\n${r.response.xml}`)
    if (key !== '0' && r.syncKey === key && !r.hasCommands && !r.moreAvailable) {
      return { syncKey: key, rounds, added: rounds.flatMap((x) => x.added) }
    }
    key = r.syncKey
  }
  throw new Error(`Sync ${collectionId} did not reach an empty answer within ${max} rounds`)
}

/** Result of {@link ping}. */
export interface PingResult {
  response: EasXmlResponse;
  status: string | undefined;
  /** Folder ids reported as changed (Status 2). */
  folders: string[];
  /** HeartbeatInterval in the answer (Status 5), if any. */
  heartbeat: number | undefined;
}

/** A Ping with the given heartbeat and folders (omit both to send an empty body). */
export async function ping (
  s: EasSession,
  opts: { heartbeat?: number; folders?: PingFolder[] } & Partial<EasRequestOptions>
): Promise<PingResult> {
  const { heartbeat, folders, ...extra } = opts
  const xml = heartbeat === undefined && !folders ? undefined : pingXml({ ...(heartbeat !== undefined ? { heartbeat } : {}), ...(folders ? { folders } : {}) })
  const response = await easXml(s, 'Ping', xml, {
    timeoutMs: ((heartbeat ?? 600) + 60) * 1000,
    ...extra,
  })
  const doc = response.doc
  const hb = doc ? childText(doc, 'HeartbeatInterval') : undefined
  return {
    response,
    status: doc ? childText(doc, 'Status') : undefined,
    folders: doc ? findAll(doc, 'Folder').map((f) => f.text) : [],
    heartbeat: hb === undefined ? undefined : Number(hb),
  }
}
