import { decodeWbxml, wbxmlToXml } from '../eas/index.js'

/** Bytes of one request or response body a trace keeps; what is forwarded is never cut. */
export const TRACE_BODY_CAP = 64 * 1024
/** A subscriber whose unsent lines exceed this loses events (counted) rather than slow requests. */
export const TRACE_BACKLOG_BYTES = 1024 * 1024
/** Headers a trace never shows. */
const REDACTED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie'])

/** Which requests one `gateway trace` follows. */
export interface TraceFilter { readonly deviceId?: string, readonly user?: string, readonly showContent: boolean }

/** Where a subscriber's lines go: `write` returns false when its buffer is over the backlog. */
export interface TraceSink { write (line: string): void, readonly backlog: number }

interface Subscriber { readonly filter: TraceFilter, readonly sink: TraceSink, dropped: number }

/** One side of a traced exchange, as the request path hands it over (no copies made before). */
export interface TraceSide {
  readonly reqId: string
  readonly user: string | undefined
  readonly deviceId: string | undefined
  readonly fields: Record<string, unknown>
  readonly headers: Record<string, string | string[] | number | undefined>
  readonly body: readonly Buffer[] | undefined
  readonly contentType: string | undefined
}

/**
 * `gateway trace` subscriptions (README § Troubleshooting one device). The request path asks
 * {@link active} (one boolean) and, only when someone traces, {@link wants}; nothing is copied or
 * allocated for a request no subscriber follows. Events are rendered once per subscriber set:
 * headers redacted, WBXML bodies decoded to XML with content hidden unless asked for.
 */
export class TraceHub {
  /** True while at least one subscriber follows something. */
  active = false
  /** Events captured since start (a test proves it stays 0 without a subscriber). */
  captured = 0
  readonly #subs = new Set<Subscriber>()

  /** Adds a subscriber; returns the function that removes it. */
  subscribe (filter: TraceFilter, sink: TraceSink): () => void {
    const s: Subscriber = { filter, sink, dropped: 0 }
    this.#subs.add(s)
    this.active = true
    return () => { this.#subs.delete(s); this.active = this.#subs.size > 0 }
  }

  /** Whether a subscriber follows this device (called only while {@link active}). */
  wants (user: string | undefined, deviceId: string | undefined): boolean {
    for (const s of this.#subs) if (matches(s.filter, user, deviceId)) return true
    return false
  }

  /** Hands one side of an exchange to the subscribers that follow its device. */
  emit (kind: 'request' | 'response', side: TraceSide): void {
    this.captured++
    const body = side.body === undefined ? undefined : Buffer.concat(side.body as Buffer[]).subarray(0, TRACE_BODY_CAP)
    const headers: Record<string, string | string[] | number | undefined> = {}
    for (const [k, v] of Object.entries(side.headers)) headers[k] = REDACTED_HEADERS.has(k.toLowerCase()) ? '[redacted]' : v
    const rendered = new Map<boolean, string>()
    for (const s of this.#subs) {
      if (!matches(s.filter, side.user, side.deviceId)) continue
      if (s.sink.backlog > TRACE_BACKLOG_BYTES) { s.dropped++; continue }
      if (s.dropped > 0) { s.sink.write(JSON.stringify({ type: 'dropped', events: s.dropped, at: new Date().toISOString() }) + '\n'); s.dropped = 0 }
      let line = rendered.get(s.filter.showContent)
      if (line === undefined) {
        line = JSON.stringify({ type: kind, at: new Date().toISOString(), reqId: side.reqId, user: side.user, deviceId: side.deviceId, ...side.fields, headers, ...renderBody(body, side.contentType, s.filter.showContent) }) + '\n'
        rendered.set(s.filter.showContent, line)
      }
      s.sink.write(line)
    }
  }
}

function matches (f: TraceFilter, user: string | undefined, deviceId: string | undefined): boolean {
  return (f.deviceId === undefined || f.deviceId === deviceId) && (f.user === undefined || f.user === user?.toLowerCase())
}

/** A WBXML body as XML; anything else as its size (text shown only with content). */
function renderBody (body: Buffer | undefined, contentType: string | undefined, showContent: boolean): Record<string, unknown> {
  if (body === undefined) return {}
  if (body.length === 0) return { bodyBytes: 0 }
  const out: Record<string, unknown> = { bodyBytes: body.length, ...(body.length >= TRACE_BODY_CAP ? { bodyCapped: true } : {}) }
  if (contentType?.includes('wbxml') === true || body[0] === 0x03) {
    try { return { ...out, xml: wbxmlToXml(decodeWbxml(body), { showContent }) } } catch (err) {
      return { ...out, wbxmlError: (err as { code?: string }).code ?? 'undecodable' }
    }
  }
  return showContent ? { ...out, text: body.toString('utf8') } : out
}
