import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { formatDiagnostic, loadCatalog, type Catalog } from '../config/index.js'
import {
  ALL_RULES, exitCodeFor, findRule, formatJson, formatKindList, formatRuleExplanation, formatRuleList, formatSarif, formatText,
  lintTopology, summarizeHeartbeat,
  type FailureThreshold, type LintReport
} from '../lint/index.js'
import { packageRoot, packageVersion } from '../package-root.js'
import { EXIT, type CliIo } from './io.js'

const USAGE = `usage: gateway lint [options] TOPOLOGY.yaml

Proves every hop on the ActiveSync path outlasts the heartbeat, so the mail server ends each Ping.

options:
  --format text|json|sarif        output format (default: text); json and sarif print only that on stdout
  --failure-threshold LEVEL       error|warning|info|none: lowest level that exits 1 (default: error)
  --ignore CODE[,CODE]            suppress findings by code or rule name (repeatable)
  --disable-ignore-pragma         ignore "# gateway-lint ignore=" comments in the files
  --color, --no-color             colour the text format (default: off; on with FORCE_COLOR, off with NO_COLOR)
  --list-rules                    list every rule (code, name, level)
  --list-kinds                    list the hop and server kinds of the catalog
  --explain CODE                  explain one rule (code or name)
  -h, --help                      this text

exit codes: 0 nothing at or above the threshold, 1 findings at or above it, 2 could not run
`

const FORMATS = ['text', 'json', 'sarif'] as const
const THRESHOLDS: readonly FailureThreshold[] = ['error', 'warning', 'info', 'none']

/**
 * `gateway lint` (argv without the subcommand). Resolves with the exit code: identical in every
 * format. Bad input is findings (exit 1); an unusable command line, an unreadable topology file or
 * an internal failure is exit 2 with a one-line reason on stderr, never a stack trace.
 */
export async function runLint (argv: string[], io: CliIo): Promise<number> {
  try {
    return await lint(argv, io)
  } catch (err) {
    io.stderr(`gateway lint: internal error: ${(err as Error).message}\n`)
    return EXIT.USAGE
  }
}

async function lint (argv: string[], io: CliIo): Promise<number> {
  let args
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      allowNegative: true,
      options: {
        format: { type: 'string', default: 'text' },
        'failure-threshold': { type: 'string', default: 'error' },
        ignore: { type: 'string', multiple: true },
        'disable-ignore-pragma': { type: 'boolean' },
        color: { type: 'boolean' },
        'list-rules': { type: 'boolean' },
        'list-kinds': { type: 'boolean' },
        explain: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (err) {
    return usage(io, (err as Error).message)
  }
  const v = args.values
  const format = v.format as (typeof FORMATS)[number]
  if (!FORMATS.includes(format)) return usage(io, `--format must be one of ${FORMATS.join(', ')}, got "${v.format}"`)
  const threshold = v['failure-threshold'] as FailureThreshold
  if (!THRESHOLDS.includes(threshold)) return usage(io, `--failure-threshold must be one of ${THRESHOLDS.join(', ')}, got "${threshold}"`)
  if (v.help === true) { io.stdout(USAGE); return EXIT.OK }
  if (v['list-rules'] === true) { io.stdout(formatRuleList(format)); return EXIT.OK }
  if (v.explain !== undefined) {
    const rule = findRule(v.explain)
    if (rule === undefined) return usage(io, `no rule "${v.explain}": see gateway lint --list-rules`)
    io.stdout(formatRuleExplanation(rule, format))
    return EXIT.OK
  }
  const catalog = await shippedCatalog(io)
  if (catalog === undefined) return EXIT.USAGE
  if (v['list-kinds'] === true) { io.stdout(formatKindList(catalog, format)); return EXIT.OK }
  if (args.positionals.length !== 1) return usage(io, args.positionals.length === 0 ? 'a topology file is required' : 'give exactly one topology file')
  const file = args.positionals[0] as string
  let text: string
  try {
    text = await io.readFile(resolve(io.cwd, file))
  } catch (err) {
    io.stderr(`gateway lint: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
    return EXIT.USAGE
  }
  const result = await lintTopology({
    file, text, catalog,
    readFile: async (p) => await io.readFile(resolve(io.cwd, p)),
    ignore: (v.ignore ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== ''),
    disablePragmas: v['disable-ignore-pragma'] === true
  })
  const exitCode = exitCodeFor(result.findings, threshold)
  const report: LintReport = {
    file, toolVersion: packageVersion(), findings: result.findings, suppressed: result.suppressed.length, exitCode,
    ...(result.chain !== undefined ? { heartbeat: summarizeHeartbeat(result.chain) } : {})
  }
  if (format === 'json') io.stdout(formatJson(report))
  else if (format === 'sarif') io.stdout(formatSarif(report, ALL_RULES))
  else {
    io.stdout(formatText(report, { color: useColor(v.color, io.env) }))
    if (exitCode === 0) io.stderr(`${file}: OK\n`)
  }
  return exitCode
}

/** The catalog shipped in policies/; a broken one means this build cannot run (exit 2). */
async function shippedCatalog (io: CliIo): Promise<Catalog | undefined> {
  const path = join(packageRoot(), 'policies', 'timeouts-catalog.yaml')
  let text: string
  try {
    text = await io.readFile(path)
  } catch (err) {
    io.stderr(`gateway lint: cannot read the vendor catalog ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
    return undefined
  }
  const loaded = loadCatalog(text, path)
  if (loaded.catalog === undefined) {
    for (const d of loaded.diagnostics) io.stderr(formatDiagnostic(d) + '\n')
    io.stderr('gateway lint: the shipped vendor catalog is invalid\n')
  }
  return loaded.catalog
}

function useColor (flag: boolean | undefined, env: CliIo['env']): boolean {
  if (flag !== undefined) return flag
  return env.NO_COLOR === undefined && env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
}

function usage (io: CliIo, message: string): number {
  io.stderr(`gateway lint: ${message}\n\n${USAGE}`)
  return EXIT.USAGE
}
