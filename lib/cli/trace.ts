import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { resolve as resolvePath } from 'node:path'
import { parseArgs } from 'node:util'
import { parseDuration } from '../config/index.js'
import { GatewayError } from '../errors.js'
import { readOrThrow } from './cli-error.js'
import { EXIT, type CliIo } from './io.js'

const MAX_MS = 60 * 60 * 1000

const USAGE = `usage: gateway trace (--device ID | --user NAME) [--admin URL] [--token-file FILE] [--for 10m] [--show-content] [--json]

Follows one device (or one user's devices) through a running gateway, as it happens: each request
(method, command, query, headers, WBXML body decoded to XML) and each answer (status, outcome,
duration, headers, body). Authorization and Cookie headers are always redacted; message content
(Body, Data, attachments, Subject, From, To, ...) is shown as a byte count unless --show-content.
A held Ping shows when it arrives and again when it is answered. Bodies are kept up to 64 KiB.

options:
  --device ID            the DeviceId to follow (exact)
  --user NAME            the user to follow (any case)
  --admin URL            the gateway's admin listener (default: http://127.0.0.1:9464)
  --token-file FILE      file holding the admin bearer token (admin.auth.tokenFile)
  --for DURATION         stop after this long (default: 10m, at most 1h)
  --show-content         show message content too (mind who reads your terminal)
  --json                 print the gateway's NDJSON lines as they come
  -h, --help             this text

Ctrl-C stops it. With serve --workers N the gateway follows the device on every worker, merged.

exit codes: 0 at the time limit or Ctrl-C, 1 unreachable, refused or cut off, 2 usage
`

type TraceLine = { type: string, [k: string]: unknown }

/** `gateway trace`: streams a device's exchanges from a running gateway's admin listener. */
export async function runTrace (argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string' },
      user: { type: 'string' },
      admin: { type: 'string' },
      'token-file': { type: 'string' },
      for: { type: 'string' },
      'show-content': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) { io.stdout(USAGE); return EXIT.OK }
  if (values.device === undefined && values.user === undefined) throw new GatewayError('GW_ERR_CLI_USAGE', 'gateway trace needs --device ID or --user NAME')
  const d = parseDuration(values.for ?? '10m')
  if ('error' in d) throw new GatewayError('GW_ERR_CLI_USAGE', `--for: ${d.error}`)
  if (d.ms < 1 || d.ms > MAX_MS) throw new GatewayError('GW_ERR_CLI_USAGE', `--for must be at most 1h, got ${values.for ?? ''}`)
  let base: URL
  try { base = new URL(values.admin ?? 'http://127.0.0.1:9464') } catch {
    throw new GatewayError('GW_ERR_CLI_USAGE', `--admin must be a URL such as http://127.0.0.1:9464, got "${values.admin ?? ''}"`)
  }
  const headers: Record<string, string> = {}
  if (values['token-file'] !== undefined) {
    const f = values['token-file']
    headers.authorization = `Bearer ${(await readOrThrow(io.readFile, resolvePath(io.cwd, f), f)).trim()}`
  }
  const url = new URL('/trace', base)
  if (values.device !== undefined) url.searchParams.set('deviceId', values.device)
  if (values.user !== undefined) url.searchParams.set('user', values.user)
  url.searchParams.set('forMs', String(d.ms))
  if (values['show-content'] === true) url.searchParams.set('content', '1')

  let interrupted = false
  let cut: (() => void) | undefined
  io.onShutdown?.(() => { interrupted = true; cut?.() })
  const shown = `${base.origin}/trace`
  return await new Promise<number>((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(url, { headers }, (res) => {
      if (res.statusCode !== 200) {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => { if (text.length < 2000) text += c })
        res.on('end', () => {
          const hint = res.statusCode === 401 ? (values['token-file'] === undefined ? ': the admin listener needs a credential, give --token-file FILE' : ': the token was refused') : ''
          io.stderr(`gateway trace: ${shown} answered ${res.statusCode ?? 0}${hint}${text.trim() !== '' ? `\n  ${text.trim()}` : ''}\n`)
          resolve(EXIT.FINDINGS)
        })
        return
      }
      const json = values.json === true
      let rest = ''
      let ended = false
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        rest += chunk
        let nl
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl)
          rest = rest.slice(nl + 1)
          let ev: TraceLine
          try { ev = JSON.parse(line) as TraceLine } catch { continue }
          if (ev.type === 'end') ended = true
          io.stdout(json ? `${line}\n` : formatTraceLine(ev))
        }
      })
      res.on('error', () => {})
      res.on('close', () => {
        if (ended || interrupted) { resolve(EXIT.OK); return }
        io.stderr('gateway trace: the gateway closed the stream before the time limit (it stopped or restarted)\n')
        resolve(EXIT.FINDINGS)
      })
    })
    cut = () => { req.destroy() }
    req.on('error', (err) => {
      if (interrupted) { resolve(EXIT.OK); return }
      io.stderr(`gateway trace: cannot reach ${shown}: ${reason(err)}\n`)
      resolve(EXIT.FINDINGS)
    })
    req.end()
  })
}

/** One event of the stream, for a terminal. */
export function formatTraceLine (ev: TraceLine): string {
  const at = typeof ev.at === 'string' ? ev.at.slice(11, 23) : ''
  const who = `${String(ev.user ?? '-')}/${String(ev.deviceId ?? '-')}`
  const lines: string[] = []
  if (ev.type === 'subscribed') return `tracing ${ev.deviceId !== null ? `DeviceId ${String(ev.deviceId)}` : `user ${String(ev.user)}`} for ${Math.round(Number(ev.forMs) / 1000)} s (Ctrl-C stops)\n`
  if (ev.type === 'end') return `${at} time limit reached\n`
  if (ev.type === 'worker') return `${at} worker ${String(ev.worker)} follows\n`
  if (ev.type === 'dropped') return `${at} !! ${String(ev.events)} events dropped: this trace read too slowly\n`
  if (ev.type === 'request') {
    lines.push(`${at} -> ${String(ev.method)} ${String(ev.command)} ${who} ${String(ev.query ?? '')} [${String(ev.reqId)}]`)
  } else if (ev.type === 'response') {
    lines.push(`${at} <- ${String(ev.status)} ${String(ev.outcome)} ${String(ev.durationMs)} ms ${String(ev.command)} ${who}${ev.upstream !== undefined ? ` via ${String(ev.upstream)}` : ''} [${String(ev.reqId)}]`)
  } else {
    return `${at} ${JSON.stringify(ev)}\n`
  }
  for (const [k, v] of Object.entries(ev.headers as Record<string, unknown> ?? {})) lines.push(`   ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
  if (ev.bodyStreamed === true) lines.push('   (body streamed to the server, not captured)')
  if (typeof ev.bodyBytes === 'number') lines.push(`   body: ${ev.bodyBytes} bytes${ev.bodyCapped === true ? ' (first 64 KiB)' : ''}${typeof ev.wbxmlError === 'string' ? `, not decodable WBXML (${ev.wbxmlError})` : ''}`)
  if (typeof ev.xml === 'string') for (const l of ev.xml.split('\n')) lines.push(`   ${l}`)
  if (typeof ev.text === 'string') lines.push(`   ${ev.text}`)
  return lines.join('\n') + '\n'
}

function reason (err: unknown): string {
  const code = (err as { code?: string }).code
  return code ?? (err instanceof Error ? err.message : String(err))
}
