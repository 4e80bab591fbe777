import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { formatDuration, loadCatalog, parseDuration } from '../config/index.js'
import { lintTopology } from '../lint/index.js'
import { packageRoot } from '../package-root.js'
import { createProbeServer, probePath, type ProbeResult } from '../probe/index.js'
import { EXIT, type CliIo } from './io.js'

const USAGE = `usage: gateway probe [options] URL
       gateway probe --listen [--host 127.0.0.1] [--port 8089] [--max-delay 2h]

Measures the idle timeout of a live path: silent requests through it to a probe server
("gateway probe --listen" behind the path), each answered only after the delay it asks for.

options:
  --min DURATION          shortest delay tried (default 1s)
  --max DURATION          longest delay tried: nothing cut below it means no timeout below it (default 1h)
  --parallel N            probes in flight at once (default 4)
  --max-probes N          probes in all (default 24)
  --precision PERCENT     stop when the bracket is this narrow (default 2)
  --host-header HOST      Host header to send (the proxy may route on it)
  --topology FILE         compare with what gateway lint says the path allows
  --hop-name NAME         name of the hop in the printed topology snippet (default probed-path)
  --format text|json      (default text)
  -h, --help              this text

exit codes: 0 measured (or nothing cut up to --max), 1 the measurement disagrees with --topology by more than 5 %, 2 could not run
`

const AGREE = 0.05

/** `gateway probe`: the measuring side, or with `--listen` the server side. */
export async function runProbe (argv: string[], io: CliIo): Promise<number> {
  let args
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        listen: { type: 'boolean' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8089' },
        'max-delay': { type: 'string', default: '2h' },
        min: { type: 'string', default: '1s' },
        max: { type: 'string', default: '1h' },
        parallel: { type: 'string', default: '4' },
        'max-probes': { type: 'string', default: '24' },
        precision: { type: 'string', default: '2' },
        'host-header': { type: 'string' },
        topology: { type: 'string' },
        'hop-name': { type: 'string', default: 'probed-path' },
        format: { type: 'string', default: 'text' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (err) {
    return usage(io, (err as Error).message)
  }
  const v = args.values
  if (v.help === true) { io.stdout(USAGE); return EXIT.OK }
  if (v.listen === true) return await listen(io, v.host, Number(v.port), v['max-delay'])
  const url = args.positionals[0]
  if (url === undefined || args.positionals.length > 1 || !/^https?:\/\//.test(url)) return usage(io, 'give one http(s) URL')
  const min = parseDuration(v.min)
  const max = parseDuration(v.max)
  if ('error' in min || 'error' in max || min.ms >= max.ms) return usage(io, '--min and --max must be durations with --min below --max')
  if (v.format !== 'text' && v.format !== 'json') return usage(io, '--format must be text or json')
  const result = await probePath({
    url,
    minMs: min.ms,
    maxMs: max.ms,
    parallel: Number(v.parallel),
    maxProbes: Number(v['max-probes']),
    precision: Number(v.precision) / 100,
    ...(v['host-header'] !== undefined ? { headers: { host: v['host-header'] } } : {})
  })
  const expected = v.topology !== undefined ? await topologyVerdict(io, v.topology) : undefined
  if (typeof expected === 'string') { io.stderr(expected); return EXIT.USAGE }
  const agrees = expected === undefined || result.timeoutMs === undefined ? undefined : Math.abs(result.timeoutMs - expected.ms) <= AGREE * expected.ms
  if (v.format === 'json') io.stdout(JSON.stringify({ url, ...result, topology: expected ?? null, agrees: agrees ?? null }, null, 2) + '\n')
  else io.stdout(formatProbe(result, v['hop-name'], url, expected, agrees))
  return agrees === false ? EXIT.FINDINGS : EXIT.OK
}

/** The text report and the measured path as a topology hop. */
export function formatProbe (r: ProbeResult, hopName: string, url: string, expected?: { ms: number, what: string }, agrees?: boolean): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(3)}s`
  const lines = [`probed ${url}: ${r.probes.length} silent requests`]
  if (r.timeoutMs === undefined) {
    lines.push(`no cut: the path let a request stay silent for ${s(r.bracket.answeredMs)} (the --max bound)`)
  } else {
    const how = r.cut?.end === 'status' ? `answered ${r.cut.status ?? ''} by a proxy` : r.cut?.end === 'rst' ? 'reset (RST)' : r.cut?.end === 'fin' ? 'closed (FIN) without an answer' : 'dropped silently: no answer at all'
    lines.push(`idle timeout: ${s(r.timeoutMs)} (silent requests of ${s(r.bracket.answeredMs)} answered, of ${s(r.bracket.cutMs ?? 0)} cut: ${how})`)
  }
  if (expected !== undefined) {
    lines.push(`topology: the path should cut at ${s(expected.ms)} (${expected.what}): ${agrees === undefined ? 'nothing to compare' : agrees ? 'agrees (within 5 %)' : 'DISAGREES (more than 5 % apart)'}`)
  }
  const secs = r.timeoutMs === undefined ? undefined : Math.floor(r.timeoutMs / 1000)
  lines.push('', 'as a topology hop:', `  - name: ${hopName}`, '    kind: other-l7', `    # measured by gateway probe ${url}`,
    secs === undefined ? `    timeouts: { idle-timeout: none }   # nothing cut up to ${formatDuration(r.bracket.answeredMs)}` : `    timeouts: { idle-timeout: ${secs}s }`)
  return lines.join('\n') + '\n'
}

/** What gateway lint says the path allows: its shortest Ping-bounding timer. */
async function topologyVerdict (io: CliIo, file: string): Promise<{ ms: number, what: string } | string> {
  let text: string
  let catalogText: string
  const catalogFile = resolve(packageRoot(), 'policies', 'timeouts-catalog.yaml')
  try { text = await io.readFile(resolve(io.cwd, file)); catalogText = await io.readFile(catalogFile) } catch (err) {
    return `gateway probe: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`
  }
  const catalog = loadCatalog(catalogText, catalogFile).catalog
  if (catalog === undefined) return 'gateway probe: the shipped vendor catalog is invalid\n'
  const r = await lintTopology({ file, text, catalog, readFile: async (p) => await io.readFile(resolve(io.cwd, p)) })
  const t = r.chain?.safe?.timer
  if (t === undefined || typeof t.setting.value !== 'number') return `gateway probe: ${file} has no timer that bounds the path (run gateway lint on it)\n`
  const at = t.in.positions.at(t.setting.path)
  return { ms: t.setting.value, what: `hop "${t.hop.name}" ${t.setting.spec.name}, ${t.in.file}:${at.line}:${at.col}` }
}

async function listen (io: CliIo, host: string, port: number, maxDelay: string): Promise<number> {
  const d = parseDuration(maxDelay)
  if ('error' in d || !Number.isInteger(port) || port < 0 || port > 65535) return usage(io, '--port must be 0..65535 and --max-delay a duration')
  let server
  try { server = await createProbeServer({ host, port, maxDelayMs: d.ms }) } catch (err) {
    io.stderr(`gateway probe: cannot listen on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
    return EXIT.USAGE
  }
  io.stdout(`gateway probe: listening on ${server.url} (answers after x-gateway-probe-delay milliseconds)\n`)
  const s = server
  await new Promise<void>((resolve) => { io.onShutdown?.(() => { void s.close().then(resolve) }) })
  return EXIT.OK
}

function usage (io: CliIo, message: string): number {
  io.stderr(`gateway probe: ${message}\n\n${USAGE}`)
  return EXIT.USAGE
}
