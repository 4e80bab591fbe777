import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { encodePingResponse, parsePingRequest } from '../eas/index.js'

/** Ping response, Status 1 ("heartbeat expired, nothing changed"), MS-ASCMD §2.2.3.162.10. */
const PING_STATUS_1 = encodePingResponse({ status: 1 })
/** Longest hold the demo grants, so a typo cannot pin a demo request for an hour. */
const MAX_DEMO_HOLD_S = 600

/** Credentials the demo accepts (anything else gets 401, to show the Connection: close handling). */
export const DEMO_USER = 'demo'
export const DEMO_PASSWORD = 'demo'

/**
 * A small built-in EAS server for the quick start. It is a demo, not a mail server: it answers
 * OPTIONS like Exchange, holds a Ping for its HeartbeatInterval and answers Status 1, answers any
 * other command with an empty 200 ("no changes"), and 401 without the demo credentials.
 */
export function createDemoUpstream (): { server: Server, listen: (port?: number) => Promise<number> } {
  const held = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => { handle(req, res, held) })
  server.on('close', () => { for (const t of held) clearTimeout(t) })
  return {
    server,
    async listen (port = 0) {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
      return (server.address() as AddressInfo).port
    }
  }
}

function handle (req: IncomingMessage, res: ServerResponse, held: Set<NodeJS.Timeout>): void {
  const expected = 'Basic ' + Buffer.from(`${DEMO_USER}:${DEMO_PASSWORD}`).toString('base64')
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="eas-gateway demo"', 'content-length': '0' })
      res.end()
      return
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(200, {
        'ms-asprotocolversions': '12.1,14.0,14.1',
        'ms-asprotocolcommands': 'Sync,FolderSync,Ping,Provision,Settings,SendMail',
        'ms-server-activesync': '14.1',
        'content-length': '0'
      })
      res.end()
      return
    }
    const cmd = new URL(req.url ?? '/', 'http://demo').searchParams.get('Cmd')
    if (cmd === 'Ping') {
      const hb = Math.min(heartbeatOf(Buffer.concat(chunks)) ?? 60, MAX_DEMO_HOLD_S)
      const timer = setTimeout(() => {
        held.delete(timer)
        res.writeHead(200, { 'content-type': 'application/vnd.ms-sync.wbxml', 'content-length': PING_STATUS_1.length })
        res.end(PING_STATUS_1)
      }, hb * 1000)
      held.add(timer)
      res.on('close', () => { clearTimeout(timer); held.delete(timer) })
      return
    }
    res.writeHead(200, { 'content-length': '0' })
    res.end()
  })
}

/** HeartbeatInterval of a Ping body, if it has one and parses. */
function heartbeatOf (body: Buffer): number | undefined {
  try {
    const p = parsePingRequest(body)
    return p.empty ? undefined : p.heartbeatInterval
  } catch {
    return undefined
  }
}
