import type { Registry } from 'prom-client'
import { Agent, request } from 'undici'
import { childElements, decodeWbxml, encodeWbxml, textContent, wbxmlElement, type WbxmlElement } from '../../lib/eas/index.js'
import type { DeviceRequest } from './device-connection.js'
import { mergeTree, type ConfigTree } from './start-gateway.js'

/** Who sends a Ping: user (Basic auth and query), DeviceId, and optional EAS headers. */
export interface PingIdentity {
  readonly user?: string
  readonly deviceId?: string
  readonly deviceType?: string
  readonly userAgent?: string
  readonly protocolVersion?: string
}

/** The password every Ping test device uses; it must never show up in a log line. */
export const PING_PASSWORD = 'Ping-Secr3t!'

const DEFAULTS = { user: 'bob', deviceId: 'PINGDEV1', deviceType: 'iPhone', userAgent: 'Apple-iPhone14C2/2105.255', protocolVersion: '14.1' }

/**
 * Test-scale heartbeat bounds in whole seconds (Ping bodies carry seconds): the server allows
 * [2 s, 8 s]; every timeout keeps the gateway's invariant (easRequestTimeout > max + margin), so
 * the real config loader and its lint accept it.
 */
export function pingConfigTree (over: ConfigTree = {}): ConfigTree {
  return mergeTree({
    server: { minHeartbeat: '2s', maxHeartbeat: '8s' },
    timeouts: { easRequestTimeout: '10s', executionTimeout: '11s', heartbeatMargin: '1s', drainGrace: '1s' }
  }, over)
}

/** The EAS path with a plain query for `cmd` from `id`. */
export function pingPath (id: PingIdentity = {}, cmd = 'Ping'): string {
  const d = { ...DEFAULTS, ...id }
  return `/Microsoft-Server-ActiveSync?Cmd=${cmd}&User=${encodeURIComponent(d.user)}&DeviceId=${encodeURIComponent(d.deviceId)}&DeviceType=${encodeURIComponent(d.deviceType)}`
}

/**
 * A device request for `cmd` (Ping by default). `body: undefined` sends a request without a body
 * and with `Content-Length: 0` (an empty Ping); `noLength` leaves out Content-Length altogether.
 */
export function pingRequest (id: PingIdentity = {}, opts: { body?: Uint8Array, noLength?: boolean, cmd?: string } = {}): DeviceRequest {
  const d = { ...DEFAULTS, ...id }
  const headers: [string, string][] = [
    ['Authorization', `Basic ${Buffer.from(`${d.user}:${PING_PASSWORD}`).toString('base64')}`],
    ['MS-ASProtocolVersion', d.protocolVersion],
    ['User-Agent', d.userAgent],
    ['Content-Type', 'application/vnd.ms-sync.wbxml']
  ]
  if (opts.body === undefined && opts.noLength !== true) headers.push(['Content-Length', '0'])
  return {
    method: 'POST',
    path: pingPath(id, opts.cmd),
    headers,
    ...(opts.body !== undefined ? { body: Buffer.from(opts.body) } : {})
  }
}

/** A Ping request body: HeartbeatInterval `heartbeat` (omitted when undefined) and `folders`. */
export function pingBody (heartbeat: number | string | undefined, folders: readonly (readonly [string, string])[] = [['1', 'Email']]): Uint8Array {
  const children: WbxmlElement[] = []
  if (heartbeat !== undefined) children.push(wbxmlElement('Ping', 'HeartbeatInterval', String(heartbeat)))
  if (folders.length > 0) {
    children.push(wbxmlElement('Ping', 'Folders', folders.map(([id, cls]) =>
      wbxmlElement('Ping', 'Folder', [wbxmlElement('Ping', 'Id', id), wbxmlElement('Ping', 'Class', cls)]))))
  }
  return encodeWbxml(wbxmlElement('Ping', 'Ping', children))
}

/** A decoded Ping response body. */
export interface DecodedPingResponse {
  /** Names of the root's children in order (PingResponse.xsd is a sequence). */
  readonly children: readonly string[]
  readonly status: number | undefined
  readonly heartbeatInterval: number | undefined
}

/** Decodes a Ping response body with the real decoder; throws if the root is not Ping:Ping. */
export function decodePingResponse (body: Uint8Array): DecodedPingResponse {
  const root = decodeWbxml(body)
  if (root.namespace !== 'Ping' || root.tag !== 'Ping') throw new Error(`response root is ${root.namespace}:${root.tag}`)
  const leaf = (tag: string): number | undefined => {
    const el = childElements(root, tag)[0]
    return el === undefined ? undefined : Number(textContent(el))
  }
  return {
    children: childElements(root).map((c) => `${c.namespace}:${c.tag}`),
    status: leaf('Status'),
    heartbeatInterval: leaf('HeartbeatInterval')
  }
}

/** A histogram's sum for the series whose labels include `labels`, from getMetricsAsJSON(). */
export async function histogramSum (registry: Registry, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name)
  if (m === undefined) throw new Error(`metric ${name} is not registered`)
  return (m.values as { value: number, labels: Record<string, string | number>, metricName?: string }[])
    .filter((v) => v.metricName === `${name}_sum` && Object.entries(labels).every(([k, w]) => String(v.labels[k]) === w))
    .reduce((s, v) => s + v.value, 0)
}

/**
 * GETs `path` on the admin listener on a connection of its own, closed afterwards (a kept-alive
 * one would outlive the test); resolves with the status and the body text.
 */
export async function adminGet (adminPort: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number, body: string, headers: Record<string, unknown> }> {
  const agent = new Agent({ pipelining: 0 })
  try {
    const res = await request(`http://127.0.0.1:${adminPort}${path}`, { dispatcher: agent, headers, headersTimeout: 5000, bodyTimeout: 5000 })
    return { status: res.statusCode, body: await res.body.text(), headers: res.headers }
  } finally {
    await agent.close()
  }
}
