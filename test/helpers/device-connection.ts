import { connect, type Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'

/** A response as the device received it. */
export interface DeviceResponse {
  readonly status: number
  /** Header names as sent, in order. */
  readonly rawHeaders: readonly (readonly [string, string])[]
  /** Lower-cased names; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** A response that was cut: the connection ended before it was complete. */
export class CutResponseError extends Error {
  /** Status and headers, when they had arrived before the cut. */
  readonly partial: { status: number, headers: Record<string, string>, bodyBytes: number } | undefined
  constructor (message: string, partial?: { status: number, headers: Record<string, string>, bodyBytes: number }) {
    super(message)
    this.partial = partial
  }
}

/** What the device sends. `headers` are written in order, exactly as given. */
export interface DeviceRequest {
  readonly method?: string
  readonly path: string
  readonly headers?: readonly (readonly [string, string])[]
  readonly body?: Buffer | string
  /** Host header value. Default: 127.0.0.1:<port> */
  readonly host?: string
}

/**
 * One device TCP connection speaking HTTP/1.1 by hand, so a test controls every byte sent and can
 * see exactly when the gateway closes the connection (Node's and undici's clients hide both).
 */
export class DeviceConnection {
  readonly socket: Socket
  readonly port: number
  #buf: Buffer = Buffer.alloc(0)
  #ended = false
  #closed = false
  #wake: (() => void) | undefined
  /** Resolves when the socket has closed (either side). */
  readonly closed: Promise<void>

  private constructor (socket: Socket, port: number) {
    this.socket = socket
    this.port = port
    socket.on('data', (c: Buffer) => { this.#buf = Buffer.concat([this.#buf, c]); this.#wake?.() })
    socket.on('end', () => { this.#ended = true; this.#wake?.() })
    socket.on('error', () => { /* a reset from the gateway: 'close' follows */ })
    this.closed = new Promise((resolve) => socket.on('close', () => { this.#closed = true; this.#wake?.(); resolve() }))
  }

  /** Opens a connection to 127.0.0.1:port (over TLS, verified against `tls.ca`, when given; over `tls.socket` when given). */
  static async open (port: number, opts: { tls?: { ca: string, servername: string, socket?: Socket } } = {}): Promise<DeviceConnection> {
    return await new Promise((resolve, reject) => {
      const tls = opts.tls
      // `tls.socket`: TLS over a connection already open (bytes such as a PROXY header went first).
      const s = tls !== undefined
        ? connectTls({ ...(tls.socket !== undefined ? { socket: tls.socket } : { port, host: '127.0.0.1' }), ca: tls.ca, servername: tls.servername })
        : connect(port, '127.0.0.1')
      s.once('error', reject)
      s.once(tls !== undefined ? 'secureConnect' : 'connect', () => { s.off('error', reject); resolve(new DeviceConnection(s, port)) })
    })
  }

  /** True once the gateway ended (FIN) or the socket closed. */
  get serverClosed (): boolean { return this.#ended || this.#closed }

  /** Writes raw bytes. */
  write (data: Buffer | string): void { this.socket.write(data) }

  /** The request head (and body, if given) as bytes; Content-Length is added for a body unless set. */
  static format (req: DeviceRequest, port: number): Buffer {
    const headers = [...(req.headers ?? [])]
    const has = (n: string): boolean => headers.some(([k]) => k.toLowerCase() === n)
    const body = req.body === undefined ? undefined : Buffer.from(req.body)
    if (body !== undefined && !has('content-length') && !has('transfer-encoding')) headers.push(['Content-Length', String(body.length)])
    const head = `${req.method ?? 'POST'} ${req.path} HTTP/1.1\r\nHost: ${req.host ?? `127.0.0.1:${port}`}\r\n` +
      headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n'
    return body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body])
  }

  /** Sends a request and reads its response. */
  async request (req: DeviceRequest, timeoutMs = 10_000): Promise<DeviceResponse> {
    this.write(DeviceConnection.format(req, this.port))
    return await this.readResponse(timeoutMs, req.method === 'HEAD')
  }

  /** Reads the next final response (1xx skipped); rejects with CutResponseError if the connection ends first. */
  async readResponse (timeoutMs = 10_000, head = false): Promise<DeviceResponse> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const r = this.#tryParse(head)
      if (r !== undefined && r.status >= 200) return r
      if (r !== undefined) continue
      if (this.#ended || this.#closed) {
        const partial = this.#partial()
        if (partial !== undefined && this.#bodyDelimitedByClose(partial.headers, partial.status, head)) {
          const body = this.#buf.subarray(this.#headEnd() + 4)
          this.#buf = Buffer.alloc(0)
          return { status: partial.status, rawHeaders: partial.raw, headers: partial.headers, body }
        }
        throw new CutResponseError('connection closed before a complete response', partial === undefined ? undefined : { status: partial.status, headers: partial.headers, bodyBytes: this.#buf.length - this.#headEnd() - 4 })
      }
      await this.#waitData(deadline)
    }
  }

  /** Resolves when the gateway has closed the connection; rejects after timeoutMs. */
  async waitServerClose (timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!this.serverClosed) await this.#waitData(deadline)
  }

  /** Closes the connection abruptly (a device going away). */
  destroy (): void { this.socket.destroy() }

  async #waitData (deadline: number): Promise<void> {
    const left = deadline - performance.now()
    if (left <= 0) throw new Error(`device: timed out waiting (have ${this.#buf.length} bytes: ${JSON.stringify(this.#buf.subarray(0, 200).toString('latin1'))})`)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.#wake = undefined; resolve() }, left)
      this.#wake = () => { clearTimeout(timer); this.#wake = undefined; resolve() }
    })
  }

  #headEnd (): number { return this.#buf.indexOf('\r\n\r\n') }

  #partial (): { status: number, headers: Record<string, string>, raw: [string, string][] } | undefined {
    const end = this.#headEnd()
    if (end < 0) return undefined
    const lines = this.#buf.subarray(0, end).toString('latin1').split('\r\n')
    const status = Number((lines[0] ?? '').split(' ')[1])
    const raw: [string, string][] = []
    const headers: Record<string, string> = {}
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':')
      const k = l.slice(0, i)
      const v = l.slice(i + 1).trim()
      raw.push([k, v])
      headers[k.toLowerCase()] = v
    }
    return { status, headers, raw }
  }

  #bodyDelimitedByClose (h: Record<string, string>, status: number, head: boolean): boolean {
    return !head && status >= 200 && status !== 204 && status !== 304 && h['content-length'] === undefined && !/chunked/i.test(h['transfer-encoding'] ?? '')
  }

  /** Parses one complete response off the buffer, or returns undefined if more bytes are needed. */
  #tryParse (head: boolean): DeviceResponse | undefined {
    const p = this.#partial()
    if (p === undefined) return undefined
    const start = this.#headEnd() + 4
    let body: Buffer
    let rest: number
    if (p.status < 200 || p.status === 204 || p.status === 304 || head) {
      body = Buffer.alloc(0)
      rest = start
    } else if (/chunked/i.test(p.headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = []
      let at = start
      for (;;) {
        const eol = this.#buf.indexOf('\r\n', at)
        if (eol < 0) return undefined
        const size = parseInt(this.#buf.subarray(at, eol).toString('latin1'), 16)
        if (size === 0) {
          const end = this.#buf.indexOf('\r\n\r\n', eol)
          if (end < 0) return undefined
          rest = end + 4
          break
        }
        if (this.#buf.length < eol + 2 + size + 2) return undefined
        parts.push(this.#buf.subarray(eol + 2, eol + 2 + size))
        at = eol + 2 + size + 2
      }
      body = Buffer.concat(parts)
    } else if (p.headers['content-length'] !== undefined) {
      const n = Number(p.headers['content-length'])
      if (this.#buf.length < start + n) return undefined
      body = this.#buf.subarray(start, start + n)
      rest = start + n
    } else {
      return undefined
    }
    this.#buf = this.#buf.subarray(rest)
    return { status: p.status, rawHeaders: p.raw, headers: p.headers, body: Buffer.from(body) }
  }
}
